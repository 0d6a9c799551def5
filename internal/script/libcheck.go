package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Argument checks of the Lua 5.1 libraries that gopher-lua implements:
// gopher-lua's own checks word errors differently ("bad argument #1 to
// rep (string expected, got nil)"), so each such function is wrapped by
// one that first checks its arguments as lstrlib.c, lmathlib.c and
// ltablib.c do, with their messages.
//
// A spec has one letter per argument: s string, n number, t table, f
// function, a any value; upper case marks an optional argument; a
// trailing '*' repeats the last letter for the remaining arguments.

var libSpecs = map[string]map[string]string{
	"string": {
		"byte": "sNN", "char": "N*", "find": "ssNa", "gmatch": "ss", "gsub": "ssaN",
		"len": "s", "lower": "s", "match": "ssN", "rep": "sn", "reverse": "s",
		"sub": "snN", "upper": "s",
	},
	"math": {
		"abs": "n", "acos": "n", "asin": "n", "atan": "n", "atan2": "nn", "ceil": "n",
		"cos": "n", "cosh": "n", "deg": "n", "exp": "n", "floor": "n", "fmod": "nn",
		"frexp": "n", "ldexp": "nn", "log": "n", "log10": "n", "max": "nN*", "min": "nN*",
		"mod": "nn", "modf": "n", "pow": "nn", "rad": "n", "sin": "n", "sinh": "n",
		"sqrt": "n", "tan": "n", "tanh": "n",
	},
	"table": {
		"concat": "tSNN", "getn": "t", "maxn": "t", "remove": "tN", "sort": "tF",
	},
}

// wrapChecked returns fn behind Lua 5.1's argument checks.
func wrapChecked(L *lua.LState, fn *lua.LFunction, spec string) *lua.LFunction {
	g := fn.GFunction
	// The wrapper carries fn's upvalues, which g reads as its own.
	up := make([]lua.LValue, len(fn.Upvalues))
	for i, u := range fn.Upvalues {
		up[i] = u.Value()
	}
	return L.NewClosure(func(L *lua.LState) int {
		checkSpec(L, spec)
		return g(L)
	}, up...)
}

func checkSpec(L *lua.LState, spec string) {
	n := 0
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		if c == '*' {
			c = spec[i-1]
			for n++; n <= L.GetTop(); n++ {
				checkArg(L, n, c)
			}
			return
		}
		n++
		checkArg(L, n, c)
	}
}

func checkArg(L *lua.LState, n int, c byte) {
	x := L.Get(n)
	if c >= 'A' && c <= 'Z' {
		if x == lua.LNil {
			return
		}
		c += 'a' - 'A'
	}
	// Arguments are handed to gopher-lua converted as Lua converts
	// them (its own number formatting and parsing differ).
	switch c {
	case 's':
		s, ok := toString(x)
		if !ok {
			typeError(L, n, "string")
		}
		if _, isNum := x.(lua.LNumber); isNum {
			L.Replace(n, lua.LString(s))
		}
	case 'n':
		f, ok := toNumber(x)
		if !ok {
			typeError(L, n, "number")
		}
		if _, isStr := x.(lua.LString); isStr {
			L.Replace(n, lua.LNumber(f))
		}
	case 't':
		if x.Type() != lua.LTTable {
			typeError(L, n, "table")
		}
	case 'f':
		if x.Type() != lua.LTFunction {
			typeError(L, n, "function")
		}
	}
}
