package tests

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Raw-socket protocol tests against an in-process server. Expected bytes
// were checked against redis-server 7.0.15 (Debian) unless a comment says
// otherwise; the parsing rules are processInlineBuffer and
// processMultibulkBuffer in Redis's src/networking.c.

// rawConn is a RESP connection that reads replies as raw bytes.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, s *servertest.Server) *rawConn {
	t.Helper()
	nc := s.Dial(t)
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t: t, nc: nc, br: bufio.NewReaderSize(nc, 64<<10)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// reply reads one complete reply and returns its raw bytes.
func (c *rawConn) reply() string {
	c.t.Helper()
	var b []byte
	b, err := appendReply(b, c.br)
	if err != nil {
		c.t.Fatalf("reading reply: %v (read so far %q)", err, b)
	}
	return string(b)
}

// expect reads one reply per element of want and compares the bytes.
func (c *rawConn) expect(want ...string) {
	c.t.Helper()
	for i, w := range want {
		if got := c.reply(); got != w {
			c.t.Fatalf("reply %d = %q, want %q", i, got, w)
		}
	}
}

// expectClosed reads everything until EOF and compares it with want.
func (c *rawConn) expectClosed(want string) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c.br)
	if err != nil && !isConnReset(err) {
		c.t.Fatalf("waiting for close: %v (got %q)", err, got)
	}
	if string(got) != want {
		c.t.Fatalf("before close got %q, want %q", got, want)
	}
}

// expectSilent checks that no byte arrives within d and the connection
// stays open.
func (c *rawConn) expectSilent(d time.Duration) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	b, err := c.br.ReadByte()
	var ne net.Error
	if err == nil {
		c.t.Fatalf("unexpected byte %q", b)
	}
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("connection closed or failed: %v", err)
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
}

func isConnReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// appendReply appends one RESP2/RESP3 reply read from br to b.
func appendReply(b []byte, br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	b = append(b, line...)
	if err != nil {
		return b, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return b, errors.New("malformed reply line")
	}
	hdr := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', '_', '#', ',', '(':
		return b, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(string(hdr))
		if err != nil {
			return b, err
		}
		if n < 0 {
			return b, nil
		}
		data := make([]byte, n+2)
		if _, err := io.ReadFull(br, data); err != nil {
			return b, err
		}
		return append(b, data...), nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(string(hdr))
		if err != nil {
			return b, err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for range max(n, 0) {
			if b, err = appendReply(b, br); err != nil {
				return b, err
			}
		}
		if line[0] == '|' { // an attribute precedes the real reply
			return appendReply(b, br)
		}
		return b, nil
	}
	return b, errors.New("unknown reply type " + strconv.Quote(string(line[:1])))
}

// multibulk encodes a command as a RESP array of bulk strings.
func multibulk(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// TestPipeline10k writes 10,000 commands in one write and reads the
// replies, which must come back complete and in order.
func TestPipeline10k(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	const n = 10000
	var b strings.Builder
	for i := range n {
		k := "key:" + strconv.Itoa(i)
		switch i % 4 {
		case 0:
			b.WriteString(multibulk("SET", k, "value:"+strconv.Itoa(i)))
		case 1:
			b.WriteString(multibulk("GET", "key:"+strconv.Itoa(i-1)))
		case 2:
			b.WriteString(multibulk("ECHO", strconv.Itoa(i)))
		case 3:
			b.WriteString("PING\r\n") // inline commands mixed in
		}
	}
	payload := b.String()
	done := make(chan error, 1)
	go func() { // the server replies while we write: read concurrently
		_, err := c.nc.Write([]byte(payload))
		done <- err
	}()
	for i := range n {
		var want string
		switch i % 4 {
		case 0:
			want = "+OK\r\n"
		case 1:
			want = bulk("value:" + strconv.Itoa(i-1))
		case 2:
			want = bulk(strconv.Itoa(i))
		case 3:
			want = "+PONG\r\n"
		}
		if got := c.reply(); got != want {
			t.Fatalf("reply %d = %q, want %q", i, got, want)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.send("PING\r\n")
	c.expect("+PONG\r\n")
}

// TestInlineCommands: inline requests with quoting (sdssplitargs), blank
// lines that get no reply, and inline mixed with multibulk.
func TestInlineCommands(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	c.send("PING\r\n")
	c.expect("+PONG\r\n")
	c.send("ECHO \"a b\\x41\\n\"\n")
	c.expect(bulk("a bA\n"))
	c.send("SET k 'v \\'x\\' v'\r\nGET k\r\n")
	c.expect("+OK\r\n", bulk("v 'x' v"))
	c.send("\r\n\n   \r\n*0\r\n*-1\r\nPING\r\n") // blank lines and empty multibulks: no reply
	c.expect("+PONG\r\n")
	c.send("ECHO \"\\x00\\r\\n\"\r\n" + multibulk("ECHO", "mb") + "ECHO inline\r\n")
	c.expect(bulk("\x00\r\n"), bulk("mb"), bulk("inline"))
	c.send("ping\n")
	c.expect("+PONG\r\n")
}

// TestProtocolErrors: a malformed request gets "-ERR Protocol error: ..."
// and the connection is closed, after the replies to the commands before
// it in the same batch.
func TestProtocolErrors(t *testing.T) {
	s := servertest.Start(t, nil)
	big := strings.Repeat("1", 70000)
	cases := []struct{ name, in, want string }{
		{"invalid multibulk length", "PING\r\n*x\r\nPING\r\n", "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"},
		{"multibulk over INT_MAX", "*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"invalid bulk length", "*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"negative bulk length", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"huge bulk length", "*1\r\n$1000000000000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"expected dollar", "*1\r\nx3\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
		{"huge count then inline", "*2000000000\r\nPING\r\n", "-ERR Protocol error: expected '$', got 'P'\r\n"},
		{"unbalanced quotes", "SET k \"v\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"quote not followed by space", "SET k \"v\"x\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"too big inline", strings.Repeat("a", 70000), "-ERR Protocol error: too big inline request\r\n"},
		{"too big mbulk count", "*" + big, "-ERR Protocol error: too big mbulk count string\r\n"},
		{"too big bulk count", "*1\r\n$" + big, "-ERR Protocol error: too big bulk count string\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.send(tc.in)
			c.expectClosed(tc.want)
		})
	}
}

// TestUnauthenticatedLimits: with requirepass set, an unauthenticated
// client may not send more than 10 arguments or bulks over 16384 bytes
// (authRequired checks in processMultibulkBuffer).
func TestUnauthenticatedLimits(t *testing.T) {
	s := servertest.Start(t, []string{"--requirepass", "secret"})
	c := dialRaw(t, s)
	c.send("*11\r\n")
	c.expectClosed("-ERR Protocol error: unauthenticated multibulk length\r\n")
	c = dialRaw(t, s)
	c.send("*2\r\n$4\r\nECHO\r\n$16385\r\n")
	c.expectClosed("-ERR Protocol error: unauthenticated bulk length\r\n")
	c = dialRaw(t, s)
	c.send(multibulk("ECHO", strings.Repeat("x", 16384)))
	c.expect("-NOAUTH Authentication required.\r\n")
}

// TestHugeDeclaredCount: "*2000000000" is a valid count (≤ INT_MAX); the
// server waits for the arguments without allocating for them, as Redis
// does (it sizes argv to min(count, 1024)).
func TestHugeDeclaredCount(t *testing.T) {
	s := servertest.Start(t, nil)
	before := heapInuse()
	c := dialRaw(t, s)
	c.send("*2000000000\r\n$4\r\nPING\r\n")
	c.expectSilent(300 * time.Millisecond)
	if grew := heapInuse() - before; grew > 64<<20 {
		t.Fatalf("heap grew by %d MB for a declared count", grew>>20)
	}
	other := dialRaw(t, s)
	other.send("PING\r\n")
	other.expect("+PONG\r\n")
}

// TestHugeDeclaredBulk: a valid but huge declared bulk (exactly
// proto-max-bulk-len) with only a few bytes sent is waited for. Redis
// waits too; Cinnabar must not allocate the declared 512MB up front.
func TestHugeDeclaredBulk(t *testing.T) {
	s := servertest.Start(t, nil)
	before := heapInuse()
	var conns []*rawConn
	for range 4 {
		c := dialRaw(t, s)
		c.send("*1\r\n$536870912\r\nabc")
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.expectSilent(100 * time.Millisecond)
	}
	if grew := heapInuse() - before; grew > 64<<20 {
		t.Fatalf("heap grew by %d MB for 4 clients that each sent 20 bytes", grew>>20)
	}
}

func heapInuse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}

// TestBinarySafety: keys and values with NUL, CR, LF and every byte value.
func TestBinarySafety(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	var all []byte
	for i := range 256 {
		all = append(all, byte(i))
	}
	key := "a\x00b\r\nc\r\n"
	val := string(all) + "\r\n*1\r\n$4\r\nPING\r\n"
	c.send(multibulk("SET", key, val) + multibulk("GET", key) + multibulk("GET", "a"))
	c.expect("+OK\r\n", bulk(val), "$-1\r\n")
	c.send(multibulk("SET", "", "") + multibulk("GET", ""))
	c.expect("+OK\r\n", bulk(""))
	c.send(multibulk("ECHO", "\x00") + multibulk("DEL", key, ""))
	c.expect(bulk("\x00"), ":2\r\n")
}

// TestCommandErrors: wrong arity, unknown commands and subcommands, with
// Redis's exact texts (processCommand in src/server.c).
func TestCommandErrors(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	cases := []struct{ in, want string }{
		{"GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n"},
		{multibulk("GET"), "-ERR wrong number of arguments for 'get' command\r\n"},
		{"ECHO\r\n", "-ERR wrong number of arguments for 'echo' command\r\n"},
		{"PING a b\r\n", "-ERR wrong number of arguments for 'ping' command\r\n"},
		{"get a b\r\n", "-ERR wrong number of arguments for 'get' command\r\n"},
		{"FOO bar baz\r\n", "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n"},
		{"foo\r\n", "-ERR unknown command 'foo', with args beginning with: \r\n"},
		{"FOO " + strings.Repeat("a", 200) + "\r\n", "-ERR unknown command 'FOO', with args beginning with: '" + strings.Repeat("a", 128) + "' \r\n"},
		{"FOO " + strings.Repeat("a ", 100) + "\r\n", "-ERR unknown command 'FOO', with args beginning with: " + strings.Repeat("'a' ", 32) + "\r\n"},
		{"CONFIG FOO\r\n", "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"},
		{"client foo\r\n", "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
		{"SET k v EX\r\n", "-ERR syntax error\r\n"},
	}
	for _, tc := range cases {
		c.send(tc.in)
		if got := c.reply(); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	c.send("PING\r\n")
	c.expect("+PONG\r\n") // errors do not close the connection
}

// TestQuit: QUIT replies +OK and closes; what follows is not executed.
func TestQuit(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	c.send("QUIT\r\nPING\r\n")
	c.expectClosed("+OK\r\n")
}

// TestSecurityAttack: a request that looks like HTTP ("POST" or "Host:")
// closes the connection at once, without sending the replies already
// queued (securityWarningCommand calls freeClientAsync). Checked against
// redis-server 7.0.15: "GET / HTTP/1.1\r\nHost: x\r\n\r\n" gets no byte back.
func TestSecurityAttack(t *testing.T) {
	s := servertest.Start(t, nil)
	for _, in := range []string{"POST / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"} {
		c := dialRaw(t, s)
		c.send(in)
		c.expectClosed("")
	}
}

// TestRESP3Hello: HELLO 3 switches the connection to RESP3; replies then
// use RESP3 shapes (null "_"). HELLO's reply map is documented at
// https://redis.io/commands/hello/ and was checked against 7.0.15.
func TestRESP3Hello(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	c.send("HELLO 3\r\n")
	hello := c.reply()
	for _, part := range []string{
		"%7\r\n",
		"$6\r\nserver\r\n$5\r\nredis\r\n",
		"$7\r\nversion\r\n$6\r\n7.0.15\r\n",
		"$5\r\nproto\r\n:3\r\n",
		"$2\r\nid\r\n:",
		"$4\r\nmode\r\n$10\r\nstandalone\r\n",
		"$4\r\nrole\r\n$6\r\nmaster\r\n",
		"$7\r\nmodules\r\n*0\r\n",
	} {
		if !strings.Contains(hello, part) {
			t.Fatalf("HELLO 3 reply %q lacks %q", hello, part)
		}
	}
	c.send("GET missing\r\nPING\r\n")
	c.expect("_\r\n", "+PONG\r\n")
	c.send("HELLO 4\r\n")
	c.expect("-NOPROTO unsupported protocol version\r\n")
	c.send("HELLO 2\r\n")
	if r := c.reply(); !strings.HasPrefix(r, "*14\r\n") {
		t.Fatalf("HELLO 2 reply %q, want a flat array of 14", r)
	}
	c.send("GET missing\r\n")
	c.expect("$-1\r\n")
}

// TestClientCloseMidCommand: a client that disconnects in the middle of a
// command (header only, half a bulk, half an inline line) is cleaned up
// and the server keeps serving others.
func TestClientCloseMidCommand(t *testing.T) {
	s := servertest.Start(t, nil)
	base := s.Engine().Clients.Len()
	for _, partial := range []string{
		"*3\r\n$3\r\nSET\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc",
		"*1\r\n$100000\r\n" + strings.Repeat("x", 50000),
		"SET k v",
		"*2",
	} {
		nc, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Write([]byte(partial)); err != nil {
			t.Fatal(err)
		}
		nc.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Engine().Clients.Len() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients still connected after they closed", s.Engine().Clients.Len()-base)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := dialRaw(t, s)
	c.send("GET k\r\n")
	c.expect("$-1\r\n") // the half-sent SET was never executed
}

// TestReplyLargerThanSocketBuffer: a reply bigger than the kernel's
// socket buffers is delivered whole.
func TestReplyLargerThanSocketBuffer(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	val := strings.Repeat("0123456789", 1<<20) // 10MB
	done := make(chan error, 1)
	go func() {
		_, err := c.nc.Write([]byte(multibulk("SET", "big", val) + multibulk("GET", "big") + "PING\r\n"))
		done <- err
	}()
	c.expect("+OK\r\n")
	if got := c.reply(); got != bulk(val) {
		t.Fatalf("GET big: %d bytes, want %d", len(got), len(bulk(val)))
	}
	c.expect("+PONG\r\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
