package script

import (
	"strings"
	"testing"
)

// The replies below were recorded from redis-server 7.0.15 (Debian
// build): Lua 5.1's luaG_typeerror names the variable a failed call read
// the called value from (ldebug.c getobjname).
func TestCallErrorNamesVariable(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	for _, c := range []struct{ script, want string }{
		{"return redis.nosuch()", "-ERR user_script:1: attempt to call field 'nosuch' (a nil value) script: 064c0d38ec6d45fb37cd950fd37e609359986738, on @user_script:1.\r\n"},
		{"local t = {} t.x()", "-ERR user_script:1: attempt to call field 'x' (a nil value) script: c302249cfde29a240b7af46fbd7cd209e7dadd29, on @user_script:1.\r\n"},
		{"local f = 5; f()", "-ERR user_script:1: attempt to call local 'f' (a number value) script: 4af4b43f728b2e078dfcac7780c3fa2ef40d2f99, on @user_script:1.\r\n"},
		{"local t = {} t:m(1)", "-ERR user_script:1: attempt to call method 'm' (a nil value) script: d86ca364b4a3d20564555a2a1ec87c3a8a5663de, on @user_script:1.\r\n"},
		{"local u; local function g() u() end g()", "-ERR user_script:1: attempt to call upvalue 'u' (a nil value) script: af4d955bedd53e894c67ee7ba6df291c1f680bed, on @user_script:1.\r\n"},
		{"return (nil)()", "-ERR user_script:1: attempt to call a nil value script: 9a580917c1ccb482759b1037669ca8296e267644, on @user_script:1.\r\n"},
		{"local t = {} return t[1]()", "-ERR user_script:1: attempt to call field '?' (a nil value) script: fb6f310697e3b4e786a5e05d0ae3930a47bf4578, on @user_script:1.\r\n"},
		// Specialized code loads _VERSION as a constant; the name comes
		// from the code it was made from.
		{"return _VERSION()", "-ERR user_script:1: attempt to call global '_VERSION' (a string value) script: 38be03b54eb2be234a3a80b740d12876ae9a9908, on @user_script:1.\r\n"},
		{"local x = redis.nosuch\nreturn x()", "-ERR user_script:2: attempt to call local 'x' (a nil value) script: 473b145b30de579b44b01ac9b1c77d7078108a9a, on @user_script:2.\r\n"},
	} {
		if got := evalReply(e, 2, c.script, nil, nil); got != c.want {
			t.Errorf("EVAL %q\n%s", c.script, diff(got, c.want))
		}
	}
}

// A running function sees the redis API without register_function
// (function_lua.c registers it only in the loading API), so calling it
// fails as calling any nil field does. Reply recorded from redis-server
// 7.0.15; tests/unit/functions.tcl "LIBRARIES - register function inside
// a function".
func TestRegisterFunctionInsideFunction(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	code := "#!lua name=lib\nredis.register_function('f1', function(keys, args)\n" +
		"  redis.register_function('f2', function(key, args) return 2 end)\n  return 1\nend)"
	if _, err := e.LoadLibrary([]byte(code), false, LoadTimeout); err != nil {
		t.Fatal(err)
	}
	want := "-ERR user_function:3: attempt to call field 'register_function' (a nil value) script: f1, on @user_function:3.\r\n"
	if got := fcallReply(e, []string{"f1", "0"}); got != want {
		t.Errorf("FCALL f1\n%s", diff(got, want))
	}
	if e.Function([]byte("f2")) != nil {
		t.Error("f2 was registered by a running function")
	}
	// The runtime API has no register_function at all.
	code2 := "#!lua name=lib2\nredis.register_function('f3', function() return type(redis.register_function) end)"
	if _, err := e.LoadLibrary([]byte(code2), false, LoadTimeout); err != nil {
		t.Fatal(err)
	}
	if got := fcallReply(e, []string{"f3", "0"}); !strings.Contains(got, "nil") {
		t.Errorf("type(redis.register_function) in a function = %q, want nil", got)
	}
}
