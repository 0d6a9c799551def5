package command_test

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the blocking commands (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, CLIENT UNBLOCK) over real
// connections. Expected behaviour is Redis 7.0.15's: src/t_list.c,
// src/t_zset.c, src/blocked.c, src/timeout.c, networking.c (CLIENT
// UNBLOCK), and tests/unit/type/list.tcl and zset.tcl; replies were checked
// against redis-server 7.0.15.

// bconn is a raw RESP connection that can send without waiting for the
// reply, as the TCL suite's deferring clients.
type bconn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func bdial(t *testing.T, s *servertest.Server) *bconn {
	t.Helper()
	c := s.Dial(t)
	return &bconn{t: t, c: c, r: bufio.NewReader(c)}
}

func encodeCmd(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, "\r\n"...)
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, "\r\n"...)
		dst = append(dst, a...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// send writes one command (space-separated words) without reading.
func (b *bconn) send(cmd string) { b.t.Helper(); b.sendArgs(strings.Fields(cmd)...) }

func (b *bconn) sendArgs(args ...string) {
	b.t.Helper()
	if _, err := b.c.Write(encodeCmd(nil, args...)); err != nil {
		b.t.Fatalf("write %q: %v", args, err)
	}
}

// read reads one raw reply, failing after 5 s.
func (b *bconn) read() string {
	b.t.Helper()
	return b.readWithin(5 * time.Second)
}

func (b *bconn) readWithin(d time.Duration) string {
	b.t.Helper()
	_ = b.c.SetReadDeadline(time.Now().Add(d))
	var out []byte
	if err := readRawReply(b.r, &out); err != nil {
		b.t.Fatalf("read reply: %v (got so far %q)", err, out)
	}
	return string(out)
}

// noReply checks that nothing arrives within d: the client is blocked.
func (b *bconn) noReply(d time.Duration) {
	b.t.Helper()
	_ = b.c.SetReadDeadline(time.Now().Add(d))
	if _, err := b.r.Peek(1); err == nil {
		var out []byte
		_ = readRawReply(b.r, &out)
		b.t.Fatalf("unexpected reply %q", out)
	}
}

// do sends a command and reads its reply.
func (b *bconn) do(cmd string) string { b.t.Helper(); b.send(cmd); return b.read() }

func (b *bconn) doArgs(args ...string) string { b.t.Helper(); b.sendArgs(args...); return b.read() }

func readRawReply(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	if len(line) < 3 {
		return io.ErrUnexpectedEOF
	}
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '*', '~', '>', '%':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if line[0] == '%' {
			n *= 2
		}
		for range max(n, 0) {
			if err := readRawReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func bBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func bArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

const (
	nullArray = "*-1\r\n"
	nullBulk  = "$-1\r\n"
)

// infoField returns one field of INFO's reply.
func infoField(t *testing.T, b *bconn, section, field string) string {
	t.Helper()
	reply := b.do("INFO " + section)
	for _, line := range strings.Split(reply, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s: %q", section, field, reply)
	return ""
}

// waitBlocked waits until INFO reports n blocked clients (the TCL suite's
// wait_for_blocked_clients_count).
func waitBlocked(t *testing.T, b *bconn, n int) {
	t.Helper()
	want := strconv.Itoa(n)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := infoField(t, b, "clients", "blocked_clients")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("blocked_clients = %s, want %s", got, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func bClientID(t *testing.T, b *bconn) string {
	t.Helper()
	r := b.do("CLIENT ID")
	return strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n")
}

// TestBlockingImmediate: with data present the blocking commands answer at
// once, from the first non-empty key in argument order (blockingPopGenericCommand,
// blockingGenericZpopCommand).
func TestBlockingImmediate(t *testing.T) {
	s := servertest.Start(t, nil)
	c := bdial(t, s)
	c.do("RPUSH l1 a b c")
	c.do("RPUSH l2 x y")
	c.do("ZADD z1 1 one 2 two 3 three")
	c.do("ZADD z2 5 five")
	c.do("SET str v")
	for _, tc := range []struct{ cmd, want string }{
		{"BLPOP nokey l2 l1 0", bArr(bBulk("l2"), bBulk("x"))},
		{"BRPOP l1 l2 0", bArr(bBulk("l1"), bBulk("c"))},
		{"BLMPOP 0 3 nokey l1 l2 RIGHT COUNT 5", bArr(bBulk("l1"), bArr(bBulk("b"), bBulk("a")))},
		{"BRPOPLPUSH l2 dst 0", bBulk("y")},
		{"BLMOVE dst dst2 LEFT RIGHT 0", bBulk("y")},
		{"BZPOPMIN nokey z1 z2 0", bArr(bBulk("z1"), bBulk("one"), bBulk("1"))},
		{"BZPOPMAX z2 z1 0", bArr(bBulk("z2"), bBulk("five"), bBulk("5"))},
		{"BZMPOP 0 2 nokey z1 MAX COUNT 10", bArr(bBulk("z1"), bArr(bArr(bBulk("three"), bBulk("3")), bArr(bBulk("two"), bBulk("2"))))},
		// A key of another type met before a non-empty one: WRONGTYPE.
		{"BLPOP nokey str l1 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"BZPOPMIN str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"BZMPOP 0 2 nokey str MIN", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"BLMOVE str d LEFT LEFT 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"EXISTS l1 l2 dst z1 z2", ":0\r\n"}, // all consumed (dst2 holds the moved y)
	} {
		if got := c.do(tc.cmd); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
	}
	// RESP3: BZPOPMIN's score is a double; BZMPOP nests [member, score].
	c.do("HELLO 3")
	c.do("ZADD z 1.5 m 2 n")
	if got, want := c.do("BZPOPMIN z 0"), "*3\r\n"+bBulk("z")+bBulk("m")+",1.5\r\n"; got != want {
		t.Errorf("RESP3 BZPOPMIN = %q, want %q", got, want)
	}
	if got, want := c.do("BZMPOP 0 1 z MIN"), "*2\r\n"+bBulk("z")+"*1\r\n*2\r\n"+bBulk("n")+",2\r\n"; got != want {
		t.Errorf("RESP3 BZMPOP = %q, want %q", got, want)
	}
	if got := c.do("BLPOP nokey 0.01"); got != "_\r\n" {
		t.Errorf("RESP3 BLPOP timeout = %q, want _", got)
	}
}

// TestBlockingArgErrors: argument errors, in Redis's order of checks
// (timeout.c getTimeoutFromObjectOrReply; lmpopGenericCommand and
// zmpopGenericCommand check numkeys, the direction and COUNT before the
// timeout; CLIENT UNBLOCK checks the reason before the id).
func TestBlockingArgErrors(t *testing.T) {
	s := servertest.Start(t, nil)
	c := bdial(t, s)
	const (
		notFloat = "-ERR timeout is not a float or out of range\r\n"
		negative = "-ERR timeout is negative\r\n"
	)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"BLPOP", "k", "abc"}, notFloat},
		{[]string{"BLPOP", "k", ""}, notFloat},
		{[]string{"BLPOP", "k", " 1"}, notFloat},
		{[]string{"BLPOP", "k", "1 "}, notFloat},
		{[]string{"BLPOP", "k", "nan"}, notFloat},
		{[]string{"BLPOP", "k", "1e-5000"}, notFloat}, // underflows: strtold's ERANGE
		{[]string{"BLPOP", "k", "-1"}, negative},
		{[]string{"BRPOP", "k", "-0.002"}, negative}, // (-0.001 rounds to -0 in long double: forever)
		{[]string{"BLPOP", "k", "inf"}, negative},    // (long long) of infinity: LLONG_MIN
		{[]string{"BLPOP", "k", "1e20"}, negative},   // out of long long range
		{[]string{"BLPOP", "k", "1e400"}, negative},
		{[]string{"BZPOPMIN", "k", "abc"}, notFloat},
		{[]string{"BZPOPMAX", "k", "-1"}, negative},
		{[]string{"BRPOPLPUSH", "a", "b", "x"}, notFloat},
		{[]string{"BLMOVE", "a", "b", "LEFT", "UP", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BLMOVE", "a", "b", "LEFT", "RIGHT", "-2"}, negative},
		{[]string{"BLMPOP", "abc", "0", "k", "LEFT"}, "-ERR numkeys should be greater than 0\r\n"},
		{[]string{"BLMPOP", "abc", "1", "k", "LEFT", "COUNT", "0"}, "-ERR count should be greater than 0\r\n"},
		{[]string{"BLMPOP", "abc", "1", "k", "UP"}, "-ERR syntax error\r\n"},
		{[]string{"BLMPOP", "abc", "1", "k", "LEFT"}, notFloat},
		{[]string{"BLMPOP", "-1", "1", "k", "LEFT"}, negative},
		{[]string{"BZMPOP", "abc", "0", "k", "MIN"}, "-ERR numkeys should be greater than 0\r\n"},
		{[]string{"BZMPOP", "0", "1", "k", "foo"}, "-ERR syntax error\r\n"},
		{[]string{"BZMPOP", "abc", "1", "k", "MIN"}, notFloat},
		{[]string{"BZMPOP", "-1", "1", "k", "MIN"}, negative},
		{[]string{"CLIENT", "UNBLOCK", "abc"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLIENT", "UNBLOCK", "abc", "foo"}, "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"},
		{[]string{"CLIENT", "UNBLOCK", "1", "timeout", "x"}, "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n"},
		{[]string{"CLIENT", "UNBLOCK", "99999"}, ":0\r\n"},
	} {
		if got := c.doArgs(tc.args...); got != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestBlockingServeOrder: the first key of the call that receives data
// wins; clients blocked on one key are served in the order they blocked
// (serveClientsBlockedOnListKey walks the key's clients first to last).
func TestBlockingServeOrder(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	a, b, c := bdial(t, s), bdial(t, s), bdial(t, s)
	a.send("BLPOP k1 k2 0")
	waitBlocked(t, ctl, 1)
	b.send("BRPOP k2 0")
	waitBlocked(t, ctl, 2)
	c.send("BLMPOP 0 1 k2 LEFT COUNT 2")
	waitBlocked(t, ctl, 3)
	if got := ctl.do("RPUSH k2 x y z w"); got != ":4\r\n" {
		t.Fatalf("RPUSH = %q", got)
	}
	if got, want := a.read(), bArr(bBulk("k2"), bBulk("x")); got != want {
		t.Errorf("first client = %q, want %q", got, want)
	}
	if got, want := b.read(), bArr(bBulk("k2"), bBulk("w")); got != want {
		t.Errorf("second client = %q, want %q", got, want)
	}
	if got, want := c.read(), bArr(bBulk("k2"), bArr(bBulk("y"), bBulk("z"))); got != want {
		t.Errorf("third client = %q, want %q", got, want)
	}
	waitBlocked(t, ctl, 0)
	if got := ctl.do("EXISTS k2"); got != ":0\r\n" {
		t.Errorf("k2 should be consumed: EXISTS = %q", got)
	}

	// More waiters than elements: the rest stay blocked, in order.
	a.send("BLPOP q 0")
	waitBlocked(t, ctl, 1)
	b.send("BLPOP q 0")
	waitBlocked(t, ctl, 2)
	ctl.do("RPUSH q 1")
	if got := a.read(); got != bArr(bBulk("q"), bBulk("1")) {
		t.Errorf("first waiter = %q", got)
	}
	b.noReply(50 * time.Millisecond)
	ctl.do("RPUSH q 2")
	if got := b.read(); got != bArr(bBulk("q"), bBulk("2")) {
		t.Errorf("second waiter = %q", got)
	}

	// The same key named twice is one wait (list.tcl "BLPOP with same key
	// multiple times should work (issue #801)").
	a.send("BLPOP dup dup 0")
	waitBlocked(t, ctl, 1)
	ctl.do("LPUSH dup v")
	if got := a.read(); got != bArr(bBulk("dup"), bBulk("v")) {
		t.Errorf("BLPOP dup dup = %q", got)
	}
	waitBlocked(t, ctl, 0)
}

// TestBlockingTimeouts: float seconds, 0 = forever, the timeout reply
// (replyToBlockedClientTimedOut: a null array for every command, BLMOVE
// and BRPOPLPUSH included, though they reply a null bulk inside MULTI),
// and timing precise to a few milliseconds.
func TestBlockingTimeouts(t *testing.T) {
	s := servertest.Start(t, nil)
	c := bdial(t, s)
	for _, tc := range []struct {
		cmd  string
		want string
	}{
		{"BLPOP k 0.05", nullArray},
		{"BRPOP k1 k2 0.05", nullArray},
		{"BLMPOP 0.05 1 k LEFT", nullArray},
		{"BRPOPLPUSH k d 0.05", nullArray},
		{"BLMOVE k d LEFT RIGHT 0.05", nullArray},
		{"BZPOPMIN k 0.05", nullArray},
		{"BZPOPMAX k 0.05", nullArray},
		{"BZMPOP 0.05 1 k MAX", nullArray},
	} {
		start := time.Now()
		got := c.do(tc.cmd)
		el := time.Since(start)
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
		if el < 50*time.Millisecond || el > 90*time.Millisecond {
			t.Errorf("%s took %v, want 50ms (+ a few ms)", tc.cmd, el)
		}
	}
	// ceill(0.0001 * 1000) = 1 ms: a tiny timeout is not "forever".
	start := time.Now()
	if got := c.do("BLPOP k 0.0001"); got != nullArray {
		t.Errorf("BLPOP 0.0001 = %q", got)
	}
	if el := time.Since(start); el > 40*time.Millisecond {
		t.Errorf("BLPOP 0.0001 took %v", el)
	}
	// Hexadecimal seconds (strtold): 0x0.1p0 = 1/16 s.
	start = time.Now()
	if got := c.do("BLPOP k 0x0.1p0"); got != nullArray {
		t.Errorf("BLPOP 0x0.1p0 = %q", got)
	}
	if el := time.Since(start); el < 62*time.Millisecond || el > 110*time.Millisecond {
		t.Errorf("BLPOP 0x0.1p0 took %v, want 62.5ms", el)
	}
	// 0, -0.0001 (ceil to -0) and huge timeouts block until served.
	ctl := bdial(t, s)
	for _, tm := range []string{"0", "-0.0001", "-0.001", "9223372036854775"} {
		c.send("BLPOP forever " + tm)
		waitBlocked(t, ctl, 1)
		c.noReply(120 * time.Millisecond)
		ctl.do("RPUSH forever x")
		if got := c.read(); got != bArr(bBulk("forever"), bBulk("x")) {
			t.Errorf("BLPOP forever %s = %q", tm, got)
		}
		waitBlocked(t, ctl, 0)
	}
}

// TestBlockingWakeups: every way a key can appear serves its waiters:
// pushes, LMOVE into it, ZADD, RENAME, MOVE, COPY, SWAPDB (dbAdd ->
// signalKeyAsReady; SWAPDB -> scanDatabaseForReadyKeys), and a MULTI/EXEC
// that creates it, served after the EXEC with the transaction's final
// state (list.tcl "MULTI/EXEC is isolated from the point of view of BLPOP").
func TestBlockingWakeups(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	w := bdial(t, s)
	type step struct {
		block string   // the blocking command
		setup []string // run before blocking
		wake  []string // run once blocked
		want  string
		db    string // database the blocked client uses (default 0)
	}
	for _, tc := range []step{
		{block: "BLPOP k 0", wake: []string{"LPUSH k a b"}, want: bArr(bBulk("k"), bBulk("b"))},
		{block: "BRPOP k 0", wake: []string{"RPUSH k a b"}, want: bArr(bBulk("k"), bBulk("b"))},
		{block: "BLPOP k 0", setup: []string{"RPUSH src a b"}, wake: []string{"LMOVE src k RIGHT LEFT"}, want: bArr(bBulk("k"), bBulk("b"))},
		{block: "BZPOPMIN z 0", wake: []string{"ZADD z 2 b 1 a"}, want: bArr(bBulk("z"), bBulk("a"), bBulk("1"))},
		{block: "BZMPOP 0 1 z MAX COUNT 5", wake: []string{"ZADD z 2 b 1 a"}, want: bArr(bBulk("z"), bArr(bArr(bBulk("b"), bBulk("2")), bArr(bBulk("a"), bBulk("1"))))},
		{block: "BLPOP k 0", setup: []string{"RPUSH other x"}, wake: []string{"RENAME other k"}, want: bArr(bBulk("k"), bBulk("x"))},
		// RENAME onto a key of another type: dbDelete + dbAdd wakes too.
		{block: "BLPOP k 0", setup: []string{"RPUSH other x"}, wake: []string{"SET k str", "RENAME other k"}, want: bArr(bBulk("k"), bBulk("x"))},
		{block: "BLPOP k 0", setup: []string{"SELECT 3", "RPUSH k x", "SELECT 0"}, wake: []string{"SELECT 3", "MOVE k 0", "SELECT 0"}, want: bArr(bBulk("k"), bBulk("x"))},
		{block: "BZPOPMAX z 0", setup: []string{"ZADD zsrc 1 m"}, wake: []string{"COPY zsrc z"}, want: bArr(bBulk("z"), bBulk("m"), bBulk("1"))},
		{block: "BLPOP k 0", setup: []string{"RPUSH src x"}, wake: []string{"COPY src k DB 5"}, want: bArr(bBulk("k"), bBulk("x")), db: "5"},
		{block: "BLPOP k 0", setup: []string{"SELECT 2", "RPUSH k x", "SELECT 0"}, wake: []string{"SWAPDB 0 2"}, want: bArr(bBulk("k"), bBulk("x"))},
		{block: "BLPOP k 0", wake: []string{"MULTI", "LPUSH k a", "LPUSH k b", "LPUSH k c", "EXEC"}, want: bArr(bBulk("k"), bBulk("c"))},
		{block: "BRPOPLPUSH k dst 0", wake: []string{"RPUSH k a"}, want: bBulk("a")},
		{block: "BLMOVE k dst LEFT LEFT 0", wake: []string{"RPUSH k a"}, want: bBulk("a")},
	} {
		ctl.do("FLUSHALL")
		for _, cmd := range tc.setup {
			ctl.do(cmd)
		}
		db := tc.db
		if db == "" {
			db = "0"
		}
		w.do("SELECT " + db)
		w.send(tc.block)
		waitBlocked(t, ctl, 1)
		for _, cmd := range tc.wake {
			ctl.do(cmd)
		}
		if got := w.read(); got != tc.want {
			t.Errorf("%s woken by %q = %q, want %q", tc.block, tc.wake, got, tc.want)
		}
		waitBlocked(t, ctl, 0)
	}

	// A transaction that creates and consumes the key serves nobody.
	ctl.do("FLUSHALL")
	w.do("SELECT 0")
	w.send("BLPOP k 0")
	waitBlocked(t, ctl, 1)
	ctl.do("MULTI")
	ctl.do("RPUSH k a")
	ctl.do("DEL k")
	if got := ctl.do("EXEC"); got != "*2\r\n:1\r\n:1\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	w.noReply(50 * time.Millisecond)
	ctl.do("RPUSH k b")
	if got := w.read(); got != bArr(bBulk("k"), bBulk("b")) {
		t.Errorf("after the transaction: %q", got)
	}
}

// TestBlockingChains: an element moved by a served BLMOVE wakes clients
// blocked on the destination in the same round (handleClientsBlockedOnKeys
// loops while keys become ready), including a circular chain (list.tcl
// "Linked LMOVEs", "Circular BRPOPLPUSH").
func TestBlockingChains(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	a, b := bdial(t, s), bdial(t, s)
	a.send("BLMOVE l1 l2 RIGHT LEFT 0")
	waitBlocked(t, ctl, 1)
	b.send("BLPOP l2 0")
	waitBlocked(t, ctl, 2)
	ctl.do("RPUSH l1 foo")
	if got := a.read(); got != bBulk("foo") {
		t.Errorf("BLMOVE = %q", got)
	}
	if got := b.read(); got != bArr(bBulk("l2"), bBulk("foo")) {
		t.Errorf("BLPOP l2 = %q", got)
	}
	waitBlocked(t, ctl, 0)
	if got := ctl.do("EXISTS l1 l2"); got != ":0\r\n" {
		t.Errorf("EXISTS = %q", got)
	}

	a.send("BRPOPLPUSH x y 0")
	waitBlocked(t, ctl, 1)
	b.send("BRPOPLPUSH y x 0")
	waitBlocked(t, ctl, 2)
	ctl.do("RPUSH x foo")
	if ga, gb := a.read(), b.read(); ga != bBulk("foo") || gb != bBulk("foo") {
		t.Errorf("circular: %q %q", ga, gb)
	}
	if got := ctl.do("LRANGE x 0 -1"); got != bArr(bBulk("foo")) {
		t.Errorf("x = %q", got)
	}
}

// TestBlockingTypeChanges: a client waits for its own type only (Redis
// 7.0: serveClientsBlockedOnListKey skips non-list waiters; a key
// created with another type leaves the waiter blocked until a key of its
// type appears). BLMOVE into a key of another type answers WRONGTYPE and
// moves nothing (serveClientBlockedOnList), and the next waiter is served.
func TestBlockingTypeChanges(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	zc, lc := bdial(t, s), bdial(t, s)
	zc.send("BZPOPMIN k 0")
	waitBlocked(t, ctl, 1)
	lc.send("BLPOP k 0")
	waitBlocked(t, ctl, 2)
	ctl.do("SET k str") // neither type
	zc.noReply(30 * time.Millisecond)
	ctl.do("DEL k")
	ctl.do("RPUSH k a") // the list waiter, though second, is served
	if got := lc.read(); got != bArr(bBulk("k"), bBulk("a")) {
		t.Errorf("BLPOP = %q", got)
	}
	zc.noReply(30 * time.Millisecond)
	waitBlocked(t, ctl, 1)
	ctl.do("ZADD k 3 m")
	if got := zc.read(); got != bArr(bBulk("k"), bBulk("m"), bBulk("3")) {
		t.Errorf("BZPOPMIN = %q", got)
	}
	waitBlocked(t, ctl, 0)

	// list.tcl "BRPOPLPUSH with multiple blocked clients".
	ctl.do("SET target1 nolist")
	zc.send("BRPOPLPUSH blist target1 0")
	waitBlocked(t, ctl, 1)
	lc.send("BRPOPLPUSH blist target2 0")
	waitBlocked(t, ctl, 2)
	ctl.do("LPUSH blist foo")
	if got := zc.read(); got != "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" {
		t.Errorf("BRPOPLPUSH into a string = %q", got)
	}
	if got := lc.read(); got != bBulk("foo") {
		t.Errorf("second BRPOPLPUSH = %q", got)
	}
	if got := ctl.do("LRANGE target2 0 -1"); got != bArr(bBulk("foo")) {
		t.Errorf("target2 = %q", got)
	}
	// The failed move counts as a failed call (updateStatsOnUnblock).
	if st := ctl.do("INFO commandstats"); !strings.Contains(st, "cmdstat_brpoplpush:calls=2,") || !strings.Contains(st, "failed_calls=1\r\n") {
		t.Errorf("commandstats: %q", st)
	}
}

// TestBlockingInMulti: inside MULTI a blocking command does not block: it
// answers as on timeout (CLIENT_DENY_BLOCKING), or pops if it can.
func TestBlockingInMulti(t *testing.T) {
	s := servertest.Start(t, nil)
	c := bdial(t, s)
	c.do("RPUSH full a")
	c.do("MULTI")
	for _, cmd := range []string{"BLPOP k 0", "BRPOPLPUSH k d 0", "BLMOVE k d LEFT LEFT 0", "BLMPOP 0 1 k LEFT", "BZPOPMIN k 0", "BZMPOP 0 1 k MIN", "BRPOP full 0"} {
		if got := c.do(cmd); got != "+QUEUED\r\n" {
			t.Fatalf("%s = %q", cmd, got)
		}
	}
	want := "*7\r\n" + nullArray + nullBulk + nullBulk + nullArray + nullArray + nullArray + bArr(bBulk("full"), bBulk("a"))
	if got := c.do("EXEC"); got != want {
		t.Errorf("EXEC = %q, want %q", got, want)
	}
	if got := infoField(t, c, "clients", "blocked_clients"); got != "0" {
		t.Errorf("blocked_clients = %s", got)
	}
}

// TestBlockingDisconnect: a client that goes away while blocked is no
// longer a waiter, so a later push is kept in the list; CLIENT KILL
// unblocks at once (freeClient -> unblockClient).
func TestBlockingDisconnect(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	for _, cmd := range []string{"BLPOP k 0", "BLMOVE k d LEFT LEFT 0", "BZPOPMIN k 0"} {
		gone := bdial(t, s)
		gone.send(cmd)
		waitBlocked(t, ctl, 1)
		gone.c.Close()
		waitBlocked(t, ctl, 0)
		if strings.HasPrefix(cmd, "BZ") {
			ctl.do("ZADD k 1 x")
		} else {
			ctl.do("RPUSH k x")
		}
		if got := ctl.do("EXISTS k"); got != ":1\r\n" {
			t.Errorf("%s: element lost to a gone client", cmd)
		}
		ctl.do("DEL k")
	}

	victim := bdial(t, s)
	id := bClientID(t, victim)
	victim.send("BLPOP k 0")
	waitBlocked(t, ctl, 1)
	if got := ctl.do("CLIENT KILL ID " + id); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL = %q", got)
	}
	// No waiting: the kill took the client off the key synchronously.
	if got := ctl.do("RPUSH k y"); got != ":1\r\n" {
		t.Fatalf("RPUSH = %q", got)
	}
	if got := ctl.do("LRANGE k 0 -1"); got != bArr(bBulk("y")) {
		t.Errorf("element lost to a killed client: %q", got)
	}
	_ = victim.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := victim.r.ReadByte(); err == nil {
		t.Errorf("killed client got data %q", b)
	}
	waitBlocked(t, ctl, 0)
}

// TestClientUnblock: CLIENT UNBLOCK id [TIMEOUT|ERROR] (networking.c): the
// timeout reply or the UNBLOCKED error, 1 if the client was blocked, else
// 0; the unblocked call counts as failed (updateStatsOnUnblock(..., 1)),
// and INFO errorstats counts UNBLOCKED (info.tcl "errorstats: blocking
// commands").
func TestClientUnblock(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	b := bdial(t, s)
	id := bClientID(t, b)
	ctl.do("CONFIG RESETSTAT")

	b.send("BLPOP k 0")
	waitBlocked(t, ctl, 1)
	if got := ctl.do("CLIENT UNBLOCK " + id); got != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK = %q", got)
	}
	if got := b.read(); got != nullArray {
		t.Errorf("unblocked (timeout) = %q", got)
	}
	waitBlocked(t, ctl, 0)
	if got := ctl.do("CLIENT UNBLOCK " + id); got != ":0\r\n" {
		t.Errorf("CLIENT UNBLOCK of a client not blocked = %q", got)
	}

	b.send("BLMOVE k d LEFT LEFT 0")
	waitBlocked(t, ctl, 1)
	if got := ctl.do("CLIENT UNBLOCK " + id + " TIMEOUT"); got != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK TIMEOUT = %q", got)
	}
	if got := b.read(); got != nullArray {
		t.Errorf("BLMOVE unblocked = %q", got)
	}

	b.send("BZPOPMIN k 0")
	waitBlocked(t, ctl, 1)
	if got := ctl.do("CLIENT UNBLOCK " + id + " error"); got != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK ERROR = %q", got)
	}
	if got := b.read(); got != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Errorf("unblocked (error) = %q", got)
	}
	waitBlocked(t, ctl, 0)
	// The client works normally afterwards; the key was not touched.
	ctl.do("RPUSH k v")
	if got := b.do("LPOP k"); got != bBulk("v") {
		t.Errorf("LPOP after unblock = %q", got)
	}
	st := ctl.do("INFO commandstats")
	for _, want := range []string{"cmdstat_blpop:calls=1,", "cmdstat_bzpopmin:calls=1,"} {
		i := strings.Index(st, want)
		if i < 0 || !strings.HasPrefix(st[i+strings.Index(st[i:], "failed_calls="):], "failed_calls=1\r\n") {
			t.Errorf("commandstats has no %s...failed_calls=1: %q", want, st)
		}
	}
	if es := ctl.do("INFO errorstats"); !strings.Contains(es, "errorstat_UNBLOCKED:count=1\r\n") {
		t.Errorf("errorstats: %q", es)
	}
}

// TestBlockingIntrospection: INFO blocked_clients and CLIENT LIST's b flag
// and cmd while blocked; a pipelined command after the blocking one runs
// once it is served, replies in order.
func TestBlockingIntrospection(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	b := bdial(t, s)
	id := bClientID(t, b)
	b.c.Write(append(encodeCmd(nil, "BLPOP", "k", "0"), encodeCmd(nil, "PING")...))
	waitBlocked(t, ctl, 1)
	list := ctl.do("CLIENT LIST ID " + id)
	if !strings.Contains(list, " flags=b ") || !strings.Contains(list, " cmd=blpop ") {
		t.Errorf("CLIENT LIST of a blocked client: %q", list)
	}
	if info := ctl.do("CLIENT INFO"); strings.Contains(info, "flags=b ") {
		t.Errorf("CLIENT INFO of the caller shows b: %q", info)
	}
	b.noReply(30 * time.Millisecond) // PING waits behind BLPOP
	ctl.do("RPUSH k v")
	if got := b.read(); got != bArr(bBulk("k"), bBulk("v")) {
		t.Errorf("BLPOP = %q", got)
	}
	if got := b.read(); got != "+PONG\r\n" {
		t.Errorf("pipelined PING = %q", got)
	}
	waitBlocked(t, ctl, 0)
	if list := ctl.do("CLIENT LIST ID " + id); !strings.Contains(list, " flags=N ") {
		t.Errorf("CLIENT LIST after serving: %q", list)
	}
}

// TestBlockingStress runs consumers blocked on one list against a producer
// and a client that keeps unblocking them from inside MULTI/EXEC with a
// whole-keyspace command (so EXEC holds every shard while CLIENT UNBLOCK
// runs, racing with the serving of the same waiters). Every element must
// be received exactly once or left in the list, and nothing may deadlock.
func TestBlockingStress(t *testing.T) {
	s := servertest.Start(t, nil)
	const consumers, elements = 6, 1500
	ctl := bdial(t, s)
	ids := make([]string, consumers)
	conns := make([]*bconn, consumers)
	for i := range conns {
		conns[i] = bdial(t, s)
		ids[i] = bClientID(t, conns[i])
	}
	got := make(chan string, elements)
	stop := make(chan struct{})
	done := make(chan struct{}, consumers)
	for _, c := range conns {
		go func(c *bconn) {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.c.Write(encodeCmd(nil, "BLPOP", "q", "0.2")); err != nil {
					return
				}
				_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
				var out []byte
				if err := readRawReply(c.r, &out); err != nil {
					return
				}
				if r := string(out); r != nullArray {
					got <- r
				}
			}
		}(c)
	}
	unblocker := bdial(t, s)
	ustop := make(chan struct{})
	udone := make(chan struct{})
	go func() {
		defer close(udone)
		for i := 0; ; i++ {
			select {
			case <-ustop:
				return
			default:
			}
			var b []byte
			b = encodeCmd(b, "MULTI")
			b = encodeCmd(b, "KEYS", "nomatch*")
			b = encodeCmd(b, "CLIENT", "UNBLOCK", ids[i%consumers])
			b = encodeCmd(b, "EXEC")
			if _, err := unblocker.c.Write(b); err != nil {
				return
			}
			for range 4 {
				var out []byte
				_ = unblocker.c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if err := readRawReply(unblocker.r, &out); err != nil {
					t.Errorf("unblocker: %v", err)
					return
				}
			}
		}
	}()
	for i := range elements {
		ctl.doArgs("RPUSH", "q", strconv.Itoa(i))
	}
	deadline := time.After(20 * time.Second)
	seen := map[string]bool{}
	for len(seen) < elements {
		select {
		case r := <-got:
			if seen[r] {
				t.Fatalf("element served twice: %q", r)
			}
			seen[r] = true
		case <-deadline:
			t.Fatalf("only %d of %d elements received (LLEN %q): lost or deadlocked", len(seen), elements, ctl.do("LLEN q"))
		}
	}
	close(ustop)
	<-udone
	close(stop)
	for range consumers {
		<-done
	}
}

// TestBlockingExpiredKey: a key that is already expired when it would
// serve a waiter leaves it blocked (list.tcl "SWAPDB wants to wake blocked
// client, but the key already expired" and "MULTI + LPUSH + EXPIRE + DEBUG
// SLEEP on blocked client, key already expired").
func TestBlockingExpiredKey(t *testing.T) {
	s := servertest.Start(t, nil)
	ctl := bdial(t, s)
	b := bdial(t, s)
	id := bClientID(t, b)
	ctl.do("DEBUG SET-ACTIVE-EXPIRE 0")

	ctl.do("SELECT 1")
	ctl.do("RPUSH k hello")
	ctl.do("PEXPIRE k 100")
	b.do("SELECT 9")
	b.send("BRPOP k 1")
	waitBlocked(t, ctl, 1)
	time.Sleep(110 * time.Millisecond)
	if got := ctl.do("SWAPDB 1 9"); got != "+OK\r\n" {
		t.Fatalf("SWAPDB = %q", got)
	}
	if list := ctl.do("CLIENT LIST ID " + id); !strings.Contains(list, "flags=b") {
		t.Errorf("SWAPDB of an expired key served the client: %q", list)
	}
	ctl.do("CLIENT UNBLOCK " + id)
	if got := b.read(); got != nullArray {
		t.Errorf("BRPOP = %q", got)
	}

	ctl.do("SELECT 9")
	b.send("BRPOP k2 0")
	waitBlocked(t, ctl, 1)
	ctl.do("MULTI")
	ctl.do("RPUSH k2 hello")
	ctl.do("PEXPIRE k2 100")
	ctl.do("DEBUG SLEEP 0.2")
	if got := ctl.do("EXEC"); got != "*3\r\n:1\r\n:1\r\n+OK\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if list := ctl.do("CLIENT LIST ID " + id); !strings.Contains(list, "flags=b") {
		t.Errorf("EXEC served an expired key: %q", list)
	}
	ctl.do("CLIENT UNBLOCK " + id)
	if got := b.read(); got != nullArray {
		t.Errorf("BRPOP = %q", got)
	}
	ctl.do("DEBUG SET-ACTIVE-EXPIRE 1")
}
