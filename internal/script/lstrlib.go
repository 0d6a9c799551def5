package script

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's pattern matching (lstrlib.c): string.find, match, gmatch and
// gsub. gopher-lua's matcher lacks %f, positions searches differently
// past the end of the subject and words its errors its own way.

const (
	luaMaxCaptures = 32
	capUnfinished  = -1
	capPosition    = -2
	patSpecials    = "^$*+?.([%-"
)

type capture struct {
	init int
	len  int
}

type matchState struct {
	L     *lua.LState
	src   string
	pat   string // cut at its first NUL, as the C code reads it
	level int
	cap   [luaMaxCaptures]capture
}

// sc and pc read the subject and pattern as C strings: NUL past the end.
func (ms *matchState) sc(i int) int {
	if i < len(ms.src) {
		return int(ms.src[i])
	}
	return 0
}

func (ms *matchState) pc(i int) int {
	if i < len(ms.pat) {
		return int(ms.pat[i])
	}
	return 0
}

func (ms *matchState) fail(msg string) { raise(ms.L, msg) }

func (ms *matchState) checkCapture(l int) int {
	l -= '1'
	if l < 0 || l >= ms.level || ms.cap[l].len == capUnfinished {
		ms.fail("invalid capture index")
	}
	return l
}

func (ms *matchState) captureToClose() int {
	for level := ms.level - 1; level >= 0; level-- {
		if ms.cap[level].len == capUnfinished {
			return level
		}
	}
	ms.fail("invalid pattern capture")
	return 0
}

func (ms *matchState) classEnd(p int) int {
	c := ms.pc(p)
	p++
	switch c {
	case '%':
		if ms.pc(p) == 0 {
			ms.fail("malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if ms.pc(p) == '^' {
			p++
		}
		for {
			if ms.pc(p) == 0 {
				ms.fail("malformed pattern (missing ']')")
			}
			c := ms.pc(p)
			p++
			if c == '%' && ms.pc(p) != 0 {
				p++
			}
			if ms.pc(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func isLower(c int) bool { return c >= 'a' && c <= 'z' }
func isUpper(c int) bool { return c >= 'A' && c <= 'Z' }
func isPunct(c int) bool {
	return c >= 33 && c <= 47 || c >= 58 && c <= 64 || c >= 91 && c <= 96 || c >= 123 && c <= 126
}

func matchClass(c, cl int) bool {
	var res bool
	lower := cl | 0x20
	if !isAlpha(cl) {
		return cl == c
	}
	switch lower {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = isDig(c)
	case 'l':
		res = isLower(c)
	case 'p':
		res = isPunct(c)
	case 's':
		res = c == ' ' || c >= '\t' && c <= '\r'
	case 'u':
		res = isUpper(c)
	case 'w':
		res = isAlpha(c) || isDig(c)
	case 'x':
		res = isDig(c) || c|0x20 >= 'a' && c|0x20 <= 'f'
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if isLower(cl) {
		return res
	}
	return !res
}

func (ms *matchState) matchBracketClass(c, p, ec int) bool {
	sig := true
	if ms.pc(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		if ms.pc(p) == '%' {
			p++
			if matchClass(c, ms.pc(p)) {
				return sig
			}
		} else if ms.pc(p+1) == '-' && p+2 < ec {
			p += 2
			if ms.pc(p-2) <= c && c <= ms.pc(p) {
				return sig
			}
		} else if ms.pc(p) == c {
			return sig
		}
	}
	return !sig
}

func (ms *matchState) singleMatch(c, p, ep int) bool {
	switch ms.pc(p) {
	case '.':
		return true
	case '%':
		return matchClass(c, ms.pc(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.pc(p) == c
}

func (ms *matchState) matchBalance(s, p int) int {
	if ms.pc(p) == 0 || ms.pc(p+1) == 0 {
		ms.fail("unbalanced pattern")
	}
	if ms.sc(s) != ms.pc(p) {
		return -1
	}
	b, e := ms.pc(p), ms.pc(p+1)
	cont := 1
	for s++; s < len(ms.src); s++ {
		if ms.sc(s) == e {
			cont--
			if cont == 0 {
				return s + 1
			}
		} else if ms.sc(s) == b {
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(ms.src) && ms.singleMatch(ms.sc(s+i), p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if r := ms.match(s+i, ep+1); r >= 0 {
			return r
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		if r := ms.match(s, ep+1); r >= 0 {
			return r
		}
		if s < len(ms.src) && ms.singleMatch(ms.sc(s), p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	level := ms.level
	if level >= luaMaxCaptures {
		ms.fail("too many captures")
	}
	ms.cap[level] = capture{init: s, len: what}
	ms.level = level + 1
	r := ms.match(s, p)
	if r < 0 {
		ms.level--
	}
	return r
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.cap[l].len = s - ms.cap[l].init
	r := ms.match(s, p)
	if r < 0 {
		ms.cap[l].len = capUnfinished
	}
	return r
}

func (ms *matchState) matchCapture(s, l int) int {
	l = ms.checkCapture(l)
	n := ms.cap[l].len
	if len(ms.src)-s >= n && ms.src[ms.cap[l].init:ms.cap[l].init+n] == ms.src[s:s+n] {
		return s + n
	}
	return -1
}

// match returns the end of the match of the pattern at p against the
// subject at s, or -1.
func (ms *matchState) match(s, p int) int {
	for {
		switch ms.pc(p) {
		case '(':
			if ms.pc(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case 0:
			return s
		case '$':
			if ms.pc(p+1) == 0 {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		case '%':
			switch ms.pc(p + 1) {
			case 'b':
				s = ms.matchBalance(s, p+2)
				if s < 0 {
					return -1
				}
				p += 4
				continue
			case 'f':
				p += 2
				if ms.pc(p) != '[' {
					ms.fail("missing '[' after '%f' in pattern")
				}
				ep := ms.classEnd(p)
				prev := 0
				if s > 0 {
					prev = ms.sc(s - 1)
				}
				if ms.matchBracketClass(prev, p, ep-1) || !ms.matchBracketClass(ms.sc(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			default:
				if isDig(ms.pc(p + 1)) {
					s = ms.matchCapture(s, ms.pc(p+1))
					if s < 0 {
						return -1
					}
					p += 2
					continue
				}
			}
		}
		// A pattern item.
		ep := ms.classEnd(p)
		m := s < len(ms.src) && ms.singleMatch(ms.sc(s), p, ep)
		switch ms.pc(ep) {
		case '?':
			if m {
				if r := ms.match(s+1, ep+1); r >= 0 {
					return r
				}
			}
			p = ep + 1
		case '*':
			return ms.maxExpand(s, p, ep)
		case '+':
			if !m {
				return -1
			}
			return ms.maxExpand(s+1, p, ep)
		case '-':
			return ms.minExpand(s, p, ep)
		default:
			if !m {
				return -1
			}
			s++
			p = ep
		}
	}
}

func (ms *matchState) onecapture(i, s, e int) lua.LValue {
	if i >= ms.level {
		if i == 0 {
			return lua.LString(ms.src[s:e])
		}
		ms.fail("invalid capture index")
	}
	c := ms.cap[i]
	if c.len == capUnfinished {
		ms.fail("unfinished capture")
	}
	if c.len == capPosition {
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures pushes the captures (the whole match when there are
// none and s >= 0) and returns how many.
func (ms *matchState) pushCaptures(s, e int) int {
	n := ms.level
	if n == 0 && s >= 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.onecapture(i, s, e))
	}
	return n
}

func newMatchState(L *lua.LState, src, pat string) *matchState {
	if i := strings.IndexByte(pat, 0); i >= 0 {
		pat = pat[:i]
	}
	return &matchState{L: L, src: src, pat: pat}
}

// posrelat turns a relative string position into an absolute one.
func posrelat(pos int64, n int) int64 {
	if pos < 0 {
		pos += int64(n) + 1
	}
	if pos < 0 {
		return 0
	}
	return pos
}

func strFindAux(L *lua.LState, find bool) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	init := posrelat(optInteger(L, 3, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	cp := p
	if i := strings.IndexByte(cp, 0); i >= 0 {
		cp = cp[:i]
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(cp, patSpecials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
	} else {
		ms := newMatchState(L, s, p)
		pat := 0
		anchor := ms.pc(0) == '^'
		if anchor {
			pat = 1
		}
		for s1 := int(init); ; s1++ {
			ms.level = 0
			if e := ms.match(s1, pat); e >= 0 {
				if find {
					L.Push(lua.LNumber(s1 + 1))
					L.Push(lua.LNumber(e))
					return ms.pushCaptures(-1, 0) + 2
				}
				return ms.pushCaptures(s1, e)
			}
			if s1 >= len(s) || anchor {
				break
			}
		}
	}
	L.Push(lua.LNil)
	return 1
}

func strFind(L *lua.LState) int  { return strFindAux(L, true) }
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

func strGmatch(L *lua.LState) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ms := newMatchState(L, s, p)
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if e := ms.match(src, 0); e >= 0 {
				pos = e
				if e == src {
					pos++
				}
				return ms.pushCaptures(src, e)
			}
		}
		return 0
	}))
	return 1
}

func strGsub(L *lua.LState) int {
	src := checkString(L, 1)
	p := checkString(L, 2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTFunction, lua.LTTable:
	default:
		argError(L, 3, "string/function/table expected")
	}
	maxN := int64(len(src) + 1)
	if L.Get(4) != lua.LNil {
		maxN = int64(checkInt(L, 4))
	}
	ms := newMatchState(L, src, p)
	pat := 0
	anchor := ms.pc(0) == '^'
	if anchor {
		pat = 1
	}
	var b []byte
	s, n := 0, int64(0)
	for n < maxN {
		ms.level = 0
		e := ms.match(s, pat)
		if e >= 0 {
			n++
			b = addValue(ms, b, repl, s, e)
		}
		if e >= 0 && e > s {
			s = e
		} else if s < len(src) {
			b = append(b, src[s])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	b = append(b, src[s:]...)
	L.Push(lua.LString(b))
	L.Push(lua.LNumber(n))
	return 2
}

func addValue(ms *matchState, b []byte, repl lua.LValue, s, e int) []byte {
	L := ms.L
	var r lua.LValue
	switch x := repl.(type) {
	case lua.LString, lua.LNumber:
		news, _ := toString(x)
		for i := 0; i < len(news); i++ {
			if news[i] != '%' {
				b = append(b, news[i])
				continue
			}
			i++
			c := byte(0) // "%" at the end reads the terminating NUL
			if i < len(news) {
				c = news[i]
			}
			switch {
			case !isDigit(c):
				b = append(b, c)
			case c == '0':
				b = append(b, ms.src[s:e]...)
			default:
				v := ms.onecapture(int(c-'1'), s, e)
				str, _ := toString(v)
				b = append(b, str...)
			}
		}
		return b
	case *lua.LFunction:
		L.Push(x)
		n := ms.pushCaptures(s, e)
		L.Call(n, 1)
		r = L.Get(-1)
		L.Pop(1)
	case *lua.LTable:
		r = L.GetTable(x, ms.onecapture(0, s, e))
	}
	if !lua.LVAsBool(r) {
		return append(b, ms.src[s:e]...)
	}
	str, ok := toString(r)
	if !ok {
		raise(L, "invalid replacement value (a "+typeOf(r)+")")
	}
	return append(b, str...)
}

// strChar is str_char: each argument a byte value.
func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkInt(L, i)
		if c < 0 || c > 255 {
			argError(L, i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}
