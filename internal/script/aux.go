package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Helpers playing the part of Lua 5.1's lauxlib for the Go functions of
// the sandbox, so their errors read as Redis's C functions' do.

// where is luaL_where: "short_src:line: " of the function running at
// level (0 is the running Go function, 1 its caller), or "" when that is
// not a Lua function.
func where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return ""
	}
	if dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

// raise is luaL_error: msg with the position of the calling Lua code.
func raise(L *lua.LState, msg string) {
	L.Error(lua.LString(where(L, 1)+msg), 0)
}

// raiseRuntime is luaG_runerror called from a C function: no position.
func raiseRuntime(L *lua.LState, msg string) {
	L.Error(lua.LString(msg), 0)
}

// funcName is the name the calling code used for the running Go
// function, "?" when unknown (lua_getinfo "n").
func funcName(L *lua.LState) string {
	dbg, ok := L.GetStack(0)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("n", dbg, lua.LNil); err != nil {
		return "?"
	}
	n := dbg.Name
	if n == "" || n[0] == '<' || n[0] == '(' || n == "main chunk" {
		return "?"
	}
	return n
}

// argError is luaL_argerror.
func argError(L *lua.LState, n int, msg string) {
	raise(L, "bad argument #"+strconv.Itoa(n)+" to '"+funcName(L)+"' ("+msg+")")
}

// typeName is luaL_typename, "no value" past the top.
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return typeOf(L.Get(n))
}

// typeOf is lua_typename of a value.
func typeOf(v lua.LValue) string {
	switch v.Type() {
	case lua.LTNil:
		return "nil"
	case lua.LTBool:
		return "boolean"
	case lua.LTNumber:
		return "number"
	case lua.LTString:
		return "string"
	case lua.LTTable:
		return "table"
	case lua.LTFunction:
		return "function"
	case lua.LTThread:
		return "thread"
	}
	return "userdata"
}

// typeError is luaL_typerror.
func typeError(L *lua.LState, n int, want string) {
	argError(L, n, want+" expected, got "+typeName(L, n))
}

// checkAny is luaL_checkany.
func checkAny(L *lua.LState, n int) lua.LValue {
	if n > L.GetTop() {
		argError(L, n, "value expected")
	}
	return L.Get(n)
}

// checkTable is luaL_checktype(n, LUA_TTABLE).
func checkTable(L *lua.LState, n int) *lua.LTable {
	if t, ok := L.Get(n).(*lua.LTable); ok {
		return t
	}
	typeError(L, n, "table")
	return nil
}

// toNumber is lua_tonumber: numbers and numeric strings, else ok=false.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return str2d(string(x))
	}
	return 0, false
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, "number")
	}
	return f
}

// optNumber is luaL_optnumber.
func optNumber(L *lua.LState, n int, def float64) float64 {
	if v := L.Get(n); v == lua.LNil {
		return def
	}
	return checkNumber(L, n)
}

// checkInt is luaL_checkint: the number cast to lua_Integer, then
// truncated to a C int.
func checkInt(L *lua.LState, n int) int32 {
	return int32(cInt64(checkNumber(L, n)))
}

// checkInteger is luaL_checkinteger: the number cast to ptrdiff_t.
func checkInteger(L *lua.LState, n int) int64 {
	return cInt64(checkNumber(L, n))
}

// optInteger is luaL_optinteger.
func optInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInteger(L, n)
}

// checkString is luaL_checklstring: strings, and numbers converted.
func checkString(L *lua.LState, n int) string {
	switch x := L.Get(n).(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return string(appendNumber(nil, float64(x)))
	}
	typeError(L, n, "string")
	return ""
}

// toString is lua_tolstring: strings and numbers, else ok=false.
func toString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return string(appendNumber(nil, float64(x))), true
	}
	return "", false
}

// cInt64 is the x86-64 conversion of a double to a 64-bit integer
// (cvttsd2si): truncation, and INT64_MIN for NaN and out-of-range
// values, which is what Redis's (long long) casts produce.
func cInt64(f float64) int64 {
	if f != f || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}

// cInt32 is the same conversion to a 32-bit int.
func cInt32(f float64) int32 {
	if f != f || f >= 1<<31 || f < -(1<<31) {
		return math.MinInt32
	}
	return int32(f)
}

// appendNumber formats a Lua number as Lua 5.1 does (LUAI_NUMFFORMAT
// "%.14g"), with glibc's spellings of infinities and NaNs.
func appendNumber(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f != f:
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	if f == 0 && math.Signbit(f) {
		return append(dst, "-0"...)
	}
	if f == math.Trunc(f) && f > -1e14 && f < 1e14 {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', 14, 64)
}

// str2d is luaO_str2d: strtod over the whole string (surrounding white
// space allowed), with a fallback to a hexadecimal integer.
func str2d(s string) (float64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i] // a C string ends at its first NUL
	}
	f, n := strtod(s)
	if n == 0 {
		return 0, false
	}
	rest := s[n:]
	if rest != "" && (rest[0] == 'x' || rest[0] == 'X') {
		v, m := strtoul(s, 16)
		f, rest = float64(v), s[m:]
	}
	for rest != "" && isSpace(rest[0]) {
		rest = rest[1:]
	}
	return f, rest == ""
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// strtod is glibc's strtod in the C locale: it returns the value of the
// longest prefix of s that is a number (after leading white space) and
// that prefix's length, 0 when there is none. It accepts decimal and
// hexadecimal floats, "inf", "infinity" and "nan" in any case.
func strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return signed(math.Inf(1), neg), i + 8
	case hasPrefixFold(rest, "inf"):
		return signed(math.Inf(1), neg), i + 3
	case hasPrefixFold(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (isDigit(s[j]) || s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z' || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return signed(math.NaN(), neg), n
	}
	if len(rest) >= 2 && rest[0] == '0' && rest[1]|0x20 == 'x' {
		if f, n := hexFloat(rest[2:]); n > 0 {
			return signed(f, neg), i + 2 + n
		}
		// "0x" without hex digits is the number 0 followed by "x".
		return signed(0, neg), i + 1
	}
	j := i
	digits := 0
	for j < len(s) && isDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && s[j]|0x20 == 'e' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	f, err := strconv.ParseFloat(s[start:j], 64)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf or ±0 as strtod does.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	return f, j
}

// hexFloat parses the digits of a hexadecimal float after "0x"; it
// returns the number of bytes used, 0 if there is no hex digit.
func hexFloat(s string) (float64, int) {
	j := 0
	digits := 0
	for j < len(s) && isHexDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isHexDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	mant := s[:j]
	exp := "p0"
	if j < len(s) && s[j]|0x20 == 'p' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			exp = s[j:k]
			j = k
		}
	}
	if mant[len(mant)-1] == '.' {
		mant = mant[:len(mant)-1]
	}
	if mant != "" && mant[0] == '.' {
		mant = "0" + mant
	}
	f, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	return f, j
}

// strtoul parses an unsigned integer in base 2..36 as C's strtoul does
// (leading white space, an optional sign, "0x" for base 16); it returns
// the value and the length used, 0 when no digit was found. Overflow
// saturates at ULONG_MAX; a minus sign negates in unsigned arithmetic.
func strtoul(s string, base int) (uint64, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+1 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && i+2 < len(s) && isHexDigit(s[i+2]) {
		i += 2
	}
	var v uint64
	overflow := false
	start := i
	for i < len(s) {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		v = -v
	}
	return v, i
}

func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return 99
}

func signed(f float64, neg bool) float64 {
	if neg {
		return -f
	}
	return f
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
