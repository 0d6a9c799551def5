package command_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of MIGRATE (migrate.go) between two in-process servers
// and against fake targets. Expected replies follow Redis 7.0.15's
// cluster.c migrateCommand and were checked against redis-server 7.0.15
// (tests/diff/migrate_test.go migrates between the two); the scenarios
// follow Redis's tests/unit/dump.tcl.

// migratePair starts a source and a target on one manual clock.
func migratePair(t *testing.T, targetArgs ...string) (src, dst *ksConn) {
	t.Helper()
	clk := servertest.NewClock(time.UnixMilli(ksEpoch))
	start := func(args []string) *ksConn {
		s := servertest.Start(t, args, servertest.WithClock(clk))
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true})
		t.Cleanup(func() { rdb.Close() })
		k := &ksConn{t: t, s: s, rdb: rdb}
		if len(args) == 0 {
			k.want("OK", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
		}
		return k
	}
	return start(nil), start(targetArgs)
}

func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

func TestMigrateMovesKeys(t *testing.T) {
	src, dst := migratePair(t)
	h, p := hostPort(t, dst.s.Addr)
	src.script(`
		OK <- SET key hello
		3 <- RPUSH list a b c
		OK <- SET ttl v PX 100000
	`)
	// dump.tcl "MIGRATE is able to migrate a key between two instances".
	src.want("OK", "MIGRATE", h, p, "key", "9", "5000")
	src.want("0", "EXISTS", "key")
	dst.want("OK", "SELECT", "9")
	dst.want("hello", "GET", "key")
	// "MIGRATE propagates TTL correctly": the TTL left, relative.
	src.advance(time.Second)
	src.want("99000", "PTTL", "ttl")
	src.want("OK", "MIGRATE", h, p, "ttl", "9", "5000")
	dst.want("99000", "PTTL", "ttl")
	// "MIGRATE is able to copy a key between two instances".
	src.want("OK", "MIGRATE", h, p, "list", "9", "5000", "COPY")
	src.want("[a b c]", "LRANGE", "list", "0", "-1")
	dst.want("[a b c]", "LRANGE", "list", "0", "-1")
	// "MIGRATE will not overwrite existing keys, unless REPLACE is used".
	src.want("-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
		"MIGRATE", h, p, "list", "9", "5000", "COPY")
	src.want("1", "EXISTS", "list")
	src.want("4", "RPUSH", "list", "d")
	src.want("OK", "MIGRATE", h, p, "list", "9", "5000", "REPLACE")
	src.want("0", "EXISTS", "list")
	dst.want("[a b c d]", "LRANGE", "list", "0", "-1")
	// Missing keys are not an error.
	src.want("NOKEY", "MIGRATE", h, p, "nokey", "9", "5000")
}

func TestMigrateKeysOption(t *testing.T) {
	src, dst := migratePair(t)
	h, p := hostPort(t, dst.s.Addr)
	src.script(`
		OK <- MSET key1 v1 key2 v2 key3 v3
	`)
	// dump.tcl "MIGRATE with multiple keys migrate just existing ones".
	src.want("NOKEY", "MIGRATE", h, p, "", "9", "5000", "KEYS", "nokey-1", "nokey-2", "nokey-2")
	src.want("OK", "MIGRATE", h, p, "", "9", "5000", "KEYS", "nokey-1", "key1", "nokey-2", "key2", "nokey-3", "key3")
	src.want("0", "DBSIZE")
	dst.want("OK", "SELECT", "9")
	dst.want("[v1 v2 v3]", "MGET", "key1", "key2", "key3")
	// "MIGRATE with multiple keys: delete just ack keys": a key the target
	// refuses stays, the others go.
	src.want("OK", "MSET", "a", "1", "b", "2", "c", "3")
	dst.want("OK", "SET", "b", "x")
	src.want("-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
		"MIGRATE", h, p, "", "9", "5000", "KEYS", "a", "b", "c")
	src.want("[(nil) 2 (nil)]", "MGET", "a", "b", "c")
	dst.want("[1 x 3]", "MGET", "a", "b", "c")
}

func TestMigrateErrors(t *testing.T) {
	src, dst := migratePair(t)
	h, p := hostPort(t, dst.s.Addr)
	src.want("OK", "SET", "k", "v")
	for _, c := range []struct {
		want string
		args []string
	}{
		{"-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string", []string{"k", "0", "100", "KEYS", "a"}},
		{"-ERR syntax error", []string{"k", "0", "100", "AUTH"}},
		{"-ERR syntax error", []string{"k", "0", "100", "AUTH2", "u"}},
		{"-ERR syntax error", []string{"k", "0", "100", "FOO"}},
		{"-ERR value is not an integer or out of range", []string{"k", "0", "x"}},
		{"-ERR value is not an integer or out of range", []string{"k", "x", "100"}},
		{"-ERR Target instance replied with error: ERR DB index is out of range", []string{"k", "99", "1000"}},
		{"-ERR Target instance replied with error: ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
			[]string{"k", "0", "1000", "AUTH", "pw"}},
	} {
		src.want(c.want, append([]string{"MIGRATE", h, p}, c.args...)...)
	}
	src.want("1", "EXISTS", "k")
	// Redis's blocking connect fails only when the name does not resolve;
	// a refused connection fails the write (cluster.c, connection.c).
	src.want("-IOERR error or timeout connecting to the client", "MIGRATE", "nonexistent.invalid", p, "k", "0", "1000")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closedPort := hostPort(t, l.Addr().String())
	l.Close()
	src.want("-IOERR error or timeout writing to target instance", "MIGRATE", "127.0.0.1", closedPort, "k", "0", "1000")
	src.want("1", "EXISTS", "k")
}

// dump.tcl "MIGRATE AUTH: correct and wrong password cases".
func TestMigrateAuth(t *testing.T) {
	src, dst := migratePair(t, "--requirepass", "foobar")
	h, p := hostPort(t, dst.s.Addr)
	src.want("OK", "SET", "k", "v")
	src.want("-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.",
		"MIGRATE", h, p, "k", "0", "1000", "AUTH", "wrong")
	src.want("OK", "MIGRATE", h, p, "k", "0", "1000", "AUTH", "foobar")
	src.want("OK", "SET", "k2", "v2")
	src.want("OK", "MIGRATE", h, p, "k2", "0", "1000", "AUTH2", "default", "foobar")
	dst.want("OK", "AUTH", "foobar")
	dst.want("[v v2]", "MGET", "k", "k2")
	// The passwords never reach the slow log (slowlog.tcl "SLOWLOG - Some
	// commands can redact sensitive fields").
	src.want("OK", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	src.want("OK", "SLOWLOG", "RESET")
	src.want("NOKEY", "MIGRATE", h, p, "k", "0", "1000", "AUTH", "secret")
	src.want("NOKEY", "MIGRATE", h, p, "k", "0", "1000", "AUTH2", "user", "secret")
	log := src.do("SLOWLOG", "GET")
	for _, want := range []string{
		"[MIGRATE " + h + " " + p + " k 0 1000 AUTH (redacted)]",
		"[MIGRATE " + h + " " + p + " k 0 1000 AUTH2 (redacted) (redacted)]",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("SLOWLOG GET = %s, want an entry %s", log, want)
		}
	}
	if strings.Contains(log, "secret") {
		t.Errorf("SLOWLOG GET shows a password: %s", log)
	}
}

// fakeTarget is a TCP server that records the commands MIGRATE sends and
// answers them with reply(cmd) ("" closes the connection).
type fakeTarget struct {
	l       net.Listener
	mu      sync.Mutex
	cmds    []string
	accepts int
}

func startFakeTarget(t *testing.T, reply func(cmd []string) string) *fakeTarget {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTarget{l: l}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.accepts++
			f.mu.Unlock()
			go f.serve(c, reply)
		}
	}()
	return f
}

func (f *fakeTarget) serve(c net.Conn, reply func([]string) string) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		cmd, err := readCommand(r)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, strings.Join(cmd, " "))
		f.mu.Unlock()
		rep := reply(cmd)
		if rep == "" {
			return
		}
		if rep == "hang" {
			_, _ = io.Copy(io.Discard, c)
			return
		}
		if _, err := c.Write([]byte(rep)); err != nil {
			return
		}
	}
}

// readCommand reads one RESP array of bulk strings; a RESTORE payload
// shows as "<payload>".
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	cmd := make([]string, n)
	for i := range cmd {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		b := make([]byte, size+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		cmd[i] = string(b[:size])
	}
	if len(cmd) >= 4 && cmd[0] == "RESTORE" {
		cmd[3] = "<payload>"
	}
	return cmd, nil
}

func (f *fakeTarget) take() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cmds, n := f.cmds, f.accepts
	f.cmds, f.accepts = nil, 0
	return cmds, n
}

func TestMigrateCachesConnections(t *testing.T) {
	src, _ := migratePair(t)
	f := startFakeTarget(t, func(cmd []string) string {
		if cmd[0] == "RESTORE" && cmd[1] == "busy" && len(cmd) == 4 {
			return "-BUSYKEY Target key name already exists.\r\n"
		}
		return "+OK\r\n"
	})
	h, p := hostPort(t, f.l.Addr().String())
	src.want("OK", "MSET", "a", "1", "b", "2", "c", "3", "busy", "4")
	src.want("OK", "MIGRATE", h, p, "a", "5", "1000", "AUTH", "pw")
	// The same target and database: the cached connection, no SELECT
	// (migrateGetSocket, last_dbid).
	src.want("OK", "MIGRATE", h, p, "b", "5", "1000", "COPY", "REPLACE")
	src.want("OK", "MIGRATE", h, p, "", "6", "1000", "KEYS", "b", "c")
	// An error makes the next MIGRATE select again.
	src.want("-ERR Target instance replied with error: BUSYKEY Target key name already exists.", "MIGRATE", h, p, "busy", "6", "1000")
	src.want("1", "EXISTS", "busy")
	src.want("OK", "MIGRATE", h, p, "busy", "6", "1000", "REPLACE")
	src.want("0", "EXISTS", "busy")
	cmds, accepts := f.take()
	want := []string{
		"AUTH pw", "SELECT 5", "RESTORE a 0 <payload>",
		"RESTORE b 0 <payload> REPLACE",
		"SELECT 6", "RESTORE b 0 <payload>", "RESTORE c 0 <payload>",
		"RESTORE busy 0 <payload>",
		"SELECT 6", "RESTORE busy 0 <payload> REPLACE",
	}
	if strings.Join(cmds, "|") != strings.Join(want, "|") || accepts != 1 {
		t.Errorf("target saw %d connections and %q, want 1 and %q", accepts, cmds, want)
	}
}

func TestMigrateRetriesClosedConnection(t *testing.T) {
	src, _ := migratePair(t)
	// The target reads the request and closes: MIGRATE retries once on a
	// new connection (a cached one may just have been closed), then gives
	// up.
	f := startFakeTarget(t, func([]string) string { return "" })
	h, p := hostPort(t, f.l.Addr().String())
	src.want("OK", "SET", "k", "v")
	src.want("-IOERR error or timeout reading to target instance", "MIGRATE", h, p, "k", "0", "1000")
	src.want("1", "EXISTS", "k")
	if _, accepts := f.take(); accepts != 2 {
		t.Errorf("target saw %d connections, want 2 (one retry)", accepts)
	}
}

// dump.tcl "MIGRATE timeout actually works": no retry after a timeout.
func TestMigrateTimeout(t *testing.T) {
	src, _ := migratePair(t)
	f := startFakeTarget(t, func([]string) string { return "hang" })
	h, p := hostPort(t, f.l.Addr().String())
	src.want("OK", "SET", "k", "v")
	start := time.Now()
	src.want("-IOERR error or timeout reading to target instance", "MIGRATE", h, p, "k", "0", "200")
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("MIGRATE with a 200 ms timeout took %v", d)
	}
	src.want("1", "EXISTS", "k")
	if _, accepts := f.take(); accepts != 1 {
		t.Errorf("target saw %d connections, want 1 (no retry after a timeout)", accepts)
	}
}

// Replicas see a MIGRATE as the DEL of the keys the target took
// (cluster.c: replaceClientCommandVector); COPY propagates nothing.
func TestMigratePropagatesDel(t *testing.T) {
	src, dst := migratePair(t)
	h, p := hostPort(t, dst.s.Addr)
	repl := src.s.Dial(t)
	if _, err := repl.Write([]byte("SYNC\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(repl)
	_ = repl.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := r.ReadString('\n')
	for err == nil && line == "\n" { // keep-alive newlines before the payload
		line, err = r.ReadString('\n')
	}
	if err != nil || line[0] != '$' {
		t.Fatalf("SYNC: %q %v", line, err)
	}
	size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	if _, err := io.ReadFull(r, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	src.want("OK", "MSET", "a", "1", "b", "2", "c", "3", "z", "0")
	src.want("OK", "MIGRATE", h, p, "z", "0", "1000", "COPY")
	dst.want("OK", "SET", "c", "x")
	src.want("-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
		"MIGRATE", h, p, "", "0", "1000", "KEYS", "a", "b", "c")
	src.want("OK", "SET", "end", "1")
	var stream []byte
	want := []byte("*3\r\n$3\r\nSET\r\n$3\r\nend\r\n$1\r\n1\r\n")
	buf := make([]byte, 4096)
	for !bytes.Contains(stream, want) {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("stream so far %q: %v", stream, err)
		}
		stream = append(stream, buf[:n]...)
	}
	del := "*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n"
	if !bytes.Contains(stream, []byte(del)) || bytes.Contains(stream, []byte("MIGRATE")) {
		t.Errorf("stream %q: want %q and no MIGRATE", stream, del)
	}
}

func TestMigrateOneCachedConnection(t *testing.T) {
	// The cached connection shows in the target's client list until it
	// has been idle for 10 s (MIGRATE_SOCKET_CACHE_TTL): see
	// migrate_internal_test.go for the expiry.
	src, dst := migratePair(t)
	h, p := hostPort(t, dst.s.Addr)
	src.want("OK", "MSET", "a", "1", "b", "2")
	before := strings.Count(dst.do("CLIENT", "LIST"), "\n")
	src.want("OK", "MIGRATE", h, p, "a", "0", "1000")
	src.want("OK", "MIGRATE", h, p, "b", "0", "1000")
	if after := strings.Count(dst.do("CLIENT", "LIST"), "\n"); after != before+1 {
		t.Errorf("target clients: %d before, %d after two MIGRATEs, want one more", before, after)
	}
}
