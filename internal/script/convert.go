package script

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Conversions between RESP and Lua values (script_lua.c's
// redisProtocolToLuaType_* and luaReplyToRedisReply).

// parseReply converts the reply at b[pos:] into a Lua value, returning
// the position after it. The reply was written by our own command layer,
// so it is trusted to be well formed; a malformed one is a bug.
func (v *vm) parseReply(b []byte, pos int) (lua.LValue, int) {
	L := v.L
	kind := b[pos]
	line, next := replyLine(b, pos+1)
	switch kind {
	case '+':
		if string(line) == "OK" {
			return v.okTable(), next
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(line))
		return t, next
	case '-':
		t := errorTable(L, "-"+string(line))
		// The command already counted this error in the stats.
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t, next
	case ':':
		n, ok := resp.ParseInt(line)
		if !ok {
			panic("BUG: bad integer in reply: " + string(line))
		}
		return lua.LNumber(n), next
	case '$', '=':
		n := replyLen(line)
		if n < 0 {
			return lua.LFalse, next
		}
		s := b[next : next+n]
		end := next + n + 2
		if kind == '$' {
			return lua.LString(s), end
		}
		// Verbatim: "fmt:" then the string.
		// (In this order pairs() sees them as in Redis.)
		vt := L.CreateTable(0, 2)
		vt.RawSetString("format", lua.LString(s[:3]))
		vt.RawSetString("string", lua.LString(s[4:]))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", vt)
		return t, end
	case '*', '>':
		n := replyLen(line)
		if n < 0 {
			return lua.LFalse, next
		}
		t := L.CreateTable(n, 0)
		for j := 1; j <= n; j++ {
			var e lua.LValue
			e, next = v.parseReply(b, next)
			t.RawSetInt(j, e)
		}
		return t, next
	case '%':
		n := replyLen(line)
		m := L.CreateTable(0, n)
		for j := 0; j < n; j++ {
			var k, e lua.LValue
			k, next = v.parseReply(b, next)
			e, next = v.parseReply(b, next)
			if k != lua.LNil {
				m.RawSet(k, e)
			}
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t, next
	case '~':
		n := replyLen(line)
		s := L.CreateTable(0, n)
		for j := 0; j < n; j++ {
			var e lua.LValue
			e, next = v.parseReply(b, next)
			if e != lua.LNil {
				s.RawSet(e, lua.LTrue)
			}
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("set", s)
		return t, next
	case '|':
		// Attributes are not shown to scripts: skip them, then the reply.
		n := replyLen(line)
		for j := 0; j < 2*n; j++ {
			next = skipReply(b, next)
		}
		return v.parseReply(b, next)
	case '_':
		return lua.LNil, next
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), next
	case ',':
		f, n := strtod(string(line))
		if n == 0 {
			panic("BUG: bad double in reply: " + string(line))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t, next
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(line))
		return t, next
	}
	panic("BUG: unknown reply type " + strconv.Quote(string(kind)))
}

// replyLine returns the line starting at b[pos:] (up to CRLF) and the
// position after the CRLF.
func replyLine(b []byte, pos int) ([]byte, int) {
	for i := pos; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return b[pos:i], i + 2
		}
	}
	panic("BUG: unterminated reply line")
}

func replyLen(line []byte) int {
	n, ok := resp.ParseInt(line)
	if !ok {
		panic("BUG: bad length in reply: " + string(line))
	}
	return int(n)
}

// skipReply returns the position after the reply at b[pos:].
func skipReply(b []byte, pos int) int {
	kind := b[pos]
	line, next := replyLine(b, pos+1)
	switch kind {
	case '$', '=', '!':
		if n := replyLen(line); n >= 0 {
			next += n + 2
		}
	case '*', '>', '~':
		for j, n := 0, replyLen(line); j < n; j++ {
			next = skipReply(b, next)
		}
	case '%', '|':
		for j, n := 0, 2*replyLen(line); j < n; j++ {
			next = skipReply(b, next)
		}
		if kind == '|' {
			next = skipReply(b, next)
		}
	}
	return next
}

// luaStackLimit is LUAI_MAXCSTACK: luaReplyToRedisReply needs four free
// slots of the Lua stack per nesting level and answers "reached lua stack
// limit" past it. Nested tables are converted here with Go recursion, but
// the slots Redis's C code would hold are counted so the same replies
// come out.
const luaStackLimit = 8000

// writeReply is luaReplyToRedisReply: it appends x to w in w's protocol
// (the caller's), using the script's protocol (r.resp) only to choose how
// booleans are sent. top is the Lua stack depth Redis would be at.
func (v *vm) writeReply(w *resp.Writer, x lua.LValue, top int) {
	if top+4 > luaStackLimit {
		v.errorReply(w, "ERR "+msgStackLimit, false)
		return
	}
	switch t := x.(type) {
	case lua.LString:
		w.BulkString(string(t))
	case lua.LBool:
		if v.run.resp == 2 {
			if t {
				w.Int(1)
			} else {
				w.Null()
			}
		} else {
			w.Bool(bool(t))
		}
	case lua.LNumber:
		w.Int(cInt64(float64(t)))
	case *lua.LTable:
		v.writeTable(w, t, top)
	default:
		w.Null()
	}
}

func (v *vm) writeTable(w *resp.Writer, t *lua.LTable, top int) {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		counted := t.RawGetString("ignore_error_stats_update") == lua.LTrue
		v.errorReply(w, string(s), counted)
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Status(mapCRLF(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		writeDouble(w, float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber([]byte(mapCRLF(string(s))))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, fok := vt.RawGetString("format").(lua.LString)
		str, sok := vt.RawGetString("string").(lua.LString)
		if fok && sok {
			w.Verbatim(verbatimFormat(string(format)), []byte(str))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		for k, _ := m.Next(lua.LNil); k != lua.LNil; k, _ = m.Next(k) {
			n++
		}
		w.Map(n)
		for k, e := m.Next(lua.LNil); k != lua.LNil; k, e = m.Next(k) {
			// Stack: table, map, key, value, key copy.
			v.writeReply(w, k, top+4)
			v.writeReply(w, e, top+3)
		}
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		for k, _ := s.Next(lua.LNil); k != lua.LNil; k, _ = s.Next(k) {
			n++
		}
		w.Set(n)
		for k, _ := s.Next(lua.LNil); k != lua.LNil; k, _ = s.Next(k) {
			// Stack: table, set, key, key copy.
			v.writeReply(w, k, top+3)
		}
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for j := 1; j <= n; j++ {
		// Stack: table, element.
		v.writeReply(w, t.RawGetInt(j), top+1)
	}
}

// writeDouble is addReplyDouble: "%.17g", which spells a NaN with its
// sign ("-nan" for the NaN that 0/0 yields on x86-64).
func writeDouble(w *resp.Writer, f float64) {
	if f == f {
		w.Double(f)
		return
	}
	s := "nan"
	if math.Signbit(f) {
		s = "-nan"
	}
	if w.Proto >= 3 {
		w.Raw([]byte("," + s + "\r\n"))
		return
	}
	w.BulkString(s)
}

// errorReply writes an error reply of the script and tells the host.
func (v *vm) errorReply(w *resp.Writer, msg string, counted bool) {
	w.Error(msg)
	v.e.cfg.Host.ErrorReply(v.run, msg, counted)
}

// mapCRLF replaces CR and LF with spaces, as Redis does for status
// replies and big numbers written from Lua.
func mapCRLF(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] == '\r' || b[j] == '\n' {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}

// verbatimFormat is addReplyVerbatim's 3-byte format: truncated, or
// padded with spaces after a short (NUL-terminated) one.
func verbatimFormat(f string) string {
	var b [3]byte
	j := 0
	for i := 0; i < 3; i++ {
		if j < len(f) && f[j] != 0 {
			b[i] = f[j]
			j++
		} else {
			b[i] = ' '
			j = len(f)
		}
	}
	return string(b[:])
}

// okTable returns the status table {ok="OK"} of a "+OK" reply. Building
// one costs a gopher-lua table with its string maps (eight allocations,
// most of the cost of a redis.call that writes), so one table is reused
// for as long as it is left as built: a script that adds, changes or
// removes a field, or sets a metatable, gets a fresh table from then on.
// (Two OK replies kept by one script are then the same table, which only
// a script comparing them with rawequal could notice.)
func (v *vm) okTable() *lua.LTable {
	// Unchanged: no metatable, no array elements, "ok" still "OK", and
	// no key after "ok" (the first key of the table, so Next from it
	// covers every other).
	if t := v.okReply; t != nil && t.Metatable == lua.LNil && t.RawGetString("ok") == okValue && t.Len() == 0 {
		if k, _ := t.Next(okKey); k == lua.LNil {
			return t
		}
	}
	t := v.L.CreateTable(0, 1)
	t.RawSetString("ok", okValue)
	v.okReply = t
	return t
}

var (
	okKey   lua.LValue = lua.LString("ok")
	okValue lua.LValue = lua.LString("OK")
)
