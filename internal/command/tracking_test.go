package command_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of client-side caching (tracking.c, networking.c
// clientCommand; unit/tracking.tcl). Expected bytes were checked against
// redis-server 7.0.15.

func invPush(keys ...string) string { return ">2\r\n" + srvBulk("invalidate") + psArr("*", keys...) }

func invMsg(keys ...string) string {
	return "*3\r\n" + srvBulk("message") + srvBulk("__redis__:invalidate") + psArr("*", keys...)
}

// redirClient returns a RESP2 client subscribed to __redis__:invalidate
// and its ID.
func redirClient(t *testing.T, s *servertest.Server) (*srvConn, string) {
	t.Helper()
	rd := srvDial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(rd.do(t, "CLIENT", "ID"), ":"), "\r\n")
	rd.expect(t, psConfirm("*", "subscribe", "__redis__:invalidate", 1), "SUBSCRIBE", "__redis__:invalidate")
	return rd, id
}

func hello3(t *testing.T, c *srvConn) {
	t.Helper()
	if r := c.do(t, "HELLO", "3"); !strings.HasPrefix(r, "%") {
		t.Fatalf("HELLO 3 = %q", r)
	}
}

// unit/tracking.tcl "The other connection is able to get invalidations"
// and "RESP3 based basic invalidation".
func TestTrackingDefaultMode(t *testing.T) {
	s := servertest.Start(t, nil)
	r, sg := srvDial(t, s), srvDial(t, s)
	rd, id := redirClient(t, s)
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id)
	r.expect(t, "+OK\r\n", "SET", "a", "1")
	r.expect(t, "+OK\r\n", "SET", "b", "1")
	r.expect(t, "$1\r\n1\r\n", "GET", "a")
	r.expect(t, ":2\r\n", "INCR", "b") // not read: no invalidation
	r.expect(t, ":2\r\n", "INCR", "a")
	rd.expectRead(t, invMsg("a"))
	// Invalidated once: the key is forgotten.
	sg.expect(t, ":3\r\n", "INCR", "a")
	rd.expectSilence(t)

	// RESP3 on the same connection: the push follows the writer's reply.
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "off")
	hello3(t, r)
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on")
	r.expect(t, "$1\r\n3\r\n", "GET", "a")
	sg.expect(t, "+OK\r\n", "SET", "a", "x")
	r.expectRead(t, invPush("a"))
	r.expect(t, "$1\r\nx\r\n", "GET", "a")
	// "hdel deliver invalidate message after response in the same connection"
	r.expect(t, ":1\r\n", "HSET", "h", "f", "1")
	r.expect(t, "$1\r\n1\r\n", "HGET", "h", "f")
	r.expect(t, ":1\r\n", "HDEL", "h", "f")
	r.expectRead(t, invPush("h"))
	// "... not interleaved with transaction response"
	r.expect(t, "+OK\r\n", "MSET", "a", "1", "b", "2")
	r.expectRead(t, invPush("a")) // read by the GET above
	r.expect(t, "$1\r\n1\r\n", "GET", "a")
	r.expect(t, "+OK\r\n", "MULTI")
	r.expect(t, "+QUEUED\r\n", "INCR", "a")
	r.expect(t, "+QUEUED\r\n", "GET", "b")
	r.expect(t, "*2\r\n:2\r\n$1\r\n2\r\n", "EXEC")
	r.expectRead(t, invPush("a"))
	r.send(t, "PING")
	r.expectRead(t, "+PONG\r\n")
	if got := trkInfo(t, sg, "tracking_clients"); got != "1" {
		t.Errorf("tracking_clients = %q", got)
	}
}

// NOLOOP, OPTIN/OPTOUT with CLIENT CACHING, BCAST with prefixes.
func TestTrackingModes(t *testing.T) {
	s := servertest.Start(t, nil)
	r, sg := srvDial(t, s), srvDial(t, s)
	rd, id := redirClient(t, s)

	// "Tracking NOLOOP mode in standard mode works"
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id, "NOLOOP")
	r.expect(t, "*3\r\n$-1\r\n$-1\r\n$-1\r\n", "MGET", "o1", "loop", "o2")
	sg.expect(t, "+OK\r\n", "SET", "o1", "1")
	r.expect(t, "+OK\r\n", "SET", "loop", "1")
	sg.expect(t, "+OK\r\n", "SET", "o2", "1")
	rd.expectRead(t, invMsg("o1"))
	rd.expectRead(t, invMsg("o2"))
	rd.expectSilence(t)

	// OPTIN: only after CLIENT CACHING yes, for one command.
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "off")
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "OPTIN", "REDIRECT", id)
	r.expect(t, "+OK\r\n", "CLIENT", "CACHING", "yes")
	r.expect(t, "$1\r\n1\r\n", "GET", "o1")
	r.expect(t, "$1\r\n1\r\n", "GET", "o2") // CACHING is spent
	sg.expect(t, "+OK\r\n", "MSET", "o1", "2", "o2", "2")
	rd.expectRead(t, invMsg("o1"))
	rd.expectSilence(t)
	r.expect(t, "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n", "CLIENT", "CACHING", "no")

	// OPTOUT: everything but the command after CLIENT CACHING no.
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "off")
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "OPTOUT", "REDIRECT", id)
	r.expect(t, "+OK\r\n", "CLIENT", "CACHING", "no")
	r.expect(t, "$1\r\n2\r\n", "GET", "o1")
	r.expect(t, "$1\r\n2\r\n", "GET", "o2")
	sg.expect(t, "+OK\r\n", "MSET", "o1", "3", "o2", "3")
	rd.expectRead(t, invMsg("o2"))
	rd.expectSilence(t)

	// "Clients can enable the BCAST mode with prefixes": one message per
	// prefix after EXEC, keys sorted.
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "off")
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", id, "PREFIX", "a:", "PREFIX", "b:")
	r.expect(t, "+OK\r\n", "MULTI")
	for _, k := range []string{"b:2", "a:2", "a:1", "b:1", "c:1"} {
		r.expect(t, "+QUEUED\r\n", "INCR", k)
	}
	r.expect(t, "*5\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n", "EXEC")
	rd.expectRead(t, invMsg("a:1", "a:2"))
	rd.expectRead(t, invMsg("b:1", "b:2"))
	hello3(t, r)
	r.expect(t, "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:"+id+"\r\n$8\r\nprefixes\r\n*2\r\n$2\r\na:\r\n$2\r\nb:\r\n", "CLIENT", "TRACKINGINFO")
	if got := trkInfo(t, sg, "tracking_total_prefixes"); got != "2" {
		t.Errorf("tracking_total_prefixes = %q", got)
	}
}

// Error texts and the CLIENT TRACKINGINFO / GETREDIR replies, as
// redis-server 7.0.15 gives them.
func TestTrackingErrors(t *testing.T) {
	s := servertest.Start(t, nil)
	r := srvDial(t, s)
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR PREFIX option requires BCAST mode to be enabled\r\n", []string{"on", "prefix", "a"}},
		{"-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n", []string{"on", "bcast", "optin"}},
		{"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n", []string{"on", "optin", "optout"}},
		{"-ERR The client ID you want redirect to does not exist\r\n", []string{"on", "redirect", "9999"}},
		{"-ERR The client ID you want redirect to does not exist\r\n", []string{"on", "redirect", "0"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"on", "redirect", "abc"}},
		{"-ERR syntax error\r\n", []string{"maybe"}},
		{"-ERR syntax error\r\n", []string{"on", "bogus"}},
		{"-ERR syntax error\r\n", []string{"on", "redirect"}},
		{"-ERR Prefix 'foo' overlaps with another provided prefix 'foobar'. Prefixes for a single client must not overlap.\r\n", []string{"on", "bcast", "prefix", "foo", "prefix", "foobar"}},
	} {
		r.expect(t, tc.want, append([]string{"CLIENT", "TRACKING"}, tc.args...)...)
	}
	r.expect(t, "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n", "CLIENT", "CACHING", "yes")
	r.expect(t, ":-1\r\n", "CLIENT", "GETREDIR")
	r.expect(t, "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", "CLIENT", "TRACKINGINFO")

	// Redis 7.0.15 replies to an overlap of two later prefixes with the
	// error and then enables tracking and replies OK as well.
	r.send(t, "CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "b", "prefix", "bc")
	r.expectRead(t, "-ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not overlap.\r\n")
	r.expectRead(t, "+OK\r\n")
	r.expect(t, "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n", "CLIENT", "TRACKING", "on")
	r.expect(t, "-ERR Prefix 'bb' overlaps with an existing prefix 'b'. Prefixes for a single client must not overlap.\r\n", "CLIENT", "TRACKING", "on", "bcast", "prefix", "bb")
	r.expect(t, ":0\r\n", "CLIENT", "GETREDIR")
	hello3(t, r)
	r.expect(t, "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbc\r\n", "CLIENT", "TRACKINGINFO")
	if l := r.do(t, "CLIENT", "INFO"); !strings.Contains(l, " flags=tB ") || !strings.Contains(l, " redir=0 ") {
		t.Errorf("CLIENT INFO = %q", l)
	}
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "off")
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "optin")
	r.expect(t, "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n", "CLIENT", "TRACKING", "on", "optout")
	r.expect(t, "+OK\r\n", "CLIENT", "CACHING", "yes")
	r.expect(t, "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n", "CLIENT", "TRACKINGINFO")
	if got := trkInfo(t, r, "tracking_total_prefixes"); got != "0" {
		t.Errorf("tracking_total_prefixes = %q after leaving BCAST", got)
	}
	r.expect(t, "+RESET\r\n", "RESET")
	r.expect(t, ":-1\r\n", "CLIENT", "GETREDIR")
}

// FLUSHALL: a null to every tracking client, after the reply for the
// flushing client itself ("flushdb tracking invalidation message is not
// interleaved with transaction response"); a redirect client that is gone
// gets the tracking client a tracking-redir-broken push.
func TestTrackingFlushAndBrokenRedirect(t *testing.T) {
	s := servertest.Start(t, nil)
	r, sg := srvDial(t, s), srvDial(t, s)
	rd, id := redirClient(t, s)
	hello3(t, r)
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on")
	sg.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id)
	r.expect(t, "_\r\n", "GET", "k")
	if got := trkInfo(t, r, "tracking_total_keys"); got != "1" {
		t.Errorf("tracking_total_keys = %q", got)
	}
	r.expect(t, "+OK\r\n", "MULTI")
	r.expect(t, "+QUEUED\r\n", "FLUSHDB")
	r.expect(t, "*1\r\n+OK\r\n", "EXEC")
	r.expectRead(t, ">2\r\n$10\r\ninvalidate\r\n_\r\n")
	rd.expectRead(t, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n")
	if got := trkInfo(t, r, "tracking_total_keys"); got != "0" {
		t.Errorf("tracking_total_keys after FLUSHDB = %q", got)
	}

	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id)
	r.expect(t, "_\r\n", "GET", "k")
	rd.expect(t, "+OK\r\n", "QUIT")
	sg.expect(t, "+OK\r\n", "SET", "k", "v")
	r.expectRead(t, ">2\r\n$21\r\ntracking-redir-broken\r\n:"+id+"\r\n")
	r.expect(t, "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:"+id+"\r\n$8\r\nprefixes\r\n*0\r\n", "CLIENT", "TRACKINGINFO")
}

// Expiry invalidates, lazily (after the reply: "Tracking invalidation
// message is not interleaved with multiple keys response") and actively.
func TestTrackingExpiry(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 0))
	s := servertest.Start(t, nil, servertest.WithClock(clock))
	r := srvDial(t, s)
	hello3(t, r)
	r.expect(t, "+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on")
	r.expect(t, "+OK\r\n", "MSET", "x", "1", "y", "2")
	r.expect(t, ":1\r\n", "PEXPIRE", "y", "100")
	r.expect(t, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "x", "y")
	clock.Advance(200 * time.Millisecond)
	r.expect(t, "*2\r\n$1\r\n1\r\n_\r\n", "MGET", "x", "y")
	r.expectRead(t, invPush("y"))
	r.expect(t, "+PONG\r\n", "PING")
}

// tracking-table-max-keys: the excess is evicted with invalidations
// ("Server is able to evacuate enough keys when num of keys surpasses
// limit by more than defined initial effort").
func TestTrackingTableLimit(t *testing.T) {
	s := servertest.Start(t, nil)
	r := srvDial(t, s)
	rd, id := redirClient(t, s)
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id)
	const n = 250
	for i := 0; i < n; i++ {
		r.expect(t, "$-1\r\n", "GET", "key"+strconv.Itoa(i))
	}
	r.expect(t, "+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "1")
	seen := map[string]bool{}
	for i := 0; i < n-1; i++ {
		m := rd.read(t)
		if !strings.HasPrefix(m, "*3\r\n$7\r\nmessage\r\n") {
			t.Fatalf("message %d = %q", i, m)
		}
		seen[m] = true
	}
	rd.expectSilence(t)
	if len(seen) != n-1 {
		t.Errorf("%d distinct invalidations, want %d", len(seen), n-1)
	}
	if got := trkInfo(t, r, "tracking_total_keys"); got != "1" {
		t.Errorf("tracking_total_keys = %q", got)
	}
}

// "Unblocked BLMOVE gets notification after response".
func TestTrackingUnblockedAfterReply(t *testing.T) {
	s := servertest.Start(t, nil)
	r, rd := srvDial(t, s), srvDial(t, s)
	r.expect(t, ":1\r\n", "RPUSH", "list2", "a")
	hello3(t, rd)
	rd.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on")
	rd.expect(t, "*1\r\n$1\r\na\r\n", "LRANGE", "list2", "0", "-1")
	rd.send(t, "BLMOVE", "list1", "list2", "left", "left", "0")
	trkWaitBlocked(t, r, 1)
	r.expect(t, ":1\r\n", "RPUSH", "list1", "foo")
	rd.expectRead(t, "$3\r\nfoo\r\n")
	rd.expectRead(t, invPush("list2"))
}

// trkInfo returns one INFO field.
func trkInfo(t *testing.T, c *srvConn, field string) string {
	t.Helper()
	for _, line := range strings.Split(c.do(t, "INFO", "everything"), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO has no %s", field)
	return ""
}

func trkWaitBlocked(t *testing.T, c *srvConn, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for trkInfo(t, c, "blocked_clients") != strconv.Itoa(n) {
		if time.Now().After(deadline) {
			t.Fatalf("blocked_clients never reached %d", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A script that runs a read command makes its caller track the keys the
// script declared, not the keys of the command (call()'s script_caller;
// Redis's tracking.tcl "Tracking only occurs for scripts when a command
// calls a read-only command").
func TestTrackingScriptDeclaredKeys(t *testing.T) {
	s := servertest.Start(t, nil)
	r, sg := srvDial(t, s), srvDial(t, s)
	hello3(t, r)
	r.expect(t, "+OK\r\n", "CLIENT", "TRACKING", "on")
	// No read command in the script: nothing tracked.
	r.expect(t, "_\r\n", "EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2")
	sg.expect(t, "+OK\r\n", "MSET", "k1", "1", "k2", "1")
	r.expectSilence(t)
	// A read command: the declared keys are tracked, the read one is not.
	r.expect(t, "_\r\n", "EVAL", "redis.call('get', 'k3')", "2", "k1", "k2")
	sg.expect(t, "+OK\r\n", "SET", "k3", "x")
	sg.expect(t, "+OK\r\n", "MSET", "k2", "2", "k1", "2")
	r.expectRead(t, invPush("k2"))
	r.expectRead(t, invPush("k1"))
}

// QUIT takes the client out of the registry before its +OK goes out: a
// command sent after reading it never sees the client (Redis frees it
// before serving anyone else).
func TestQuitLeavesRegistryBeforeReply(t *testing.T) {
	s := servertest.Start(t, nil)
	other := srvDial(t, s)
	for i := 0; i < 50; i++ {
		q := srvDial(t, s)
		q.expect(t, "+OK\r\n", "CLIENT", "SETNAME", "quitter")
		q.expect(t, "+OK\r\n", "QUIT")
		if list := other.do(t, "CLIENT", "LIST"); strings.Contains(list, "name=quitter") {
			t.Fatalf("iteration %d: CLIENT LIST after QUIT's reply still has the client:\n%s", i, list)
		}
	}
}
