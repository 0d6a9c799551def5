package script

import (
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// countOps counts the instructions with opcode op in p and its nested functions.
func countOps(p *lua.FunctionProto, op int) int {
	n := 0
	for _, inst := range p.Code {
		if instOp(inst) == op {
			n++
		}
	}
	for _, c := range p.FunctionPrototypes {
		n += countOps(c, op)
	}
	return n
}

func TestSpecializeRewrites(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	v := newVM(e, modeEval)
	defer v.close()
	s := mustLoad(t, e, "local function f() return redis.call('GET', KEYS[1]) end for i=1,10 do redis.call('SET',KEYS[1],ARGV[1]) end return f()")
	if s.setsGlobals {
		t.Fatal("setsGlobals for a script that assigns none")
	}
	q := v.specialize(s.proto)
	if q == s.proto {
		t.Fatal("nothing rewritten")
	}
	// Main chunk: redis, redis.call, KEYS, ARGV; f: redis, redis.call, KEYS.
	// (Replies checked against redis-server 7.0.15.)
	if g := countOps(q, lua.OP_GETGLOBAL); g != 0 {
		t.Fatalf("%d GETGLOBAL left", g)
	}
	if got, want := countOps(q, lua.OP_LOADK)-countOps(s.proto, lua.OP_LOADK), 7; got != want {
		t.Fatalf("%d loads added, want %d", got, want)
	}
	// The shared proto is untouched.
	if countOps(s.proto, lua.OP_GETGLOBAL) != 5 {
		t.Fatal("the cached script's code was changed")
	}
	for _, body := range []string{"x = 1 return 1", "local function f() y = 2 end return 1", "function g() end return 1"} {
		if !mustLoad(t, e, body).setsGlobals {
			t.Fatalf("%q: assignment to a global not seen", body)
		}
	}
}

// The rewritten code must behave as the original: these run on a
// specialized closure; the replies are redis-server 7.0.15's.
func TestSpecializeSemantics(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	r := &Run{}
	for _, c := range []struct{ body, want string }{
		{"return redis.call('SET', KEYS[1], ARGV[1])", "+OK\r\n"},
		{"return type(redis.call)", "$8\r\nfunction\r\n"},
		// A jump lands on the field read: the register holds another table.
		{"local c = ARGV[1] == 'x' local t = (c and {call = 'other'} or redis).call return type(t)", "$8\r\nfunction\r\n"},
		{"local c = ARGV[1] == 'v' local t = (c and {call = 'other'} or redis).call return type(t)", "$6\r\nstring\r\n"},
		{"local t = (ARGV[1] == 'v' and string or redis).format return type(t)", "$8\r\nfunction\r\n"},
		{"return redis.nonexistent == nil", ":1\r\n"},
		{"return _G.redis == redis and _G.KEYS == KEYS", ":1\r\n"},
		{"return string.format('%s-%s', KEYS[1], ARGV[1])", "$3\r\nk-v\r\n"},
		{"local ok, err = pcall(function() return nosuch end) return err", "$78\r\nuser_script:1: Script attempted to access nonexistent global variable 'nosuch'\r\n"},
		{"local ok, err = pcall(function() redis.call = 1 end) return err", "$49\r\nuser_script:1: Attempt to modify a readonly table\r\n"},
	} {
		s := mustLoad(t, e, c.body)
		for i := 0; i < 2; i++ { // the second run reuses the closure
			if got := eval(e, r, s, []string{"k"}, []string{"v"}); got != c.want {
				t.Errorf("%q run %d: %q, want %q", c.body, i, got, c.want)
			}
		}
	}
}

// KEYS and ARGV keep one table per state; a run that spoils it gets the
// next run a fresh one, and a run never sees the elements of the last.
func TestArgTablesReused(t *testing.T) {
	e := New(Config{Host: newTestHost(), MaxIdle: 1})
	r := &Run{}
	count := mustLoad(t, e, "return {#KEYS, #ARGV, KEYS[2] == nil, next(ARGV, #ARGV) == nil}")
	// (KEYS[2] == nil is false: a null in RESP2.)
	if got := eval(e, r, count, []string{"a", "b", "c"}, []string{"x"}); got != "*4\r\n:3\r\n:1\r\n$-1\r\n:1\r\n" {
		t.Fatalf("first run: %q", got)
	}
	if got := eval(e, r, count, []string{"a"}, nil); got != "*4\r\n:1\r\n:0\r\n:1\r\n:1\r\n" {
		t.Fatalf("after a longer run: %q", got)
	}
	spoil := mustLoad(t, e, "KEYS.extra = 1 setmetatable(ARGV, {}) table.insert(KEYS, 'z') return #KEYS")
	if got := eval(e, r, spoil, []string{"a"}, []string{"x"}); got != ":2\r\n" {
		t.Fatalf("spoil: %q", got)
	}
	check := mustLoad(t, e, "return {#KEYS, KEYS.extra == nil, getmetatable(ARGV) == nil, #ARGV}")
	if got := eval(e, r, check, []string{"k"}, []string{"v", "w"}); got != "*4\r\n:1\r\n:1\r\n:1\r\n:2\r\n" {
		t.Fatalf("after a spoiled run: %q", got)
	}
	// Arguments repeated from the last run reuse its Lua strings; the
	// values stay those of each run.
	pair := mustLoad(t, e, "return {ARGV[1], ARGV[2], KEYS[1]}")
	for _, args := range [][]string{{"a", "b"}, {"a", "c"}, {"d", "c"}, {"d", strings.Repeat("x", 100)}, {"d", strings.Repeat("x", 100)}} {
		want := "*3\r\n$" + strconv.Itoa(len(args[0])) + "\r\n" + args[0] + "\r\n$" + strconv.Itoa(len(args[1])) + "\r\n" + args[1] + "\r\n$1\r\nk\r\n"
		if got := eval(e, r, pair, []string{"k"}, args); got != want {
			t.Fatalf("ARGV %q: %q, want %q", args, got, want)
		}
	}
	// A specialized closure made before the tables were replaced does not
	// keep the old ones.
	keys := mustLoad(t, e, "return KEYS")
	if got := eval(e, r, keys, []string{"p"}, nil); got != "*1\r\n$1\r\np\r\n" {
		t.Fatalf("KEYS: %q", got)
	}
	eval(e, r, spoil, []string{"a"}, []string{"x"})
	if got := eval(e, r, keys, []string{"q", "r"}, nil); got != "*2\r\n$1\r\nq\r\n$1\r\nr\r\n" {
		t.Fatalf("KEYS after replacement: %q", got)
	}
}

// hasConst reports whether the code of p (or of a nested function) has
// val among its constants.
func hasConst(p *lua.FunctionProto, val lua.LValue) bool {
	for _, k := range p.Constants {
		if k == val {
			return true
		}
	}
	for _, c := range p.FunctionPrototypes {
		if hasConst(c, val) {
			return true
		}
	}
	return false
}

func TestSpecializeCallStatement(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	v := newVM(e, modeEval)
	defer v.close()
	for _, c := range []struct {
		body      string
		call, stm bool // redis.call (or pcall) loaded as itself / as the statement variant
	}{
		{"redis.call('SET', KEYS[1], ARGV[1])", false, true},
		{"redis.pcall('SET', KEYS[1], tostring(#ARGV + 1) .. 'x')", false, true},
		{"local r = redis.call('SET', KEYS[1], ARGV[1]) return r", true, false},
		{"return redis.call('GET', KEYS[1])", true, false},
		{"redis.call('SET', KEYS[1], ARGV[1] == 'v' and 'a' or 'b')", true, false}, // a jump in the arguments
		{"if redis.call('GET', KEYS[1]) then end", true, false},
	} {
		q := v.specialize(mustLoad(t, e, c.body).proto)
		call := hasConst(q, v.callFn) || hasConst(q, v.pcallFn)
		stm := hasConst(q, v.callStmt) || hasConst(q, v.pcallStmt)
		if call != c.call || stm != c.stm {
			t.Errorf("%q: call %v statement %v, want %v %v", c.body, call, stm, c.call, c.stm)
		}
	}
	// The statement variants still raise (call) or swallow (pcall) errors.
	h := newTestHost()
	e = New(Config{Host: h})
	r := &Run{}
	for _, c := range []struct{ body, want string }{
		{"redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])", "$1\r\nv\r\n"},
		{"redis.call('nosuch') return 1", "-ERR Unknown Redis command called from script script: " + SHA1Hex([]byte("redis.call('nosuch') return 1")) + ", on @user_script:1.\r\n"},
		{"redis.pcall('nosuch') return 2", ":2\r\n"},
		{"local ok = pcall(function() redis.call('nosuch') end) return ok", "$-1\r\n"},
	} {
		if got := eval(e, r, mustLoad(t, e, c.body), []string{"k"}, []string{"v"}); got != c.want {
			t.Errorf("%q: %q, want %q", c.body, got, c.want)
		}
	}
}
