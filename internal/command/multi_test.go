package command_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of MULTI/EXEC/DISCARD/WATCH/UNWATCH. Expected replies are
// Redis 7.0.15's (src/multi.c, processCommand in src/server.c, the
// tests/unit/multi.tcl cases named below), checked against redis-server
// 7.0.15 and written as raw RESP. tests/diff/multi_test.go compares with
// the real server; these tests add what needs the manual clock (expiry)
// or many goroutines (isolation).

// txEpoch is the manual clock's start.
var txEpoch = time.UnixMilli(1700000000000)

// txConn is a raw RESP connection.
type txConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func txStart(t *testing.T) *servertest.Server {
	t.Helper()
	return servertest.Start(t, nil, servertest.WithClock(servertest.NewClock(txEpoch)))
}

func txDial(t *testing.T, s *servertest.Server) *txConn {
	t.Helper()
	c := s.Dial(t)
	return &txConn{t: t, c: c, r: bufio.NewReader(c)}
}

func txEncode(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// send writes a command without reading its reply.
func (tc *txConn) send(args ...string) {
	tc.t.Helper()
	_ = tc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := tc.c.Write(txEncode(nil, args...)); err != nil {
		tc.t.Fatalf("write %q: %v", args, err)
	}
}

// read reads one raw reply.
func (tc *txConn) read() string {
	tc.t.Helper()
	_ = tc.c.SetDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	if err := txReadRaw(tc.r, &out); err != nil {
		tc.t.Fatalf("read reply: %v", err)
	}
	return string(out)
}

// do sends a command and returns its raw reply.
func (tc *txConn) do(args ...string) string {
	tc.t.Helper()
	tc.send(args...)
	return tc.read()
}

// want runs a command and checks its raw reply.
func (tc *txConn) want(want string, args ...string) {
	tc.t.Helper()
	if got := tc.do(args...); got != want {
		tc.t.Errorf("%q:\n got  %q\n want %q", args, got, want)
	}
}

func txReadRaw(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	if len(line) < 3 {
		return errors.New("short line")
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '*', '~', '>', '%':
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := txReadRaw(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

const (
	txOK       = "+OK\r\n"
	txQueued   = "+QUEUED\r\n"
	txNullArr  = "*-1\r\n"
	txPongExec = "*1\r\n+PONG\r\n"
	txAbort    = "-EXECABORT Transaction discarded because of previous errors.\r\n"
)

// txRun runs MULTI, the commands and EXEC, checking MULTI's and the
// QUEUED replies, and returns EXEC's reply.
func (tc *txConn) txRun(cmds ...[]string) string {
	tc.t.Helper()
	tc.want(txOK, "MULTI")
	for _, c := range cmds {
		tc.want(txQueued, c...)
	}
	return tc.do("EXEC")
}

// TestMultiBasics: multi.tcl "MULTI / EXEC basics", "DISCARD", "MULTI where
// commands alter argc/argv".
func TestMultiBasics(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	c.want(":3\r\n", "RPUSH", "mylist", "a", "b", "c")
	if got := c.txRun([]string{"LRANGE", "mylist", "0", "-1"}, []string{"PING"}); got != "*2\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n+PONG\r\n" {
		t.Errorf("EXEC = %q", got)
	}
	c.want(txOK, "MULTI")
	c.want(txQueued, "DEL", "mylist")
	c.want(txOK, "DISCARD")
	c.want(":3\r\n", "LLEN", "mylist")
	c.want("+PONG\r\n", "PING") // out of MULTI
	c.want(":1\r\n", "SADD", "myset", "a")
	if got := c.txRun([]string{"SPOP", "myset"}); got != "*1\r\n$1\r\na\r\n" {
		t.Errorf("EXEC SPOP = %q", got)
	}
	c.want(":0\r\n", "EXISTS", "myset")
	// An empty transaction.
	if got := c.txRun(); got != "*0\r\n" {
		t.Errorf("empty EXEC = %q", got)
	}
}

// TestMultiQueueErrors: a command rejected while queueing (unknown, wrong
// arity, no-multi) aborts EXEC and nothing runs; the client leaves MULTI
// (multi.tcl "EXEC fails if there are errors while queueing commands #1",
// "If EXEC aborts, the client MULTI state is cleared", "MULTI with SAVE").
func TestMultiQueueErrors(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	for _, bad := range []struct {
		args []string
		err  string
	}{
		{[]string{"NON-EXISTING-COMMAND", "x"}, "-ERR unknown command 'NON-EXISTING-COMMAND', with args beginning with: 'x' \r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"OBJECT", "NOSUCH"}, "-ERR unknown subcommand 'NOSUCH'. Try OBJECT HELP.\r\n"},
		{[]string{"CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command\r\n"},
		{[]string{"SHUTDOWN"}, "-ERR Command not allowed inside a transaction\r\n"},
	} {
		c.want(txOK, "MULTI")
		c.want(txQueued, "SET", "foo1", "bar1")
		c.want(bad.err, bad.args...)
		c.want(txQueued, "SET", "foo2", "bar2")
		c.want(txAbort, "EXEC")
		c.want(":0\r\n", "EXISTS", "foo1", "foo2")
		c.want("+PONG\r\n", "PING")
	}
	// EXEC itself rejected: its reason is quoted without "ERR".
	c.want(txOK, "MULTI")
	c.want(txQueued, "SET", "foo1", "bar1")
	c.want("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "x")
	c.want("+PONG\r\n", "PING")
	c.want(":0\r\n", "EXISTS", "foo1")
}

// TestMultiExecAbortNoAuth: a rejection with a specific code keeps it in
// the EXECABORT reason (execCommandAbort quotes shared.noautherr).
func TestMultiExecAbortNoAuth(t *testing.T) {
	s := servertest.Start(t, []string{"--requirepass", "pw"})
	c := txDial(t, s)
	c.want("-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n", "EXEC")
	c.want("-NOAUTH Authentication required.\r\n", "MULTI")
}

// TestMultiRuntimeErrors: a command that fails when run fails alone; the
// others run and nothing is rolled back (https://redis.io/docs/interact/transactions/
// "Errors inside a transaction").
func TestMultiRuntimeErrors(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	c.want(txOK, "SET", "str", "x")
	got := c.txRun(
		[]string{"SET", "a", "1"},
		[]string{"LPUSH", "str", "v"},
		[]string{"INCR", "str"},
		[]string{"SET", "b", "2"},
		[]string{"SET", "a", "1", "EX", "-5"},
	)
	want := "*5\r\n+OK\r\n" +
		"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
		"-ERR value is not an integer or out of range\r\n" +
		"+OK\r\n" +
		"-ERR invalid expire time in 'set' command\r\n"
	if got != want {
		t.Errorf("EXEC =\n %q\nwant\n %q", got, want)
	}
	c.want("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "a", "b")
}

// TestMultiStateErrors: nested MULTI, EXEC/DISCARD without MULTI and WATCH
// inside MULTI are errors of the command alone: the transaction goes on
// (multi.tcl "Nested MULTI are not allowed", "WATCH inside MULTI is not
// allowed").
func TestMultiStateErrors(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	c.want("-ERR EXEC without MULTI\r\n", "EXEC")
	c.want("-ERR DISCARD without MULTI\r\n", "DISCARD")
	c.want(txOK, "MULTI")
	c.want("-ERR MULTI calls can not be nested\r\n", "MULTI")
	c.want("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "x")
	c.want(txQueued, "SET", "x", "1")
	c.want(txQueued, "UNWATCH") // queued, unlike WATCH
	c.want("*2\r\n+OK\r\n+OK\r\n", "EXEC")
	c.want("-ERR EXEC without MULTI\r\n", "EXEC")
}

// TestMultiClientList: CLIENT LIST shows multi=-1 outside MULTI, else the
// number of queued commands, which stops growing once the transaction is
// doomed (queueMultiCommand); cmd= is the last command queued.
func TestMultiClientList(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	other := txDial(t, s)
	c.want(txOK, "CLIENT", "SETNAME", "tx")
	field := func(name string) string {
		t.Helper()
		for _, line := range strings.Split(other.do("CLIENT", "LIST"), "\n") {
			if !strings.Contains(line, " name=tx ") {
				continue
			}
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, name+"=") {
					return f
				}
			}
		}
		t.Fatalf("no %s in CLIENT LIST", name)
		return ""
	}
	if f := field("multi"); f != "multi=-1" {
		t.Errorf("before MULTI: %s", f)
	}
	c.want(txOK, "MULTI")
	if f, fl := field("multi"), field("flags"); f != "multi=0" || fl != "flags=x" {
		t.Errorf("after MULTI: %s %s", f, fl)
	}
	c.want(txQueued, "SET", "a", "1")
	c.want(txQueued, "GET", "a")
	if f, cmd := field("multi"), field("cmd"); f != "multi=2" || cmd != "cmd=get" {
		t.Errorf("two queued: %s %s", f, cmd)
	}
	c.do("NOSUCHCMD")
	c.want(txQueued, "SET", "b", "2")
	if f := field("multi"); f != "multi=2" {
		t.Errorf("after a queueing error: %s", f)
	}
	c.want(txAbort, "EXEC")
	if f, fl := field("multi"), field("flags"); f != "multi=-1" || fl != "flags=N" {
		t.Errorf("after EXEC: %s %s", f, fl)
	}
	// A touched watched key shows as flag d and stops the queueing too.
	c.want(txOK, "WATCH", "w")
	other.want(txOK, "SET", "w", "1")
	c.want(txOK, "MULTI")
	c.want(txQueued, "SET", "a", "1")
	if f, fl := field("multi"), field("flags"); f != "multi=0" || fl != "flags=xd" {
		t.Errorf("dirty: %s %s", f, fl)
	}
	c.want(txNullArr, "EXEC")
}

// watchOp is a write from another connection that must make a WATCHed
// key's EXEC fail (or, with touch false, must not).
type watchOp struct {
	name  string
	setup [][]string // on the watching connection, before WATCH
	watch string     // the key watched (in db 0)
	op    [][]string // on the other connection
	touch bool
}

func TestWatchTouchedByOtherConnections(t *testing.T) {
	ops := []watchOp{
		{"SET", nil, "k", [][]string{{"SET", "k", "v"}}, true},
		{"SET same value", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"SET", "k", "v"}}, true},
		{"SET NX existing", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"SET", "k", "v", "NX"}}, false},
		{"DEL", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"DEL", "k"}}, true},
		{"DEL missing", nil, "k", [][]string{{"DEL", "k"}}, false},
		{"UNLINK", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"UNLINK", "k"}}, true},
		{"EXPIRE", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"EXPIRE", "k", "100"}}, true},
		{"PERSIST", [][]string{{"SET", "k", "v", "EX", "100"}}, "k", [][]string{{"PERSIST", "k"}}, true},
		{"INCR", nil, "k", [][]string{{"INCR", "k"}}, true},
		{"APPEND", nil, "k", [][]string{{"APPEND", "k", "x"}}, true},
		{"RENAME source", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"RENAME", "k", "k2"}}, true},
		{"RENAME target", [][]string{{"SET", "k2", "v"}}, "k", [][]string{{"RENAME", "k2", "k"}}, true},
		{"MOVE source", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"MOVE", "k", "1"}}, true},
		{"MOVE into watched db", nil, "k", [][]string{{"SELECT", "1"}, {"SET", "k", "v"}, {"MOVE", "k", "0"}}, true},
		{"COPY target", [][]string{{"SET", "src", "v"}}, "k", [][]string{{"COPY", "src", "k"}}, true},
		{"other db", nil, "k", [][]string{{"SELECT", "1"}, {"SET", "k", "v"}}, false},
		{"other key", nil, "k", [][]string{{"SET", "k2", "v"}}, false},
		{"FLUSHDB", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"FLUSHDB"}}, true},
		{"FLUSHDB key missing", nil, "k", [][]string{{"FLUSHDB"}}, false},
		{"FLUSHALL", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"FLUSHALL"}}, true},
		{"FLUSHDB other db", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"SELECT", "1"}, {"FLUSHDB"}}, false},
		{"SWAPDB key exists", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"SWAPDB", "0", "1"}}, true},
		{"SWAPDB key created", [][]string{{"SELECT", "1"}, {"SET", "k", "v"}, {"SELECT", "0"}}, "k", [][]string{{"SWAPDB", "1", "0"}}, true},
		{"SWAPDB missing in both", nil, "k", [][]string{{"SWAPDB", "0", "1"}}, false},
		{"LPUSH", nil, "k", [][]string{{"LPUSH", "k", "a"}}, true},
		{"SADD", nil, "k", [][]string{{"SADD", "k", "a"}}, true},
		{"HSET", nil, "k", [][]string{{"HSET", "k", "f", "v"}}, true},
		{"ZADD", nil, "k", [][]string{{"ZADD", "k", "1", "a"}}, true},
		{"SETBIT", nil, "k", [][]string{{"SETBIT", "k", "7", "1"}}, true},
		{"transaction", nil, "k", [][]string{{"MULTI"}, {"SET", "k", "v"}, {"EXEC"}}, true},
		{"discarded transaction", nil, "k", [][]string{{"MULTI"}, {"SET", "k", "v"}, {"DISCARD"}}, false},
		{"read", [][]string{{"SET", "k", "v"}}, "k", [][]string{{"GET", "k"}, {"TTL", "k"}}, false},
	}
	s := txStart(t)
	c := txDial(t, s)
	other := txDial(t, s)
	for _, op := range ops {
		c.want(txOK, "FLUSHALL")
		for _, cmd := range op.setup {
			c.do(cmd...)
		}
		c.want(txOK, "SELECT", "0")
		c.want(txOK, "WATCH", op.watch)
		for _, cmd := range op.op {
			other.do(cmd...)
		}
		other.want(txOK, "SELECT", "0")
		want := txPongExec
		if op.touch {
			want = txNullArr
		}
		if got := c.txRun([]string{"PING"}); got != want {
			t.Errorf("%s: EXEC = %q, want %q", op.name, got, want)
		}
	}
}

// TestWatchSemantics: which WATCH states EXEC and friends leave behind
// (multi.tcl "After successful EXEC key is no longer watched", "After
// failed EXEC...", "It is possible to UNWATCH", "DISCARD should clear the
// WATCH dirty flag", "DISCARD should UNWATCH all the keys", "WATCH is able
// to remember the DB a key belongs to", "EXEC fail on WATCHed key modified
// (1 key of 5 watched)").
func TestWatchSemantics(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	other := txDial(t, s)

	// A watched key that does not exist, then is created.
	c.want(txOK, "WATCH", "new")
	other.want(":1\r\n", "INCR", "new")
	if got := c.txRun([]string{"INCR", "new"}); got != txNullArr {
		t.Errorf("created watched key: EXEC = %q", got)
	}
	// One of five keys.
	c.want(txOK, "WATCH", "a", "b", "x", "k", "z")
	other.want(txOK, "SET", "x", "40")
	if got := c.txRun([]string{"PING"}); got != txNullArr {
		t.Errorf("1 key of 5: EXEC = %q", got)
	}
	// After EXEC (failed or not) nothing is watched any more.
	other.want(txOK, "SET", "x", "41")
	if got := c.txRun([]string{"PING"}); got != txPongExec {
		t.Errorf("after failed EXEC: %q", got)
	}
	c.want(txOK, "WATCH", "x")
	if got := c.txRun([]string{"PING"}); got != txPongExec {
		t.Errorf("unmodified: %q", got)
	}
	other.want(txOK, "SET", "x", "42")
	if got := c.txRun([]string{"PING"}); got != txPongExec {
		t.Errorf("after successful EXEC: %q", got)
	}
	// UNWATCH, also when dirty.
	c.want(txOK, "WATCH", "x")
	other.want(txOK, "SET", "x", "43")
	c.want(txOK, "UNWATCH")
	if got := c.txRun([]string{"PING"}); got != txPongExec {
		t.Errorf("after UNWATCH: %q", got)
	}
	c.want(txOK, "UNWATCH")
	// DISCARD clears the flag and the watches.
	c.want(txOK, "WATCH", "x")
	c.want(txOK, "SET", "x", "10") // our own write touches too
	c.want(txOK, "MULTI")
	c.want(txOK, "DISCARD")
	other.want(txOK, "SET", "x", "10")
	if got := c.txRun([]string{"INCR", "x"}); got != "*1\r\n:11\r\n" {
		t.Errorf("after DISCARD: %q", got)
	}
	// The DB a key was watched in counts, not the client's current one.
	c.want(txOK, "SELECT", "5")
	c.want(txOK, "SET", "x", "30")
	c.want(txOK, "WATCH", "x")
	c.want(txOK, "SELECT", "1")
	c.want(txOK, "SET", "x", "10")
	c.want(txOK, "SELECT", "5")
	if got := c.txRun([]string{"PING"}); got != txPongExec {
		t.Errorf("other db: %q", got)
	}
	c.want(txOK, "WATCH", "x")
	c.want(txOK, "SELECT", "1")
	other.want(txOK, "SELECT", "5")
	other.want(txOK, "SET", "x", "31")
	if got := c.txRun([]string{"PING"}); got != txNullArr {
		t.Errorf("watched db written from elsewhere: %q", got)
	}
	// WATCH while already dirty is a no-op that answers OK; the abort stays.
	c.want(txOK, "WATCH", "y")
	other.want(txOK, "SELECT", "1")
	other.want(txOK, "SET", "y", "1")
	c.want(txOK, "WATCH", "y2")
	if got := c.txRun([]string{"PING"}); got != txNullArr {
		t.Errorf("dirty then WATCH: %q", got)
	}
}

// TestWatchExpiry: a watched key that expires before EXEC fails it; one
// already stale when watched does not (multi.tcl "EXEC fail on lazy
// expired WATCHed key", "WATCH stale keys should not fail EXEC", "Delete
// WATCHed stale keys should not fail EXEC", "FLUSHDB while watching stale
// keys should not fail EXEC", "SWAPDB does not touch watched stale keys",
// "SWAPDB does not touch non-existing key replaced with stale key", "SWAPDB
// does not touch stale key replaced with another stale key", "WATCH will
// consider touched expired keys"; isWatchedKeyExpired in multi.c).
func TestWatchExpiry(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	adv := func() { s.Clock.Advance(200 * time.Millisecond) }
	c.want(txOK, "DEBUG", "SET-ACTIVE-EXPIRE", "0")

	steps := []struct {
		name string
		run  func() string // returns EXEC's reply
		want string
	}{
		{"expires between WATCH and EXEC (lazy, at EXEC)", func() string {
			c.want(txOK, "SET", "key", "1", "PX", "100")
			c.want(txOK, "WATCH", "key")
			adv()
			return c.txRun([]string{"INCR", "key"})
		}, txNullArr},
		{"expires before MULTI, deleted by a read", func() string {
			c.want(txOK, "SET", "key", "1", "PX", "100")
			c.want(txOK, "WATCH", "key")
			adv()
			c.want(":0\r\n", "EXISTS", "key")
			return c.txRun([]string{"PING"})
		}, txNullArr},
		{"expires while queueing", func() string {
			c.want(txOK, "SET", "key", "1", "PX", "100")
			c.want(txOK, "WATCH", "key")
			c.want(txOK, "MULTI")
			c.want(txQueued, "PING")
			adv()
			return c.do("EXEC")
		}, txNullArr},
		{"stale when watched", func() string {
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			adv()
			c.want(txOK, "WATCH", "x")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"stale when watched, then deleted", func() string {
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			adv()
			c.want(txOK, "WATCH", "x")
			c.want(":0\r\n", "EXISTS", "x")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"stale when watched, then FLUSHDB", func() string {
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			adv()
			c.want(txOK, "WATCH", "x")
			c.want(txOK, "FLUSHDB")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"live when watched, stale at FLUSHDB", func() string {
			c.want(txOK, "SET", "x", "foo", "PX", "100")
			c.want(txOK, "WATCH", "x")
			adv()
			c.want(txOK, "FLUSHDB") // must not deadlock on the expiry hook
			return c.txRun([]string{"PING"})
		}, txNullArr},
		{"SWAPDB: stale replaced by nothing", func() string {
			c.want(txOK, "FLUSHALL")
			c.want(txOK, "SELECT", "1")
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			adv()
			c.want(txOK, "WATCH", "x")
			c.want(txOK, "SWAPDB", "0", "1")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"SWAPDB: nothing replaced by stale", func() string {
			c.want(txOK, "FLUSHALL")
			c.want(txOK, "SELECT", "0")
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			adv()
			c.want(txOK, "SELECT", "1")
			c.want(txOK, "WATCH", "x")
			c.want(txOK, "SWAPDB", "0", "1")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"SWAPDB: stale replaced by stale", func() string {
			c.want(txOK, "FLUSHALL")
			c.want(txOK, "SELECT", "1")
			c.want(txOK, "SET", "x", "foo", "PX", "1")
			c.want(txOK, "SELECT", "0")
			c.want(txOK, "SET", "x", "bar", "PX", "1")
			adv()
			c.want(txOK, "SELECT", "1")
			c.want(txOK, "WATCH", "x")
			c.want(txOK, "SWAPDB", "0", "1")
			return c.txRun([]string{"PING"})
		}, txPongExec},
		{"SWAPDB: live replaced by stale", func() string {
			c.want(txOK, "FLUSHALL")
			c.want(txOK, "SELECT", "0")
			c.want(txOK, "SET", "x", "foo", "PX", "100")
			c.want(txOK, "SELECT", "1")
			c.want(txOK, "SET", "x", "bar", "PX", "100")
			c.want(txOK, "WATCH", "x")
			adv()
			c.want(txOK, "SWAPDB", "0", "1")
			return c.txRun([]string{"PING"})
		}, txNullArr},
		{"expired by the active cycle", func() string {
			c.want(txOK, "SELECT", "0")
			c.want(txOK, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
			c.want(txOK, "SET", "x", "foo", "PX", "100")
			c.want(txOK, "WATCH", "x")
			adv()
			// Wait (wall clock) for the cron's active expire cycle.
			deadline := time.Now().Add(5 * time.Second)
			for c.do("DBSIZE") != ":0\r\n" && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			r := c.txRun([]string{"PING"})
			c.want(txOK, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
			return r
		}, txNullArr},
	}
	for _, st := range steps {
		if got := st.run(); got != st.want {
			t.Errorf("%s: EXEC = %q, want %q", st.name, got, st.want)
		}
		c.want(txOK, "UNWATCH")
	}
}

// TestMultiSelect: SELECT inside MULTI switches the database for the
// commands queued after it, and stays switched after EXEC.
func TestMultiSelect(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	got := c.txRun([]string{"SET", "k", "db0"}, []string{"SELECT", "3"}, []string{"SET", "k", "db3"}, []string{"GET", "k"})
	if got != "*4\r\n+OK\r\n+OK\r\n+OK\r\n$3\r\ndb3\r\n" {
		t.Errorf("EXEC = %q", got)
	}
	c.want("$3\r\ndb3\r\n", "GET", "k")
	c.want(txOK, "SELECT", "0")
	c.want("$3\r\ndb0\r\n", "GET", "k")
	// A failed SELECT inside leaves the database as it was.
	got = c.txRun([]string{"SELECT", "99"}, []string{"GET", "k"})
	if got != "*2\r\n-ERR DB index is out of range\r\n$3\r\ndb0\r\n" {
		t.Errorf("EXEC = %q", got)
	}
}

// TestMultiBlockingCommands: blocking commands in MULTI do not block: they
// answer as on timeout (multi.tcl "Blocking commands ignores the timeout";
// execCommand sets CLIENT_DENY_BLOCKING). One that finds data is served.
func TestMultiBlockingCommands(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	got := c.txRun(
		[]string{"BLPOP", "empty", "0"},
		[]string{"BRPOP", "empty", "0"},
		[]string{"BRPOPLPUSH", "empty1", "empty2", "0"},
		[]string{"BLMOVE", "empty1", "empty2", "LEFT", "LEFT", "0"},
		[]string{"BLMPOP", "0", "1", "empty", "LEFT"},
		[]string{"BZPOPMIN", "emptyz", "0"},
		[]string{"BZPOPMAX", "emptyz", "0"},
		[]string{"BZMPOP", "0", "1", "emptyz", "MIN"},
		[]string{"RPUSH", "l", "a"},
		[]string{"BLPOP", "l", "0"},
	)
	want := "*10\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\na\r\n"
	if got != want {
		t.Errorf("EXEC =\n %q\nwant\n %q", got, want)
	}
	c.want(":0\r\n", "EXISTS", "empty2", "l")

	// RESP3: the timeout replies are nulls.
	c.do("HELLO", "3")
	got = c.txRun([]string{"BLPOP", "empty", "0"}, []string{"BLMOVE", "a", "b", "LEFT", "LEFT", "0"})
	if got != "*2\r\n_\r\n_\r\n" {
		t.Errorf("RESP3 EXEC = %q", got)
	}
}

// TestMultiWakesBlockedClients: a push inside EXEC serves a client blocked
// on the key once the transaction is done, and the served pop counts as a
// write for WATCH.
func TestMultiWakesBlockedClients(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	blocked := txDial(t, s)
	watcher := txDial(t, s)
	blocked.send("BLPOP", "q", "0")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.do("INFO", "clients"), "blocked_clients:1") {
		if time.Now().After(deadline) {
			t.Fatal("client did not block")
		}
		time.Sleep(5 * time.Millisecond)
	}
	watcher.want(txOK, "WATCH", "q")
	if got := c.txRun([]string{"RPUSH", "q", "a", "b"}, []string{"LLEN", "q"}); got != "*2\r\n:2\r\n:2\r\n" {
		t.Errorf("EXEC = %q", got)
	}
	if got := blocked.read(); got != "*2\r\n$1\r\nq\r\n$1\r\na\r\n" {
		t.Errorf("BLPOP = %q", got)
	}
	c.want(":1\r\n", "LLEN", "q")
	if got := watcher.txRun([]string{"PING"}); got != txNullArr {
		t.Errorf("watcher EXEC = %q", got)
	}
}

// TestExecRESP3: EXEC's reply array holds each command's RESP3 reply, and
// an aborted EXEC is a RESP3 null (shared.nullarray[3]).
func TestExecRESP3(t *testing.T) {
	s := txStart(t)
	c := txDial(t, s)
	other := txDial(t, s)
	c.do("HELLO", "3")
	c.want(":2\r\n", "HSET", "h", "f", "v", "g", "w")
	got := c.txRun(
		[]string{"HGETALL", "h"},
		[]string{"GET", "nokey"},
		[]string{"SMEMBERS", "noset"},
		[]string{"INCRBYFLOAT", "fl", "1.5"},
		[]string{"ZADD", "z", "1.5", "m"},
		[]string{"ZSCORE", "z", "m"},
	)
	want := "*6\r\n%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n_\r\n~0\r\n$3\r\n1.5\r\n:1\r\n,1.5\r\n"
	if got != want {
		t.Errorf("EXEC =\n %q\nwant\n %q", got, want)
	}
	c.want(txOK, "WATCH", "h")
	other.want(":1\r\n", "DEL", "h")
	if got := c.txRun([]string{"PING"}); got != "_\r\n" {
		t.Errorf("aborted RESP3 EXEC = %q", got)
	}
}

// TestMultiMonitor: MONITOR shows MULTI when it runs, the queued commands
// when EXEC runs them (in the database they run in), then EXEC; a
// transaction aborted by a queueing error shows MULTI and EXEC only
// (introspection.tcl "MONITOR correctly handles multi-exec cases").
func TestMultiMonitor(t *testing.T) {
	s := txStart(t)
	mon := txDial(t, s)
	c := txDial(t, s)
	mon.want(txOK, "MONITOR")
	c.txRun([]string{"SET", "foo", "bar"}, []string{"SELECT", "2"}, []string{"GET", "foo"})
	c.want(txOK, "MULTI")
	c.do("SYNTAX", "ERROR")
	c.want(txAbort, "EXEC")
	c.want(txOK, "MULTI")
	c.do("EXEC", "x")
	want := []string{
		`[0 ] "MULTI"`, `[0 ] "SET" "foo" "bar"`, `[2 ] "SELECT" "2"`, `[2 ] "GET" "foo"`, `[2 ] "EXEC"`,
		`[2 ] "MULTI"`, `[2 ] "EXEC"`,
		`[2 ] "MULTI"`, `[2 ] "EXEC" "x"`,
	}
	for i, w := range want {
		line := mon.read()
		// "+1700000000.123456 [0 127.0.0.1:1234] ..." -> "[0 ] ..."
		if sp := strings.IndexByte(line, ' '); sp > 0 {
			line = line[sp+1:]
		}
		if a, b := strings.IndexByte(line, ' '), strings.IndexByte(line, ']'); a > 0 && b > a {
			line = line[:a+1] + line[b:]
		}
		line = strings.TrimSuffix(line, "\r\n")
		if line != w {
			t.Errorf("monitor line %d = %q, want %q", i, line, w)
		}
	}
}

// TestMultiPauseWrite: under CLIENT PAUSE WRITE a queued write waits, and
// EXEC waits when its queue holds a write; reads run (pause.tcl "Test
// read-only multi-execs are not blocked by pause RO", "Test write
// multi-execs are blocked by pause RO").
func TestMultiPauseWrite(t *testing.T) {
	s := servertest.Start(t, nil)
	admin := txDial(t, s)
	c := txDial(t, s)
	c.want(txOK, "MULTI")
	c.want(txQueued, "SET", "foo", "bar")
	admin.want(txOK, "CLIENT", "PAUSE", "60000", "WRITE")
	c.send("EXEC")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(admin.do("INFO", "clients"), "blocked_clients:1") {
		if time.Now().After(deadline) {
			t.Fatal("EXEC did not wait for the pause")
		}
		time.Sleep(5 * time.Millisecond)
	}
	admin.want("$-1\r\n", "GET", "foo")
	admin.want(txOK, "CLIENT", "UNPAUSE")
	if got := c.read(); got != "*1\r\n+OK\r\n" {
		t.Errorf("EXEC = %q", got)
	}
	admin.want(txOK, "CLIENT", "PAUSE", "60000", "WRITE")
	if got := c.txRun([]string{"PING"}, []string{"GET", "foo"}); got != "*2\r\n+PONG\r\n$3\r\nbar\r\n" {
		t.Errorf("read-only EXEC = %q", got)
	}
	admin.want(txOK, "CLIENT", "UNPAUSE")
}

// TestExecIsolation: EXEC is atomic and isolated across shards: a
// transfer between accounts (keys that hash to different shards) in a
// transaction is never seen half done by MGETs running concurrently on
// other connections, nor by other transactions.
func TestExecIsolation(t *testing.T) {
	s := servertest.Start(t, nil)
	const accounts, initial = 8, 1000
	keys := make([]string, accounts)
	setup := txDial(t, s)
	for i := range keys {
		keys[i] = "acct:" + strconv.Itoa(i)
		setup.want(txOK, "SET", keys[i], strconv.Itoa(initial))
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	fail := func(msg string) {
		select {
		case errs <- msg:
		default:
		}
		stop.Store(true)
	}
	for w := 0; w < 3; w++ { // writers: transfers in MULTI/EXEC
		c := txDial(t, s)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				from, to := keys[(i+w)%accounts], keys[(i*3+w+1)%accounts]
				if from == to {
					continue
				}
				var b []byte
				for _, cmd := range [][]string{{"MULTI"}, {"DECRBY", from, "7"}, {"INCRBY", to, "7"}, {"EXEC"}} {
					b = txEncode(b, cmd...)
				}
				_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.c.Write(b); err != nil {
					fail(err.Error())
					return
				}
				var out []byte
				for j := 0; j < 4; j++ {
					if err := txReadRaw(c.r, &out); err != nil {
						fail(err.Error())
						return
					}
				}
				if !strings.HasPrefix(string(out), "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:") {
					fail("transfer: " + string(out))
					return
				}
			}
		}(w)
	}
	mget := append([]string{"MGET"}, keys...)
	for r := 0; r < 2; r++ { // readers: the sum is always the same
		c := txDial(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				c.send(mget...)
				var out []byte
				if err := txReadRaw(c.r, &out); err != nil {
					fail(err.Error())
					return
				}
				sum := 0
				lines := strings.Split(string(out), "\r\n")
				for i := 2; i < len(lines); i += 2 {
					n, _ := strconv.Atoi(lines[i])
					sum += n
				}
				if sum != accounts*initial {
					fail("MGET saw a half-done transfer: sum " + strconv.Itoa(sum) + " in " + string(out))
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	select {
	case e := <-errs:
		t.Fatal(e)
	default:
	}
}

// TestWatchOptimisticIncrement: the WATCH/GET/MULTI/SET/EXEC retry loop of
// https://redis.io/docs/interact/transactions/ ("Optimistic locking using
// check-and-set") loses no increment under concurrent clients.
func TestWatchOptimisticIncrement(t *testing.T) {
	s := servertest.Start(t, nil)
	const clients, each = 6, 40
	var wg sync.WaitGroup
	var retries atomic.Int64
	errs := make(chan string, clients)
	for i := 0; i < clients; i++ {
		c := txDial(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < each; {
				c.send("WATCH", "counter")
				c.send("GET", "counter")
				var out []byte
				if err := txReadRaw(c.r, &out); err != nil || string(out) != txOK {
					errs <- "WATCH: " + string(out)
					return
				}
				out = out[:0]
				if err := txReadRaw(c.r, &out); err != nil {
					errs <- err.Error()
					return
				}
				v := 0
				if lines := strings.Split(string(out), "\r\n"); len(lines) >= 2 && lines[0] != "$-1" {
					v, _ = strconv.Atoi(lines[1])
				}
				var b []byte
				b = txEncode(b, "MULTI")
				b = txEncode(b, "SET", "counter", strconv.Itoa(v+1))
				b = txEncode(b, "EXEC")
				_, _ = c.c.Write(b)
				out = out[:0]
				for j := 0; j < 3; j++ {
					if err := txReadRaw(c.r, &out); err != nil {
						errs <- err.Error()
						return
					}
				}
				switch string(out) {
				case txOK + txQueued + "*1\r\n+OK\r\n":
					n++
				case txOK + txQueued + txNullArr:
					retries.Add(1)
				default:
					errs <- "transaction: " + string(out)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	c := txDial(t, s)
	c.want("$3\r\n"+strconv.Itoa(clients*each)+"\r\n", "GET", "counter")
	t.Logf("%d retries", retries.Load())
}

// TestUnwatchLeavesNoDirtyFlag: a write racing with UNWATCH must not leave
// the client flagged dirty with nothing watched (its next, unwatched,
// transaction would fail).
func TestUnwatchLeavesNoDirtyFlag(t *testing.T) {
	s := servertest.Start(t, nil)
	c := txDial(t, s)
	writer := txDial(t, s)
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b []byte
		for i := 0; i < 64; i++ {
			b = txEncode(b, "SET", "hot", "v")
		}
		var out []byte
		for !stop.Load() {
			_ = writer.c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := writer.c.Write(b); err != nil {
				return
			}
			for i := 0; i < 64; i++ {
				out = out[:0]
				if txReadRaw(writer.r, &out) != nil {
					return
				}
			}
		}
	}()
	var batch []byte
	for _, cmd := range [][]string{{"WATCH", "hot"}, {"UNWATCH"}, {"MULTI"}, {"PING"}, {"EXEC"}} {
		batch = txEncode(batch, cmd...)
	}
	want := txOK + txOK + txOK + txQueued + txPongExec
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.c.Write(batch); err != nil {
			t.Fatal(err)
		}
		var out []byte
		for i := 0; i < 5; i++ {
			if err := txReadRaw(c.r, &out); err != nil {
				t.Fatal(err)
			}
		}
		if string(out) != want {
			stop.Store(true)
			t.Fatalf("got %q, want %q", out, want)
		}
	}
	stop.Store(true)
	<-done
}
