package script

import (
	"strings"
	"testing"
)

// The decoders scripts can feed arbitrary bytes to must fail with Lua
// errors, never with a Go panic (which PCall would turn into a
// "runtime error" message).

func fuzzEval(t *testing.T, e *Engine, s *Script, args ...string) {
	got := eval(e, &Run{}, s, nil, args)
	if strings.Contains(got, "runtime error") || strings.Contains(got, "BUG") {
		t.Fatalf("args %q: %q", args, got)
	}
}

func FuzzCjsonDecode(f *testing.F) {
	for _, s := range []string{`[1,2,{"a":null}]`, `"\ud83d\ude00"`, `{"a":`, "0x1p3", "-Infinity", `"\u12`, "[" + strings.Repeat("[", 20)} {
		f.Add(s)
	}
	e := New(Config{Host: newTestHost()})
	s, err := e.Load([]byte("local ok, r = pcall(cjson.decode, ARGV[1]) if not ok then return r end local ok2, j = pcall(cjson.encode, r) return j"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) { fuzzEval(t, e, s, data) })
}

func FuzzCmsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x93\x01\x02\x03", "\xdb\x00\x00\x00\x05ab", "\xdf\xff\xff\xff\xff", "\xc1", "\x81\xc0\xc0"} {
		f.Add(s)
	}
	e := New(Config{Host: newTestHost()})
	s, err := e.Load([]byte("local ok, r = pcall(function() return {cmsgpack.unpack(ARGV[1])} end) if ok then return cmsgpack.pack(unpack(r)) end return r"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) { fuzzEval(t, e, s, data) })
}

func FuzzStruct(f *testing.F) {
	for _, s := range [][2]string{{">I2", "ab"}, {"!4 b i", "12345678"}, {"c0", "abc"}, {"i16", "x"}, {"s", "ab\x00"}, {"b c0", "\x03abc"}} {
		f.Add(s[0], s[1])
	}
	e := New(Config{Host: newTestHost()})
	s, err := e.Load([]byte("local ok, r = pcall(function() return {struct.unpack(ARGV[1], ARGV[2])} end) if ok then pcall(struct.pack, ARGV[1], unpack(r)) pcall(struct.size, ARGV[1]) return #r end return r"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, format, data string) { fuzzEval(t, e, s, format, data) })
}

// FuzzCompile checks the Lua 5.1 syntax checker and the compiler never
// panic, and that what the checker accepts gopher-lua compiles.
func FuzzCompile(f *testing.F) {
	for _, c := range loadGolden {
		f.Add(c.script)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if checkSyntax(src, "user_script") != "" {
			return
		}
		if _, msg := compile(src, "@user_script"); msg != "" {
			t.Logf("accepted by the Lua 5.1 checker, refused by gopher-lua: %q: %s", src, msg)
		}
	})
}
