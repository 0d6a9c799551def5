package script

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

func mustLoad(t *testing.T, e *Engine, body string) *Script {
	t.Helper()
	s, err := e.Load([]byte(body))
	if err != nil {
		t.Fatalf("Load(%q): %v", body, err)
	}
	return s
}

func eval(e *Engine, r *Run, s *Script, keys, args []string) string {
	w := resp.NewWriter()
	e.Eval(r, s, bytesOf(keys), bytesOf(args), w)
	return string(w.Buf)
}

func TestScriptCache(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	s := mustLoad(t, e, "return 1")
	// SHA1 of the body names the script (eval.c sha1hex).
	if s.SHA != "e0e1f9fabfc9d4800c877a703b823ac0578ff8db" || s.SHA != SHA1Hex([]byte("return 1")) {
		t.Fatalf("SHA = %s", s.SHA)
	}
	if again := mustLoad(t, e, "return 1"); again != s {
		t.Fatal("loading the same body twice compiled it twice")
	}
	// EVALSHA and SCRIPT EXISTS compare SHAs without case.
	if e.Lookup([]byte(strings.ToUpper(s.SHA))) != s || !e.Exists([]byte(strings.ToUpper(s.SHA))) {
		t.Fatal("uppercase SHA not found")
	}
	if e.Lookup([]byte("e0e1")) != nil || e.Exists([]byte("nope")) {
		t.Fatal("short SHA found")
	}
	if e.NumScripts() != 1 || e.ScriptsMemory() <= 0 {
		t.Fatalf("NumScripts %d, ScriptsMemory %d", e.NumScripts(), e.ScriptsMemory())
	}
	if f, ok := e.ScriptFlags([]byte(s.SHA), true); !ok || f != FlagEvalCompat {
		t.Fatalf("ScriptFlags(sha) = %v %v", f, ok)
	}
	if f, ok := e.ScriptFlags([]byte("#!lua flags=no-writes\nreturn 1"), false); !ok || f != FlagNoWrites {
		t.Fatalf("ScriptFlags(body) = %v %v", f, ok)
	}
	if _, ok := e.ScriptFlags([]byte("#!bad\n"), false); ok {
		t.Fatal("ScriptFlags of a bad shebang")
	}
	e.Flush()
	if e.Lookup([]byte(s.SHA)) != nil || e.NumScripts() != 0 || e.ScriptsMemory() != 0 {
		t.Fatal("Flush kept the script")
	}
	// A compile error is not cached.
	if _, err := e.Load([]byte("return +")); err == nil || e.NumScripts() != 0 {
		t.Fatalf("Load of bad script: %v, %d cached", err, e.NumScripts())
	}
}

func TestParseShebang(t *testing.T) {
	// eval.c evalExtractShebangFlags.
	for _, c := range []struct {
		body  string
		flags Flags
		skip  int
		err   string
	}{
		{"return 1", FlagEvalCompat, 0, ""},
		{"#!lua\nreturn 1", 0, 5, ""},
		{"#!lua flags=no-writes,allow-oom\n", FlagNoWrites | FlagAllowOOM, 31, ""},
		{"#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\n", FlagAllowStale | FlagNoCluster | FlagAllowCrossSlot, 56, ""},
		{"#!lua flags=\n", 0, 12, ""},
		{"#!lua flags=NO-WRITES\n", 0, 0, "ERR Unexpected flag in script shebang: NO-WRITES"},
		{"#!lua flags=no-writes,,\n", 0, 0, "ERR Unexpected flag in script shebang: "},
		{"#!lua name=x\n", 0, 0, "ERR Unknown lua shebang option: name=x"},
		{"#!python\n", 0, 0, "ERR Unexpected engine in script shebang: #!python"},
		{"#!lua", 0, 0, "ERR Invalid script shebang"},
		{"#!\"lua\n", 0, 0, "ERR Invalid engine in script shebang"},
		{"#!  \n", 0, 0, "ERR Unexpected engine in script shebang: #!"},
	} {
		flags, skip, err := ParseShebang([]byte(c.body))
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseShebang(%q) err = %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil || flags != c.flags || skip != c.skip {
			t.Errorf("ParseShebang(%q) = %v, %d, %v; want %v, %d", c.body, flags, skip, err, c.flags, c.skip)
		}
	}
}

func TestFlagsNamesAndCommandFlags(t *testing.T) {
	f := FlagAllowCrossSlot | FlagNoWrites | FlagAllowStale
	if got := strings.Join(f.AppendNames(nil), ","); got != "no-writes,allow-stale,allow-cross-slot-keys" {
		t.Fatalf("AppendNames = %s", got)
	}
	// script.c scriptFlagsToCmdFlags.
	eval := CommandFlags{Write: true, DenyOOM: true, MayReplicate: true}
	if got := FlagEvalCompat.ApplyTo(eval); got != eval {
		t.Fatalf("compat script changed flags: %+v", got)
	}
	if got := Flags(0).ApplyTo(eval); got != (CommandFlags{Write: true, DenyOOM: true}) {
		t.Fatalf("no flags: %+v", got)
	}
	if got := (FlagNoWrites | FlagAllowStale).ApplyTo(eval); got != (CommandFlags{Stale: true}) {
		t.Fatalf("no-writes,allow-stale: %+v", got)
	}
	if got := FlagAllowOOM.ApplyTo(eval); got != (CommandFlags{Write: true}) {
		t.Fatalf("allow-oom: %+v", got)
	}
}

func TestPrepareError(t *testing.T) {
	// script.c scriptPrepareForRun, in its order of checks.
	for _, c := range []struct {
		flags Flags
		ro    bool
		st    ServerState
		want  string
	}{
		{FlagEvalCompat, true, ServerState{ReadOnlyReplica: true, OOM: true}, ""},
		{FlagEvalCompat, false, ServerState{Stale: true}, ErrStale},
		{0, false, ServerState{}, ""},
		{FlagNoCluster, false, ServerState{Cluster: true, Stale: true}, ErrNoCluster},
		{0, false, ServerState{Stale: true}, ErrStaleNoFlag},
		{FlagAllowStale, false, ServerState{Stale: true}, ""},
		{0, false, ServerState{ReadOnlyReplica: true}, ErrReadOnlyReplica},
		{FlagNoWrites, false, ServerState{ReadOnlyReplica: true}, ""},
		{0, false, ServerState{DiskErrorRDB: true}, ErrMisconfRDB},
		{0, false, ServerState{DiskErrorAOF: "No space left on device"}, ErrMisconfAOF("No space left on device")},
		{0, true, ServerState{}, ErrWriteFlagWithRO},
		{FlagNoWrites, true, ServerState{}, ""},
		{0, false, ServerState{NoGoodReplicas: true}, ErrNoGoodReplicas},
		{0, false, ServerState{OOM: true}, ErrOOMNoAllowFlag},
		{FlagAllowOOM, false, ServerState{OOM: true}, ""},
		{FlagNoWrites, false, ServerState{OOM: true}, ""},
	} {
		if got := PrepareError(c.flags, c.ro, c.st); got != c.want {
			t.Errorf("PrepareError(%v, %v, %+v) = %q, want %q", c.flags, c.ro, c.st, got, c.want)
		}
	}
}

func TestRunFlagsAndState(t *testing.T) {
	h := newTestHost()
	e := New(Config{Host: h})
	r := &Run{}
	s := mustLoad(t, e, "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')")
	if got := eval(e, r, s, nil, nil); !strings.HasPrefix(got, "-"+ErrCallWriteReadOnly+" script: ") {
		t.Fatalf("write in no-writes script: %q", got)
	}
	if r.Flags != RunEvalMode|RunReadOnly || r.Name != s.SHA {
		t.Fatalf("run flags %b name %s", r.Flags, r.Name)
	}
	// EVAL_RO of a script without shebang is read-only too.
	r = &Run{ReadOnly: true}
	s = mustLoad(t, e, "return redis.call('set', 'k', 'v')")
	if got := eval(e, r, s, nil, nil); !strings.HasPrefix(got, "-"+ErrCallWriteReadOnly) {
		t.Fatalf("write under EVAL_RO: %q", got)
	}
	if r.Flags != RunEvalMode|RunReadOnly|RunAllowCrossSlot {
		t.Fatalf("run flags %b", r.Flags)
	}
	r = &Run{}
	s = mustLoad(t, e, "#!lua flags=allow-oom\nredis.setresp(3) redis.set_repl(redis.REPL_AOF) return 1")
	eval(e, r, s, nil, nil)
	if r.Resp() != 3 || r.Repl() != ReplAOF || r.Flags != RunEvalMode|RunAllowOOM {
		t.Fatalf("resp %d repl %d flags %b", r.Resp(), r.Repl(), r.Flags)
	}
	// The next run starts from RESP2 and REPL_ALL again.
	s = mustLoad(t, e, "return 2")
	eval(e, r, s, nil, nil)
	if r.Resp() != 2 || r.Repl() != ReplAll {
		t.Fatalf("resp %d repl %d after reuse", r.Resp(), r.Repl())
	}
}

func TestKeysArgvDoNotLeak(t *testing.T) {
	e := New(Config{Host: newTestHost(), MaxIdle: 1})
	s := mustLoad(t, e, "return {#KEYS, #ARGV, KEYS[1], ARGV[1]}")
	if got := eval(e, &Run{}, s, []string{"k"}, []string{"a"}); got != "*4\r\n:1\r\n:1\r\n$1\r\nk\r\n$1\r\na\r\n" {
		t.Fatalf("got %q", got)
	}
	if got := eval(e, &Run{}, s, nil, nil); got != "*2\r\n:0\r\n:0\r\n" {
		t.Fatalf("KEYS/ARGV leaked into the next run: %q", got)
	}
}

func TestSandboxHoldsAcrossRuns(t *testing.T) {
	// Every attempt to change what later scripts see fails, so pooled
	// states are interchangeable (Redis makes the globals read-only).
	e := New(Config{Host: newTestHost(), MaxIdle: 1})
	for _, src := range []string{
		"redis.call = function() return 'evil' end",
		"rawset(redis, 'call', 1)",
		"setmetatable(_G, {})",
		"getmetatable(_G).__index = function() return 1 end",
		"getmetatable('').__index = {}",
		"getmetatable('').__index.upper = nil",
		"string.upper = nil",
		"table.insert(math, 1)",
		"loadstring('x = 1')()",
		"local f = load(function() return nil end) f()",
		"coroutine.wrap(function() y = 1 end)()",
		"_G._G.z = 1",
	} {
		s := mustLoad(t, e, src)
		eval(e, &Run{}, s, nil, nil)
	}
	s := mustLoad(t, e, "return {redis.call('ping'), string.upper('a'), type(rawget(_G, 'x')), type(rawget(_G, 'y')), type(rawget(_G, 'z')), #math}")
	if got := eval(e, &Run{}, s, nil, nil); got != "*6\r\n+PONG\r\n$1\r\nA\r\n$3\r\nnil\r\n$3\r\nnil\r\n$3\r\nnil\r\n:0\r\n" {
		t.Fatalf("sandbox changed: %q", got)
	}
}

func TestErrorReplies(t *testing.T) {
	h := newTestHost()
	e := New(Config{Host: h})
	h.data["str"] = "hello"
	for _, c := range []struct {
		src  string
		errs []string
	}{
		// The command already counted its error (script_lua.c
		// ignore_error_stats_update).
		{"return redis.pcall('incr', 'str')", []string{"counted:ERR value is not an integer or out of range"}},
		{"return redis.call('incr', 'str')", []string{"counted:ERR value is not an integer or out of range script: 7a5e6b6b5e52bfb1a5bb26c5e1e85b9f1d8bb4ee, on @user_script:1."}},
		{"return {err='x'}", []string{"x"}},
		{"return {1, {err='a'}, redis.error_reply('b')}", []string{"a", "ERR b"}},
		{"error('boom')", []string{"ERR user_script:1: boom script: bc8e0cc4bd1a6fd5f05e8e9b80ec2b7d78c4e1f3, on @user_script:1."}},
		{"return 1", nil},
	} {
		h.errs = nil
		s := mustLoad(t, e, c.src)
		eval(e, &Run{}, s, nil, nil)
		// The SHA in the texts depends on the body; compare the rest.
		if len(h.errs) != len(c.errs) {
			t.Errorf("%q: errors %q, want %q", c.src, h.errs, c.errs)
			continue
		}
		for i := range c.errs {
			want := strings.Replace(c.errs[i], "7a5e6b6b5e52bfb1a5bb26c5e1e85b9f1d8bb4ee", s.SHA, 1)
			want = strings.Replace(want, "bc8e0cc4bd1a6fd5f05e8e9b80ec2b7d78c4e1f3", s.SHA, 1)
			if h.errs[i] != want {
				t.Errorf("%q: error %q, want %q", c.src, h.errs[i], want)
			}
		}
	}
}

func TestRedisLog(t *testing.T) {
	h := newTestHost()
	e := New(Config{Host: h})
	s := mustLoad(t, e, "redis.log(redis.LOG_WARNING, 'hello', 12, {}, 'x') redis.log(redis.LOG_DEBUG, 'dbg')")
	eval(e, &Run{}, s, nil, nil)
	// luaLogCommand joins the string arguments with spaces, skipping
	// others.
	if strings.Join(h.logs, "|") != "3 hello 12 x|0 dbg" {
		t.Fatalf("logs %q", h.logs)
	}
}

func TestKill(t *testing.T) {
	h := newTestHost()
	e := New(Config{Host: h, MaxIdle: 1})
	started := make(chan *Run, 1)
	h.onCall = func(r *Run) { started <- r }
	for _, src := range []string{
		"redis.call('ping') while true do end",
		"redis.call('ping') local x = 0\nwhile true do x = x + 1 end",
		// pcall cannot swallow the kill (Redis re-arms its hook).
		"redis.call('ping') while true do pcall(function() while true do end end) end",
		"redis.call('ping') local co = coroutine.wrap(function() while true do end end) co()",
	} {
		s := mustLoad(t, e, src)
		r := &Run{}
		done := make(chan string)
		go func() { done <- eval(e, r, s, nil, nil) }()
		<-started
		time.Sleep(10 * time.Millisecond)
		r.Kill()
		var got string
		select {
		case got = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: not killed", src)
		}
		// Verified against redis-server: SCRIPT KILL during a busy script.
		line := "1"
		if strings.Contains(src, "\n") {
			line = "2"
		}
		want := "-ERR Script killed by user with SCRIPT KILL... script: " + s.SHA + ", on @user_script:" + line + ".\r\n"
		if got != want || !r.Killed() {
			t.Errorf("%q:\n got %q\nwant %q", src, got, want)
		}
	}
	h.onCall = nil
	// The killed state is usable again.
	s := mustLoad(t, e, "local n = 0 for i = 1, 1000 do n = n + i end return n")
	if got := eval(e, &Run{}, s, nil, nil); got != ":500500\r\n" {
		t.Fatalf("after kill: %q", got)
	}
	// A run killed before it starts fails at once.
	r := &Run{}
	r.Kill()
	if got := eval(e, r, s, nil, nil); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Fatalf("pre-killed run: %q", got)
	}
}

func TestConcurrentEval(t *testing.T) {
	e := New(Config{Host: newTestHost(), MaxIdle: 4})
	s := mustLoad(t, e, "local t = cjson.decode(ARGV[1]) return {KEYS[1], t.n * 2, redis.call('ping')}")
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				k := "k" + strconv.Itoa(g*1000+i)
				got := eval(e, &Run{}, s, []string{k}, []string{`{"n":` + strconv.Itoa(i) + `}`})
				want := "*3\r\n$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n:" + strconv.Itoa(2*i) + "\r\n+PONG\r\n"
				if got != want {
					errs <- got
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent run got %q", got)
	}
}

func TestLibraries(t *testing.T) {
	e := New(Config{Host: newTestHost()})
	lib, err := e.LoadLibrary([]byte("#!lua name=mylib\n"+
		"redis.register_function{function_name='Ro', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}, description='read'}\n"+
		"redis.register_function('rw', function(keys, args) return redis.call('set', keys[1], args[1]) end)"), false, LoadTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if lib.Name != "mylib" || lib.Engine != "LUA" || len(lib.Functions) != 2 {
		t.Fatalf("library %+v", lib)
	}
	ro := lib.Functions[0]
	if ro.Name != "Ro" || ro.Desc != "read" || !ro.HasDesc || ro.Flags != FlagNoWrites|FlagAllowStale || ro.Library != lib {
		t.Fatalf("function %+v", ro)
	}
	// Function names are case-insensitive (functionDictType).
	if e.Function([]byte("RO")) != ro || e.Function([]byte("nope")) != nil {
		t.Fatal("Function lookup")
	}
	if got := fcallReply(e, []string{"rw", "1", "k", "v"}); got != "+OK\r\n" {
		t.Fatalf("FCALL rw: %q", got)
	}
	// A no-writes function runs read-only.
	w := resp.NewWriter()
	r := &Run{}
	e.FCall(r, e.Function([]byte("rw")), bytesOf([]string{"k"}), bytesOf([]string{"v"}), w)
	if r.Flags != 0 || r.Name != "rw" {
		t.Fatalf("rw run flags %b name %q", r.Flags, r.Name)
	}
	if n, f := e.LibraryStats(); n != 1 || f != 2 {
		t.Fatalf("stats %d %d", n, f)
	}
	// Another library may not take a function name in use, in any case.
	if _, err := e.LoadLibrary([]byte("#!lua name=other\nredis.register_function('RW', function() end)"), false, 0); err == nil || err.Error() != "ERR Function RW already exists" {
		t.Fatalf("collision: %v", err)
	}
	// FUNCTION RESTORE: build a set and join it.
	tmp := NewLibraries()
	if _, err := e.LoadLibraryInto(tmp, []byte("#!lua name=mylib\nredis.register_function('new', function() return 2 end)"), false, 0); err != nil {
		t.Fatal(err)
	}
	if err := e.JoinLibraries(tmp, false); err == nil || err.Error() != "ERR Library mylib already exists" {
		t.Fatalf("join without replace: %v", err)
	}
	if err := e.JoinLibraries(tmp, true); err != nil {
		t.Fatalf("join with replace: %v", err)
	}
	if e.Function([]byte("rw")) != nil || e.Function([]byte("new")) == nil || len(e.ListLibraries()) != 1 {
		t.Fatal("replace did not swap the library")
	}
	if !e.DeleteLibrary("mylib") || e.DeleteLibrary("mylib") || e.Function([]byte("new")) != nil {
		t.Fatal("DeleteLibrary")
	}
	if _, err := e.LoadLibrary([]byte("#!lua name=a\nredis.register_function('f', function() end)"), false, 0); err != nil {
		t.Fatal(err)
	}
	e.FlushLibraries()
	if n, _ := e.LibraryStats(); n != 0 {
		t.Fatal("FlushLibraries kept libraries")
	}
	// LOAD_TIMEOUT_MS: verified against redis-server with an endless
	// top-level loop.
	_, err = e.LoadLibrary([]byte("#!lua name=loop\nwhile true do end"), false, 50*time.Millisecond)
	if err == nil || err.Error() != "ERR Error registering functions: ERR FUNCTION LOAD timeout" {
		t.Fatalf("timeout: %v", err)
	}
	// The function state still works after a timed-out load.
	if _, err := e.LoadLibrary([]byte("#!lua name=b\nredis.register_function('g', function() return 7 end)"), false, LoadTimeout); err != nil {
		t.Fatal(err)
	}
	if got := fcallReply(e, []string{"g", "0"}); got != ":7\r\n" {
		t.Fatalf("after timeout: %q", got)
	}
}

func TestParseLibraryMeta(t *testing.T) {
	engine, name, off, err := ParseLibraryMeta([]byte("#!lua name=lib\nreturn"))
	if err != nil || engine != "lua" || name != "lib" || off != 14 {
		t.Fatalf("%q %q %d %v", engine, name, off, err)
	}
}

func TestHostPanicPropagates(t *testing.T) {
	// A panic in the command layer must not become a script error.
	h := newTestHost()
	e := New(Config{Host: h, MaxIdle: 1})
	h.onCall = func(r *Run) { panic("BUG: host broke") }
	s := mustLoad(t, e, "return pcall(redis.call, 'ping')")
	func() {
		defer func() {
			if p := recover(); p != "BUG: host broke" {
				t.Fatalf("recovered %v", p)
			}
		}()
		eval(e, &Run{}, s, nil, nil)
		t.Fatal("no panic")
	}()
	h.onCall = nil
	if got := eval(e, &Run{}, s, nil, nil); got != ":1\r\n" {
		t.Fatalf("after a host panic: %q", got)
	}
}
