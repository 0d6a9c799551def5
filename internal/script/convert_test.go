package script

import (
	"runtime"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// luaDump is Lua code that renders a value deterministically (sorted
// keys), to look at what a reply became.
const luaDump = `
local function dump(v)
  local t = type(v)
  if t == 'table' then
    local keys = {}
    for k in pairs(v) do keys[#keys+1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts+1] = dump(k) .. '=' .. dump(v[k]) end
    return '{' .. table.concat(parts, ',') .. '}'
  elseif t == 'string' then
    return string.format('%q', v)
  end
  return tostring(v)
end
`

func TestRESPToLua(t *testing.T) {
	// script_lua.c redisProtocolToLuaType_*: how each reply type reaches
	// the script (through redis.pcall, so errors are values).
	e := New(Config{Host: newTestHost()})
	for _, c := range []struct{ reply, want string }{
		{"+OK\r\n", `{"ok"="OK"}`},
		{"+\r\n", `{"ok"=""}`},
		{"-ERR boom\r\n", `{"err"="ERR boom","ignore_error_stats_update"=true}`},
		{"-WRONGTYPE Operation\r\n", `{"err"="WRONGTYPE Operation","ignore_error_stats_update"=true}`},
		{"-nocode\r\n", `{"err"="ERR nocode","ignore_error_stats_update"=true}`},
		{":-5\r\n", "-5"},
		{":9007199254740993\r\n", "9.007199254741e+15"},
		{"$0\r\n\r\n", `""`},
		{"$3\r\na\x00b\r\n", `"a\000b"`},
		{"$-1\r\n", "false"},
		{"*-1\r\n", "false"},
		{"*0\r\n", "{}"},
		{"*3\r\n:1\r\n_\r\n:3\r\n", "{1=1,3=3}"},
		{"*2\r\n*1\r\n$1\r\nx\r\n+OK\r\n", `{1={1="x"},2={"ok"="OK"}}`},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n", `{"map"={"a"=1}}`},
		{"%1\r\n$1\r\nk\r\n~1\r\n:7\r\n", `{"map"={"k"={"set"={7=true}}}}`},
		{"%0\r\n", `{"map"={}}`},
		{"~2\r\n$1\r\na\r\n$1\r\nb\r\n", `{"set"={"a"=true,"b"=true}}`},
		{"#t\r\n", "true"},
		{"#f\r\n", "false"},
		{"_\r\n", "nil"},
		{",1.5\r\n", `{"double"=1.5}`},
		{",inf\r\n", `{"double"=inf}`},
		{",-inf\r\n", `{"double"=-inf}`},
		{",1e300\r\n", `{"double"=1e+300}`},
		{"(12345678901234567890\r\n", `{"big_number"="12345678901234567890"}`},
		{"=8\r\ntxt:abcd\r\n", `{"verbatim_string"={"format"="txt","string"="abcd"}}`},
		// Attributes are skipped (redisProtocolToLuaType_Attribute).
		{"|1\r\n+key\r\n*1\r\n:1\r\n:5\r\n", "5"},
		{"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", "{1=1,2=2}"},
		{">2\r\n$1\r\na\r\n$1\r\nb\r\n", `{1="a",2="b"}`},
	} {
		s := mustLoad(t, e, luaDump+"return dump(redis.pcall('raw', ARGV[1]))")
		got := eval(e, &Run{}, s, nil, []string{c.reply})
		want := "$" + itoa(len(c.want)) + "\r\n" + c.want + "\r\n"
		if got != want {
			t.Errorf("reply %q\n got %q\nwant %q", c.reply, got, want)
		}
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestRedisCallRaisesErrors(t *testing.T) {
	// redis.call raises the error table; the error reply keeps the code.
	e := New(Config{Host: newTestHost()})
	s := mustLoad(t, e, "return redis.call('raw', ARGV[1])")
	got := eval(e, &Run{}, s, nil, []string{"-WRONGTYPE Operation against a key\r\n"})
	want := "-WRONGTYPE Operation against a key script: " + s.SHA + ", on @user_script:1.\r\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// A table's err field must be a string to count as an error reply.
	s = mustLoad(t, e, "return {err=1, 2}")
	if got := eval(e, &Run{}, s, nil, nil); got != "*1\r\n:2\r\n" {
		t.Fatalf("numeric err field: %q", got)
	}
}

func TestLuaToRESP(t *testing.T) {
	// luaReplyToRedisReply in both protocols of the caller, with the
	// script's protocol (redis.setresp) deciding only booleans.
	if runtime.GOARCH != "amd64" {
		t.Skip("NaN signs are those of x86-64")
	}
	e := New(Config{Host: newTestHost()})
	for _, c := range []struct {
		src        string
		resp2, rp3 string
	}{
		{"return 2^63", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"return -2^63", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"return 2^62", ":4611686018427387904\r\n", ":4611686018427387904\r\n"},
		{"return -0.9", ":0\r\n", ":0\r\n"},
		{"return {true, false}", "*2\r\n:1\r\n$-1\r\n", "*2\r\n:1\r\n_\r\n"},
		{"redis.setresp(3) return {true, false}", "*2\r\n:1\r\n:0\r\n", "*2\r\n#t\r\n#f\r\n"},
		{"return {double=0.1}", "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		// 0/0 is a negative NaN on x86-64, spelled "-nan" by Redis.
		{"return {double=0/0}", "$4\r\n-nan\r\n", ",-nan\r\n"},
		{"return {double=-(0/0)}", "$3\r\nnan\r\n", ",nan\r\n"},
		{"return {map={k={1}}}", "*2\r\n$1\r\nk\r\n*1\r\n:1\r\n", "%1\r\n$1\r\nk\r\n*1\r\n:1\r\n"},
		{"return {set={[5]=true}}", "*1\r\n:5\r\n", "~1\r\n:5\r\n"},
		{"return {big_number='1'}", "$1\r\n1\r\n", "(1\r\n"},
		{"return {verbatim_string={format='txtx', string='a'}}", "$1\r\na\r\n", "=5\r\ntxt:a\r\n"},
		{"return {ok='a\\rb'}", "+a b\r\n", "+a b\r\n"},
		{"return cjson.null", "$-1\r\n", "_\r\n"},
	} {
		s := mustLoad(t, e, c.src)
		for proto, want := range map[int]string{2: c.resp2, 3: c.rp3} {
			w := &resp.Writer{Proto: proto}
			e.Eval(&Run{}, s, nil, nil, w)
			if string(w.Buf) != want {
				t.Errorf("RESP%d %q: got %q, want %q", proto, c.src, w.Buf, want)
			}
		}
	}
}
