package command_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

func TestTimeLastsave(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 123456000))
	s := servertest.Start(t, nil, servertest.WithClock(clock))
	c := srvDial(t, s)
	c.expect(t, "*2\r\n"+srvBulk("1700000000")+srvBulk("123456"), "TIME")
	clock.Advance(1500 * time.Millisecond)
	c.expect(t, "*2\r\n"+srvBulk("1700000001")+srvBulk("623456"), "TIME")
	c.expect(t, ":1700000000\r\n", "LASTSAVE")
}

func TestShutdown(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "-ERR syntax error\r\n", "SHUTDOWN", "foo")
	c.expect(t, "-ERR syntax error\r\n", "SHUTDOWN", "NOSAVE", "SAVE")
	c.expect(t, "-ERR syntax error\r\n", "SHUTDOWN", "ABORT", "NOW")
	select {
	case r := <-s.ShutdownRequested():
		t.Fatalf("shutdown requested by a bad SHUTDOWN: %+v", r)
	default:
	}
	c.send(t, "SHUTDOWN", "NOSAVE", "NOW")
	select {
	case r := <-s.ShutdownRequested():
		if !r.NoSave {
			t.Errorf("request = %+v, want NoSave", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown request")
	}
}

func TestMonitor(t *testing.T) {
	// unit/introspection.tcl "MONITOR can log executed commands".
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	m := srvDial(t, s)
	m.expect(t, "+OK\r\n", "MONITOR")
	c.do(t, "SET", "foo", "bar")
	c.do(t, "GET", "foo")
	line := regexp.MustCompile(`^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "(\w+)" "foo"`)
	for _, want := range []string{"SET", "GET"} { // as the client typed them
		got := m.read(t)
		if mm := line.FindStringSubmatch(got); mm == nil || mm[1] != want {
			t.Errorf("monitor line = %q, want %s", got, want)
		}
	}
	if l := c.do(t, "CLIENT", "LIST"); !strings.Contains(l, " flags=O ") {
		t.Errorf("no monitor flag in CLIENT LIST: %q", l)
	}
}

func TestSlowlog(t *testing.T) {
	s := servertest.Start(t, []string{"--slowlog-log-slower-than", "0"})
	c := srvDial(t, s)
	c.do(t, "SLOWLOG", "RESET")
	c.do(t, "CLIENT", "SETNAME", "me")
	c.do(t, "SET", "k", strings.Repeat("x", 200))
	// Entries (slowlog.c): id, time, µs, argv (long arguments cut), peer, name.
	got := c.do(t, "SLOWLOG", "GET", "1")
	re := regexp.MustCompile(`^\*1\r\n\*6\r\n:(\d+)\r\n:\d+\r\n:\d+\r\n\*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$147\r\nx{128}\.\.\. \(72 more bytes\)\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$2\r\nme\r\n$`)
	if !re.MatchString(got) {
		t.Errorf("SLOWLOG GET 1 = %q", got)
	}
	c.expect(t, ":4\r\n", "SLOWLOG", "LEN") // RESET, SETNAME, SET, GET
	if got := c.do(t, "SLOWLOG", "GET", "-1"); !strings.HasPrefix(got, "*5\r\n") {
		t.Errorf("SLOWLOG GET -1 = %.20q", got)
	}
	if got := c.do(t, "SLOWLOG", "GET", "0"); got != "*0\r\n" {
		t.Errorf("SLOWLOG GET 0 = %q", got)
	}
	c.expect(t, "-ERR count should be greater than or equal to -1\r\n", "SLOWLOG", "GET", "-2")
	c.expect(t, "-ERR count should be greater than or equal to -1\r\n", "SLOWLOG", "GET", "x")
	c.expect(t, "+OK\r\n", "SLOWLOG", "RESET")
	c.expect(t, ":1\r\n", "SLOWLOG", "LEN")
}

func TestLatencyCommands(t *testing.T) {
	s := servertest.Start(t, []string{"--latency-monitor-threshold", "1"})
	c := srvDial(t, s)
	c.expect(t, "*0\r\n", "LATENCY", "LATEST")
	c.expect(t, "*0\r\n", "LATENCY", "HISTORY", "command")
	c.expect(t, "-ERR No samples available for event 'command'\r\n", "LATENCY", "GRAPH", "command")
	s.Engine().Latency.Add("command", 1700000000, 5)
	s.Engine().Latency.Add("command", 1700000001, 20)
	c.expect(t, "*1\r\n*4\r\n"+srvBulk("command")+":1700000001\r\n:20\r\n:20\r\n", "LATENCY", "LATEST")
	c.expect(t, "*2\r\n*2\r\n:1700000000\r\n:5\r\n*2\r\n:1700000001\r\n:20\r\n", "LATENCY", "HISTORY", "command")
	c.expect(t, "*0\r\n", "LATENCY", "HISTORY", "COMMAND") // event names are case-sensitive here
	if g := c.do(t, "LATENCY", "GRAPH", "command"); !strings.Contains(g, "command - high 20 ms, low 5 ms (all time high 20 ms)\n") {
		t.Errorf("LATENCY GRAPH = %q", g)
	}
	if d := c.do(t, "LATENCY", "DOCTOR"); !strings.Contains(d, "1. command: 2 latency spikes (average 12ms, mean deviation 7ms") {
		t.Errorf("LATENCY DOCTOR = %q", d)
	}
	c.expect(t, ":0\r\n", "LATENCY", "RESET", "nosuch")
	c.expect(t, ":1\r\n", "LATENCY", "RESET", "COMMAND") // but not for RESET
	c.expect(t, "*0\r\n", "LATENCY", "LATEST")
	c.expect(t, "-ERR wrong number of arguments for 'latency|help' command\r\n", "LATENCY", "HELP", "xxx")

	// unit/latency-monitor.tcl "LATENCY HISTOGRAM with empty histogram".
	c.do(t, "CONFIG", "RESETSTAT")
	s.Engine().SpecOf(s.Engine().Meta.LookupFullName([]byte("client|id"))).Hist.Record(time.Microsecond)
	h := c.do(t, "LATENCY", "HISTOGRAM", "client")
	if !regexp.MustCompile(`^\*2\r\n\$9\r\nclient\|id\r\n\*4\r\n\$5\r\ncalls\r\n:1\r\n\$14\r\nhistogram_usec\r\n\*2\r\n:\d+\r\n:1\r\n$`).MatchString(h) {
		t.Errorf("LATENCY HISTOGRAM client = %q", h)
	}
}

func TestMemoryCommands(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "$-1\r\n", "MEMORY", "USAGE", "nokey")
	c.do(t, "SET", "k", strings.Repeat("x", 1000))
	got := c.do(t, "MEMORY", "USAGE", "k")
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(got, ":"), "\r\n"))
	if n < 1000 || n > 1300 {
		t.Errorf("MEMORY USAGE of a 1000-byte string = %q", got)
	}
	c.expect(t, got, "MEMORY", "USAGE", "k", "SAMPLES", "0")
	c.expect(t, "-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "SAMPLES")
	c.expect(t, "-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "SAMPLES", "-1")
	c.expect(t, "-ERR value is not an integer or out of range\r\n", "MEMORY", "USAGE", "k", "SAMPLES", "x")
	stats := c.do(t, "MEMORY", "STATS")
	for _, f := range []string{"peak.allocated", "total.allocated", "db.0", "overhead.hashtable.main", "keys.count", "fragmentation.bytes"} {
		if !strings.Contains(stats, srvBulk(f)) {
			t.Errorf("MEMORY STATS lacks %s", f)
		}
	}
	if !strings.HasPrefix(stats, "*56\r\n") { // 27 fields and db.0
		t.Errorf("MEMORY STATS = %.40q", stats)
	}
	if d := c.do(t, "MEMORY", "DOCTOR"); !strings.Contains(d, "Sam") {
		t.Errorf("MEMORY DOCTOR = %q", d)
	}
	c.expect(t, "+OK\r\n", "MEMORY", "PURGE")
	c.expect(t, srvBulk("Stats not supported for the current allocator"), "MEMORY", "MALLOC-STATS")
}

func TestCommandCommand(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	count := c.do(t, "COMMAND", "COUNT")
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(count, ":"), "\r\n"))
	if all := c.do(t, "COMMAND"); !strings.HasPrefix(all, "*"+strconv.Itoa(n)+"\r\n") {
		t.Errorf("COMMAND has not COMMAND COUNT = %d entries", n)
	}
	// Only implemented commands are listed.
	list := c.do(t, "COMMAND", "LIST")
	for _, name := range []string{"get", "client|list", "config|get", "info"} {
		if !strings.Contains(list, srvBulk(name)) {
			t.Errorf("COMMAND LIST lacks %s", name)
		}
	}
	if strings.Contains(list, srvBulk("cluster|info")) {
		t.Errorf("COMMAND LIST lists unimplemented CLUSTER INFO")
	}
	c.expect(t, "*1\r\n"+srvBulk("config|resetstat"), "COMMAND", "LIST", "FILTERBY", "PATTERN", "config|re*t")
	c.expect(t, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")
	if l := c.do(t, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "CONNECTION"); !strings.Contains(l, srvBulk("ping")) || strings.Contains(l, srvBulk("get")) {
		t.Errorf("COMMAND LIST FILTERBY ACLCAT connection = %q", l)
	}
	c.expect(t, "-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "bad", "x")

	// COMMAND INFO (unit/introspection-2.tcl): an unknown name is a null.
	c.expect(t, "*1\r\n$-1\r\n", "COMMAND", "INFO", "get|key")
	c.expect(t, "*1\r\n$-1\r\n", "COMMAND", "INFO", "config|get|key")
	info := c.do(t, "COMMAND", "INFO", "get")
	if !strings.HasPrefix(info, "*1\r\n*10\r\n"+srvBulk("get")+":2\r\n") {
		t.Errorf("COMMAND INFO get = %q", info)
	}
	// A container lists the subcommands Cinnabar implements.
	if ci := c.do(t, "COMMAND", "INFO", "client"); !strings.Contains(ci, "client|tracking") || !strings.Contains(ci, "client|list") {
		t.Errorf("COMMAND INFO client = %q", ci)
	}

	c.expect(t, "*1\r\n"+srvBulk("key"), "COMMAND", "GETKEYS", "get", "key")
	c.expect(t, "*1\r\n"+srvBulk("key"), "COMMAND", "GETKEYS", "memory", "usage", "key")
	c.expect(t, "*1\r\n*2\r\n"+srvBulk("k1")+"*2\r\n+OW\r\n+update\r\n", "COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1")
	c.expect(t, "-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "nosuch", "x")
	c.expect(t, "-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "ping", "x")
	c.expect(t, "-ERR Invalid number of arguments specified for command\r\n", "COMMAND", "GETKEYS", "get", "a", "b")

	docs := c.do(t, "COMMAND", "DOCS", "nosuch", "get")
	if !strings.HasPrefix(docs, "*2\r\n"+srvBulk("get")) {
		t.Errorf("COMMAND DOCS = %.40q", docs)
	}
}

func TestDebugCommands(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 0))
	s := servertest.Start(t, nil, servertest.WithClock(clock))
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "DEBUG", "POPULATE", "5")
	c.expect(t, "+OK\r\n", "DEBUG", "POPULATE", "3", "p", "10")
	c.expect(t, ":8\r\n", "DBSIZE")
	c.expect(t, srvBulk("value:3"), "GET", "key:3")
	c.expect(t, srvBulk("value:2\x00\x00\x00"), "GET", "p:2")
	c.expect(t, "-ERR value is out of range, must be positive\r\n", "DEBUG", "POPULATE", "-1")

	c.do(t, "SET", "n", "123")
	c.do(t, "SET", "big", "20000")
	obj := regexp.MustCompile(`^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\w+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:(\d+)\r\n$`)
	for _, tc := range []struct{ key, refcount, enc, serlen string }{
		{"n", "2147483647", "int", "2"}, // a shared integer
		{"big", "1", "int", "3"},        // 16-bit integer encoding
		{"key:1", "1", "embstr", "8"},   // length byte and 7 bytes
		{"p:2", "1", "embstr", "11"},    // zero padding included
	} {
		got := c.do(t, "DEBUG", "OBJECT", tc.key)
		m := obj.FindStringSubmatch(got)
		if m == nil || m[1] != tc.refcount || m[2] != tc.enc || m[3] != tc.serlen {
			t.Errorf("DEBUG OBJECT %s = %q", tc.key, got)
		}
	}
	c.expect(t, "-ERR no such key\r\n", "DEBUG", "OBJECT", "nokey")

	c.expect(t, "+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	if s.Engine().KS.ActiveExpire.Load() {
		t.Errorf("DEBUG SET-ACTIVE-EXPIRE 0 left active expiry on")
	}
	c.expect(t, "+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "1")
	c.expect(t, "+OK\r\n", "DEBUG", "PAUSE-CRON", "1")
	if !s.Engine().CronPaused.Load() {
		t.Errorf("DEBUG PAUSE-CRON 1 left the cron running")
	}
	c.expect(t, "+OK\r\n", "DEBUG", "PAUSE-CRON", "0")
	if s.Engine().CronPaused.Load() {
		t.Errorf("DEBUG PAUSE-CRON 0 left the cron paused")
	}
	start := time.Now()
	c.expect(t, "+OK\r\n", "DEBUG", "SLEEP", "0.05")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("DEBUG SLEEP 0.05 took %v", d)
	}
	c.expect(t, "-MYERR custom\r\n", "DEBUG", "ERROR", "MYERR custom")
	c.expect(t, "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n", "DEBUG", "reload", "bogus")
	c.expect(t, "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n", "DEBUG", "nosuch")

	// DEBUG PROTOCOL in RESP3 (unit/protocol.tcl).
	c.do(t, "HELLO", "3")
	c.expect(t, "|1\r\n"+srvBulk("key-popularity")+"*2\r\n"+srvBulk("key:123")+":90\r\n"+srvBulk("Some real reply following the attribute"), "DEBUG", "PROTOCOL", "attrib")
	c.expect(t, "(1234567999999999999999999999999999999\r\n", "DEBUG", "PROTOCOL", "bignum")
	c.expect(t, "#t\r\n", "DEBUG", "PROTOCOL", "true")
	c.expect(t, "=29\r\ntxt:This is a verbatim\nstring\r\n", "DEBUG", "PROTOCOL", "verbatim")
	c.expect(t, ",3.141\r\n", "DEBUG", "PROTOCOL", "double")
	c.expect(t, ">2\r\n"+srvBulk("server-cpu-usage")+":42\r\n", "DEBUG", "PROTOCOL", "push")
	if got := c.read(t); got != srvBulk("Some real reply following the push reply") {
		t.Errorf("reply after the push = %q", got)
	}
}

func TestIntrospectionInsideExec(t *testing.T) {
	// Keyless commands that lock shards themselves must not lock again
	// under EXEC, which already holds every shard for them.
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.do(t, "SET", "k", "v")
	c.expect(t, "+OK\r\n", "MULTI")
	for _, cmd := range [][]string{
		{"INFO", "keyspace"}, {"MEMORY", "STATS"}, {"DEBUG", "DIGEST"}, {"DEBUG", "OBJECT", "k"},
		{"DEBUG", "POPULATE", "2"}, {"MEMORY", "USAGE", "k"}, {"DBSIZE"},
	} {
		c.expect(t, "+QUEUED\r\n", cmd...)
	}
	done := make(chan string, 1)
	go func() {
		var out []byte
		_ = srvRead(c.r, &out)
		done <- string(out)
	}()
	c.send(t, "EXEC")
	select {
	case got := <-done:
		if !strings.HasPrefix(got, "*7\r\n") || !strings.HasSuffix(got, ":3\r\n") {
			t.Errorf("EXEC = %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("EXEC deadlocked")
	}
}

// DEBUG PAUSE-CRON stops the server cron: a key whose time has passed is
// not expired actively while it is paused, and is once it resumes.
func TestDebugPauseCronStopsActiveExpiry(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 0))
	s := servertest.Start(t, []string{"--hz", "100"}, servertest.WithClock(clock))
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "DEBUG", "PAUSE-CRON", "1")
	c.expect(t, "+OK\r\n", "SET", "k", "v", "PX", "100")
	clock.Advance(time.Second)
	time.Sleep(100 * time.Millisecond) // ten cron periods at hz 100
	c.expect(t, ":1\r\n", "DBSIZE")
	c.expect(t, "+OK\r\n", "DEBUG", "PAUSE-CRON", "0")
	deadline := time.Now().Add(5 * time.Second)
	for c.do(t, "DBSIZE") != ":0\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("the key was not expired once the cron resumed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
