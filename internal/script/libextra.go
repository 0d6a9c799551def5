package script

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Base, table, math and coroutine functions written after Lua 5.1's C
// code where gopher-lua's differ in results or messages.

// baseSelect is luaB_select.
func baseSelect(L *lua.LState) int {
	n := L.GetTop()
	if s, ok := L.Get(1).(lua.LString); ok && len(s) > 0 && s[0] == '#' {
		L.Push(lua.LNumber(n - 1))
		return 1
	}
	i := int(checkInt(L, 1))
	if i < 0 {
		i = n + i
	} else if i > n {
		i = n
	}
	if i < 1 {
		argError(L, 1, "index out of range")
	}
	return n - i
}

// baseUnpack is luaB_unpack: the values must fit the C stack
// (LUAI_MAXCSTACK).
func baseUnpack(L *lua.LState) int {
	t := checkTable(L, 1)
	i := int64(1)
	if L.Get(2) != lua.LNil {
		i = int64(checkInt(L, 2))
	}
	var e int64
	if L.Get(3) != lua.LNil {
		e = int64(checkInt(L, 3))
	} else {
		e = int64(L.ObjLen(t))
	}
	if i > e {
		return 0
	}
	n := e - i + 1
	if n <= 0 || n >= math.MaxInt32 || int64(L.GetTop())+n > luaStackLimit {
		raise(L, "too many results to unpack")
	}
	for k := i; k <= e; k++ {
		L.Push(t.RawGet(lua.LNumber(k)))
	}
	return int(n)
}

// baseXpcall is luaB_xpcall: any handler is accepted; one that is not a
// function fails as Lua's error handling does.
func baseXpcall(L *lua.LState) int {
	checkAny(L, 2)
	L.SetTop(2)
	fn, handler := L.Get(1), L.Get(2)
	L.SetTop(0)
	L.Push(fn)
	h, _ := handler.(*lua.LFunction)
	if h == nil {
		if err := L.PCall(0, lua.MultRet, nil); err != nil {
			L.SetTop(0)
			L.Push(lua.LFalse)
			L.Push(lua.LString("error in error handling"))
			return 2
		}
	} else if err := L.PCall(0, lua.MultRet, h); err != nil {
		obj := lua.LValue(lua.LString(err.Error()))
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// tableConcat is ltablib.c tconcat.
func tableConcat(L *lua.LState) int {
	t := checkTable(L, 1)
	sep := ""
	if L.Get(2) != lua.LNil {
		sep = checkString(L, 2)
	}
	i := int64(1)
	if L.Get(3) != lua.LNil {
		i = int64(checkInt(L, 3))
	}
	var last int64
	if L.Get(4) != lua.LNil {
		last = int64(checkInt(L, 4))
	} else {
		last = int64(L.ObjLen(t))
	}
	var b []byte
	for ; i <= last; i++ {
		v := t.RawGet(lua.LNumber(i))
		s, ok := toString(v)
		if !ok {
			raise(L, "invalid value ("+typeOf(v)+") at index "+string(appendNumber(nil, float64(i)))+" in table for 'concat'")
		}
		b = append(b, s...)
		if i != last {
			b = append(b, sep...)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// tableSort is ltablib.c sort, the same quicksort, so inconsistent
// comparators give the same results and errors as in Redis.
func tableSort(L *lua.LState) int {
	t := checkTable(L, 1)
	n := L.ObjLen(t)
	var cmp *lua.LFunction
	if x := L.Get(2); x != lua.LNil {
		f, ok := x.(*lua.LFunction)
		if !ok {
			typeError(L, 2, "function")
		}
		cmp = f
	}
	s := sorter{L: L, t: t, cmp: cmp}
	s.auxsort(1, n)
	return 0
}

type sorter struct {
	L   *lua.LState
	t   *lua.LTable
	cmp *lua.LFunction
}

func (s *sorter) get(i int) lua.LValue { return s.t.RawGetInt(i) }

func (s *sorter) set(i int, v lua.LValue) {
	if i >= 1 {
		s.t.RawSetInt(i, v)
	} else {
		s.t.RawSet(lua.LNumber(i), v)
	}
}

// less is sort_comp.
func (s *sorter) less(a, b lua.LValue) bool {
	if s.cmp != nil {
		s.L.Push(s.cmp)
		s.L.Push(a)
		s.L.Push(b)
		s.L.Call(2, 1)
		r := lua.LVAsBool(s.L.Get(-1))
		s.L.Pop(1)
		return r
	}
	return lessThan(s.L, a, b)
}

func (s *sorter) auxsort(l, u int) {
	for l < u {
		al, au := s.get(l), s.get(u)
		if s.less(au, al) {
			s.set(l, au)
			s.set(u, al)
		}
		if u-l == 1 {
			break
		}
		i := (l + u) / 2
		ai, al := s.get(i), s.get(l)
		if s.less(ai, al) {
			s.set(i, al)
			s.set(l, ai)
		} else {
			au := s.get(u)
			if s.less(au, ai) {
				s.set(i, au)
				s.set(u, ai)
			}
		}
		if u-l == 2 {
			break
		}
		pivot := s.get(i)
		s.set(i, s.get(u-1))
		s.set(u-1, pivot)
		i, j := l, u-1
		for {
			for i++; s.less(s.get(i), pivot); i++ {
				if i > u {
					raise(s.L, "invalid order function for sorting")
				}
			}
			for j--; s.less(pivot, s.get(j)); j-- {
				if j < l {
					raise(s.L, "invalid order function for sorting")
				}
			}
			if j < i {
				break
			}
			ai, aj := s.get(i), s.get(j)
			s.set(i, aj)
			s.set(j, ai)
		}
		au1, ai2 := s.get(u-1), s.get(i)
		s.set(u-1, ai2)
		s.set(i, au1)
		if i-l < u-i {
			j, i, l = l, i-1, i+1
		} else {
			j, i, u = i+1, u, i-1
		}
		s.auxsort(j, i)
	}
}

// lessThan is lua_lessthan called from C: numbers and strings compare,
// other values through a shared __lt, else an error without position.
func lessThan(L *lua.LState, a, b lua.LValue) bool {
	switch x := a.(type) {
	case lua.LNumber:
		if y, ok := b.(lua.LNumber); ok {
			return x < y
		}
	case lua.LString:
		if y, ok := b.(lua.LString); ok {
			return x < y
		}
	}
	if a.Type() == b.Type() {
		tm1 := L.GetMetaField(a, "__lt")
		tm2 := L.GetMetaField(b, "__lt")
		if tm1 != lua.LNil && tm1 == tm2 {
			L.Push(tm1)
			L.Push(a)
			L.Push(b)
			L.Call(2, 1)
			r := lua.LVAsBool(L.Get(-1))
			L.Pop(1)
			return r
		}
	}
	ta, tb := typeOf(a), typeOf(b)
	if ta == tb {
		raiseRuntime(L, "attempt to compare two "+ta+" values")
	}
	raiseRuntime(L, "attempt to compare "+ta+" with "+tb)
	return false
}

// mathFmod is math.fmod: C's fmod, whose NaN for x%0 or inf%y is the
// x86-64 default (negative) NaN.
func mathFmod(L *lua.LState) int {
	x, y := checkNumber(L, 1), checkNumber(L, 2)
	r := math.Mod(x, y)
	if r != r && x == x && y == y {
		r = math.Copysign(math.NaN(), -1)
	}
	L.Push(lua.LNumber(r))
	return 1
}

// coResume is luaB_coresume with Lua's messages for dead coroutines.
func coResume(inner lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := inner(L)
		if n == 2 && L.Get(-2) == lua.LFalse {
			if s, ok := L.Get(-1).(lua.LString); ok {
				if m := coMessage(string(s)); m != "" {
					L.Replace(-1, lua.LString(m))
				}
			}
		}
		return n
	}
}

// coMessage maps gopher-lua's coroutine messages to Lua's.
func coMessage(s string) string {
	switch s {
	case "can not resume a dead thread":
		return "cannot resume dead coroutine"
	case "can not resume a running thread":
		return "cannot resume non-suspended coroutine"
	}
	return ""
}

// coWrap is luaB_cowrap: errors propagate with the caller's position
// prepended (auxwrap).
func coWrap(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		typeError(L, 1, "function")
	}
	th, _ := L.NewThread()
	L.Push(L.NewFunction(func(L *lua.LState) int {
		args := make([]lua.LValue, L.GetTop())
		for i := range args {
			args[i] = L.Get(i + 1)
		}
		if th.Dead {
			raise(L, "cannot resume dead coroutine")
		}
		st, err, vals := L.Resume(th, fn, args...)
		if st == lua.ResumeError {
			var obj lua.LValue = lua.LString(err.Error())
			if aerr, ok := err.(*lua.ApiError); ok {
				obj = aerr.Object
			}
			if s, ok := toString(obj); ok {
				if m := coMessage(s); m != "" {
					s = m
				}
				obj = lua.LString(where(L, 1) + s)
			}
			L.Error(obj, 0)
		}
		for _, v := range vals {
			L.Push(v)
		}
		return len(vals)
	}))
	return 1
}
