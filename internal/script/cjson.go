package script

import (
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The cjson library (Lua CJSON 2.1.0 as bundled with Redis,
// deps/lua/src/lua_cjson.c).

// jsonConfig is json_config_t. Redis keeps one per Lua state, as the
// upvalue of the cjson functions, so a script changing it changes it for
// later scripts; with pooled states it lives in the Engine instead.
type jsonConfig struct {
	mu           sync.Mutex
	jsonSettings // guarded by mu
}

// jsonSettings are the values of a jsonConfig.
type jsonSettings struct {
	sparseConvert        int
	sparseRatio          int
	sparseSafe           int
	encodeMaxDepth       int
	decodeMaxDepth       int
	encodeInvalidNumbers int // 0 off, 1 on, 2 "null"
	decodeInvalidNumbers int
	encodeKeepBuffer     int
	encodePrecision      int
}

func newJSONConfig() *jsonConfig {
	return &jsonConfig{jsonSettings: jsonSettings{
		sparseRatio:          2,
		sparseSafe:           10,
		encodeMaxDepth:       1000,
		decodeMaxDepth:       1000,
		decodeInvalidNumbers: 1,
		encodeKeepBuffer:     1,
		encodePrecision:      14,
	}}
}

// snapshot returns a copy of the settings.
func (c *jsonConfig) snapshot() jsonSettings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jsonSettings
}

// openCjson builds a cjson module table whose functions use cfg
// (lua_cjson_new).
func (v *vm) openCjson(cfg *jsonConfig) *lua.LTable {
	L := v.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int { return v.jsonEncode(L, cfg) },
		"decode": func(L *lua.LState) int { return v.jsonDecode(L, cfg) },
		"encode_sparse_array": func(L *lua.LState) int {
			jsonArgInit(L, 3)
			cfg.mu.Lock()
			defer cfg.mu.Unlock()
			jsonEnumOption(L, 1, &cfg.sparseConvert, nil)
			jsonIntegerOption(L, 2, &cfg.sparseRatio, 0, math.MaxInt32)
			jsonIntegerOption(L, 3, &cfg.sparseSafe, 0, math.MaxInt32)
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			return jsonIntOptionFn(L, cfg, &cfg.encodeMaxDepth, 1, math.MaxInt32)
		},
		"decode_max_depth": func(L *lua.LState) int {
			return jsonIntOptionFn(L, cfg, &cfg.decodeMaxDepth, 1, math.MaxInt32)
		},
		"encode_number_precision": func(L *lua.LState) int {
			return jsonIntOptionFn(L, cfg, &cfg.encodePrecision, 1, 14)
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			jsonArgInit(L, 1)
			cfg.mu.Lock()
			defer cfg.mu.Unlock()
			jsonEnumOption(L, 1, &cfg.encodeKeepBuffer, nil)
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			jsonArgInit(L, 1)
			cfg.mu.Lock()
			defer cfg.mu.Unlock()
			jsonEnumOption(L, 1, &cfg.encodeInvalidNumbers, []string{"off", "on", "null"})
			return 1
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			jsonArgInit(L, 1)
			cfg.mu.Lock()
			defer cfg.mu.Unlock()
			jsonEnumOption(L, 1, &cfg.decodeInvalidNumbers, nil)
			return 1
		},
		"new": func(L *lua.LState) int {
			L.Push(v.openCjson(newJSONConfig()))
			return 1
		},
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("null", v.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

// jsonArgInit is json_arg_init: at most n arguments, padded with nils.
func jsonArgInit(L *lua.LState, n int) {
	if L.GetTop() > n {
		argError(L, n+1, "found too many arguments")
	}
	for L.GetTop() < n {
		L.Push(lua.LNil)
	}
}

func jsonIntOptionFn(L *lua.LState, cfg *jsonConfig, setting *int, min, max int) int {
	jsonArgInit(L, 1)
	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	jsonIntegerOption(L, 1, setting, min, max)
	return 1
}

// jsonIntegerOption is json_integer_option; cfg.mu is held.
func jsonIntegerOption(L *lua.LState, idx int, setting *int, min, max int) {
	if L.Get(idx) != lua.LNil {
		value := int(int32(checkInteger(L, idx)))
		if value < min || value > max {
			argError(L, 1, "expected integer between "+strconv.Itoa(min)+" and "+strconv.Itoa(max))
		}
		*setting = value
	}
	L.Push(lua.LNumber(*setting))
}

// jsonEnumOption is json_enum_option with bool_true 1; cfg.mu is held.
func jsonEnumOption(L *lua.LState, idx int, setting *int, options []string) {
	if options == nil {
		options = []string{"off", "on"}
	}
	if x := L.Get(idx); x != lua.LNil {
		if b, ok := x.(lua.LBool); ok {
			*setting = 0
			if b {
				*setting = 1
			}
		} else {
			s := checkString(L, idx)
			found := false
			for i, o := range options {
				if o == s {
					*setting, found = i, true
					break
				}
			}
			if !found {
				argError(L, idx, "invalid option '"+s+"'")
			}
		}
	}
	if *setting == 0 || *setting == 1 {
		L.Push(lua.LBool(*setting == 1))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
}

// ---- encoding ----

type jsonEncoder struct {
	v   *vm
	L   *lua.LState
	cfg jsonSettings
	buf []byte
}

func (v *vm) jsonEncode(L *lua.LState, cfgp *jsonConfig) int {
	if L.GetTop() != 1 {
		argError(L, 1, "expected 1 argument")
	}
	enc := jsonEncoder{v: v, L: L, cfg: cfgp.snapshot()}
	enc.value(L.Get(1), 0, 1)
	L.Push(lua.LString(enc.buf))
	return 1
}

func (enc *jsonEncoder) fail(x lua.LValue, reason string) {
	raise(enc.L, "Cannot serialise "+typeOf(x)+": "+reason)
}

// value is json_append_data; slots is the Lua stack use Redis's encoder
// would have reached (lua_checkstack limits it to LUAI_MAXCSTACK).
func (enc *jsonEncoder) value(x lua.LValue, depth, slots int) {
	switch t := x.(type) {
	case lua.LString:
		enc.buf = appendJSONString(enc.buf, string(t))
	case lua.LNumber:
		enc.number(x, float64(t))
	case lua.LBool:
		if t {
			enc.buf = append(enc.buf, "true"...)
		} else {
			enc.buf = append(enc.buf, "false"...)
		}
	case *lua.LNilType:
		enc.buf = append(enc.buf, "null"...)
	case *lua.LTable:
		depth++
		if depth > enc.cfg.encodeMaxDepth || slots+3 > luaStackLimit {
			raise(enc.L, "Cannot serialise, excessive nesting ("+strconv.Itoa(depth)+")")
		}
		real, _ := enc.v.real(t)
		if n := enc.arrayLength(real); n > 0 {
			enc.buf = append(enc.buf, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					enc.buf = append(enc.buf, ',')
				}
				enc.value(real.RawGetInt(i), depth, slots+1)
			}
			enc.buf = append(enc.buf, ']')
		} else {
			enc.object(real, depth, slots)
		}
	case *lua.LUserData:
		if t == enc.v.null {
			enc.buf = append(enc.buf, "null"...)
			return
		}
		enc.fail(x, "type not supported")
	default:
		enc.fail(x, "type not supported")
	}
}

func (enc *jsonEncoder) number(x lua.LValue, f float64) {
	switch enc.cfg.encodeInvalidNumbers {
	case 0:
		if math.IsInf(f, 0) || f != f {
			enc.fail(x, "must not be NaN or Inf")
		}
	case 1:
		if f != f {
			enc.buf = append(enc.buf, "nan"...)
			return
		}
	default:
		if math.IsInf(f, 0) || f != f {
			enc.buf = append(enc.buf, "null"...)
			return
		}
	}
	enc.buf = appendCNumber(enc.buf, f, enc.cfg.encodePrecision)
}

// appendCNumber is fpconv_g_fmt: "%.<prec>g" with glibc's inf spelling.
func appendCNumber(dst []byte, f float64, prec int) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	if f == 0 && math.Signbit(f) {
		return append(dst, "-0"...)
	}
	return strconv.AppendFloat(dst, f, 'g', prec, 64)
}

// arrayLength is lua_array_length: the array size of a table whose keys
// are all positive integers (within the sparseness limits), -1 for an
// object, 0 for an empty table.
func (enc *jsonEncoder) arrayLength(t *lua.LTable) int {
	max, items := 0.0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f == 0 || math.Floor(f) != f || f < 1 {
			return -1
		}
		if f > max {
			max = f
		}
		items++
	}
	c := enc.cfg
	if c.sparseRatio > 0 && max > float64(items)*float64(c.sparseRatio) && max > float64(c.sparseSafe) {
		if c.sparseConvert == 0 {
			enc.fail(t, "excessively sparse array")
		}
		return -1
	}
	if max > math.MaxInt32 {
		return -1
	}
	return int(max)
}

// object is json_append_object.
func (enc *jsonEncoder) object(t *lua.LTable, depth, slots int) {
	enc.buf = append(enc.buf, '{')
	first := true
	for k, val := t.Next(lua.LNil); k != lua.LNil; k, val = t.Next(k) {
		if !first {
			enc.buf = append(enc.buf, ',')
		}
		first = false
		switch key := k.(type) {
		case lua.LNumber:
			enc.buf = append(enc.buf, '"')
			enc.number(k, float64(key))
			enc.buf = append(enc.buf, '"', ':')
		case lua.LString:
			enc.buf = appendJSONString(enc.buf, string(key))
			enc.buf = append(enc.buf, ':')
		default:
			enc.fail(k, "table key must be a number or string")
		}
		enc.value(val, depth, slots+2)
	}
	enc.buf = append(enc.buf, '}')
}

// appendJSONString quotes s with cjson's escapes (it escapes '/' and DEL
// too, and leaves other bytes alone).
func appendJSONString(dst []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '"':
			dst = append(dst, '\\', '"')
		case '/':
			dst = append(dst, '\\', '/')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			if c < 0x20 || c == 0x7f {
				dst = append(dst, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// ---- decoding ----

type jsonTokenType int

const (
	tObjBegin jsonTokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

type jsonToken struct {
	typ   jsonTokenType
	index int
	str   string  // T_STRING value, or the T_ERROR reason
	num   float64 // T_NUMBER
	b     bool    // T_BOOLEAN
}

type jsonDecoder struct {
	v     *vm
	L     *lua.LState
	cfg   jsonSettings
	data  string
	ptr   int
	depth int
	tmp   []byte
}

func (v *vm) jsonDecode(L *lua.LState, cfgp *jsonConfig) int {
	if L.GetTop() != 1 {
		argError(L, 1, "expected 1 argument")
	}
	data := checkString(L, 1)
	d := jsonDecoder{v: v, L: L, cfg: cfgp.snapshot(), data: data}
	if len(data) >= 2 && (data[0] == 0 || data[1] == 0) {
		raise(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	var tok jsonToken
	d.next(&tok)
	x := d.value(&tok, 1)
	d.next(&tok)
	if tok.typ != tEnd {
		d.throw("the end", &tok)
	}
	L.Push(x)
	return 1
}

// at returns the byte at i, NUL past the end (the C code reads a C
// string).
func (d *jsonDecoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func ch2token(c byte) jsonTokenType {
	switch c {
	case '{':
		return tObjBegin
	case '}':
		return tObjEnd
	case '[':
		return tArrBegin
	case ']':
		return tArrEnd
	case ',':
		return tComma
	case ':':
		return tColon
	case 0:
		return tEnd
	case ' ', '\t', '\n', '\r':
		return tWhitespace
	case 'f', 'i', 'I', 'n', 'N', 't', '"', '+', '-':
		return tUnknown
	}
	if isDigit(c) {
		return tUnknown
	}
	return tError
}

func (d *jsonDecoder) setError(tok *jsonToken, reason string) {
	tok.typ = tError
	tok.index = d.ptr
	tok.str = reason
}

// next is json_next_token.
func (d *jsonDecoder) next(tok *jsonToken) {
	var c byte
	for {
		c = d.at(d.ptr)
		tok.typ = ch2token(c)
		if tok.typ != tWhitespace {
			break
		}
		d.ptr++
	}
	tok.index = d.ptr
	switch tok.typ {
	case tError:
		d.setError(tok, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		d.ptr++
		return
	}
	rest := d.data[d.ptr:]
	switch {
	case c == '"':
		d.stringToken(tok)
	case c == '-' || isDigit(c):
		if d.cfg.decodeInvalidNumbers == 0 && d.invalidNumber() {
			d.setError(tok, "invalid number")
			return
		}
		d.numberToken(tok)
	case len(rest) >= 4 && rest[:4] == "true":
		tok.typ, tok.b = tBoolean, true
		d.ptr += 4
	case len(rest) >= 5 && rest[:5] == "false":
		tok.typ, tok.b = tBoolean, false
		d.ptr += 5
	case len(rest) >= 4 && rest[:4] == "null":
		tok.typ = tNull
		d.ptr += 4
	case d.cfg.decodeInvalidNumbers != 0 && d.invalidNumber():
		d.numberToken(tok)
	default:
		d.setError(tok, "invalid token")
	}
}

// invalidNumber is json_is_invalid_number: numbers strtod accepts but
// JSON does not (a '+', hex, leading zeros, inf, nan).
func (d *jsonDecoder) invalidNumber() bool {
	p := d.ptr
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	if d.at(p) == '0' {
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || isDigit(c2)
	}
	if d.at(p) <= '9' {
		return false
	}
	rest := d.data[min(p, len(d.data)):]
	return hasPrefixFold(rest, "inf") || hasPrefixFold(rest, "nan")
}

func (d *jsonDecoder) numberToken(tok *jsonToken) {
	s := d.data[d.ptr:]
	if i := indexNUL(s); i >= 0 {
		s = s[:i]
	}
	f, n := strtod(s)
	if n == 0 {
		d.setError(tok, "invalid number")
		return
	}
	tok.typ = tNumber
	tok.num = f
	d.ptr += n
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

func jsonEscape(c byte) byte {
	switch c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 't':
		return '\t'
	case 'n':
		return '\n'
	case 'f':
		return '\f'
	case 'r':
		return '\r'
	case 'u':
		return 'u'
	}
	return 0
}

// stringToken is json_next_string_token.
func (d *jsonDecoder) stringToken(tok *jsonToken) {
	d.ptr++
	d.tmp = d.tmp[:0]
	for {
		c := d.at(d.ptr)
		if c == '"' {
			break
		}
		if c == 0 {
			d.setError(tok, "unexpected end of string")
			return
		}
		if c == '\\' {
			e := jsonEscape(d.at(d.ptr + 1))
			if e == 'u' {
				if d.unicodeEscape() {
					continue
				}
				d.setError(tok, "invalid unicode escape code")
				return
			}
			if e == 0 {
				d.setError(tok, "invalid escape code")
				return
			}
			d.ptr++
			c = e
		}
		d.tmp = append(d.tmp, c)
		d.ptr++
	}
	d.ptr++
	tok.typ = tString
	tok.str = string(d.tmp)
}

func (d *jsonDecoder) hex4(at int) int {
	v := 0
	for i := 0; i < 4; i++ {
		c := d.at(at + i)
		var n int
		switch {
		case isDigit(c):
			n = int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			n = int(c|0x20-'a') + 10
		default:
			return -1
		}
		v = v<<4 | n
	}
	return v
}

// unicodeEscape is json_append_unicode_escape at d.ptr ("\uXXXX").
func (d *jsonDecoder) unicodeEscape() bool {
	cp := d.hex4(d.ptr + 2)
	if cp < 0 {
		return false
	}
	escLen := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return false
		}
		if d.at(d.ptr+6) != '\\' || d.at(d.ptr+7) != 'u' {
			return false
		}
		lo := d.hex4(d.ptr + 8)
		if lo < 0 || lo&0xFC00 != 0xDC00 {
			return false
		}
		cp = (cp&0x3FF)<<10 | lo&0x3FF + 0x10000
		escLen = 12
	}
	// codepoint_to_utf8 encodes surrogates and all as UTF-8 would.
	if cp <= 0x7F {
		d.tmp = append(d.tmp, byte(cp))
	} else if cp <= 0x7FF {
		d.tmp = append(d.tmp, byte(cp>>6|0xC0), byte(cp&0x3F|0x80))
	} else if cp <= 0xFFFF {
		d.tmp = append(d.tmp, byte(cp>>12|0xE0), byte(cp>>6&0x3F|0x80), byte(cp&0x3F|0x80))
	} else {
		d.tmp = utf8.AppendRune(d.tmp, rune(cp))
	}
	d.ptr += escLen
	return true
}

// throw is json_throw_parse_error.
func (d *jsonDecoder) throw(expected string, tok *jsonToken) {
	found := jsonTokenNames[tok.typ]
	if tok.typ == tError {
		found = tok.str
	}
	raise(d.L, "Expected "+expected+" but found "+found+" at character "+strconv.Itoa(tok.index+1))
}

// descend is json_decode_descend; slots is the Lua stack use Redis's
// decoder is at.
func (d *jsonDecoder) descend(slots, need int) {
	d.depth++
	if d.depth <= d.cfg.decodeMaxDepth && slots+need <= luaStackLimit {
		return
	}
	raise(d.L, "Found too many nested data structures ("+strconv.Itoa(d.depth)+") at character "+strconv.Itoa(d.ptr))
}

// value is json_process_value.
func (d *jsonDecoder) value(tok *jsonToken, slots int) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tObjBegin:
		return d.object(slots)
	case tArrBegin:
		return d.array(slots)
	case tNull:
		return d.v.null
	}
	d.throw("value", tok)
	return nil
}

func (d *jsonDecoder) object(slots int) lua.LValue {
	d.descend(slots, 3)
	t := d.L.NewTable()
	var tok jsonToken
	d.next(&tok)
	if tok.typ == tObjEnd {
		d.depth--
		return t
	}
	for {
		if tok.typ != tString {
			d.throw("object key string", &tok)
		}
		key := lua.LString(tok.str)
		d.next(&tok)
		if tok.typ != tColon {
			d.throw("colon", &tok)
		}
		d.next(&tok)
		// Stack: table, key.
		t.RawSetString(string(key), d.value(&tok, slots+2))
		d.next(&tok)
		if tok.typ == tObjEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.throw("comma or object end", &tok)
		}
		d.next(&tok)
	}
}

func (d *jsonDecoder) array(slots int) lua.LValue {
	d.descend(slots, 2)
	t := d.L.NewTable()
	var tok jsonToken
	d.next(&tok)
	if tok.typ == tArrEnd {
		d.depth--
		return t
	}
	for i := 1; ; i++ {
		// Stack: table.
		t.RawSetInt(i, d.value(&tok, slots+1))
		d.next(&tok)
		if tok.typ == tArrEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.throw("comma or array end", &tok)
		}
		d.next(&tok)
	}
}
