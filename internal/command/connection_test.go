package command_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the connection and server commands over raw RESP.
// Expected replies were checked against redis-server 7.0.15; sources are
// Redis's networking.c, server.c, acl.c and the TCL units named per test.

// srvConn is a raw RESP connection whose replies are returned as the raw
// protocol bytes.
type srvConn struct {
	c net.Conn
	r *bufio.Reader
}

func srvDial(t *testing.T, s *servertest.Server) *srvConn {
	t.Helper()
	c := s.Dial(t)
	return &srvConn{c: c, r: bufio.NewReader(c)}
}

// send writes one command without reading its reply.
func (sc *srvConn) send(t *testing.T, args ...string) {
	t.Helper()
	var b []byte
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
	_ = sc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := sc.c.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// read reads one reply.
func (sc *srvConn) read(t *testing.T) string {
	t.Helper()
	_ = sc.c.SetDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	if err := srvRead(sc.r, &out); err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(out)
}

// do sends one command and returns its raw reply.
func (sc *srvConn) do(t *testing.T, args ...string) string {
	t.Helper()
	sc.send(t, args...)
	return sc.read(t)
}

// expect runs a command and checks its raw reply.
func (sc *srvConn) expect(t *testing.T, want string, args ...string) {
	t.Helper()
	if got := sc.do(t, args...); got != want {
		t.Errorf("%q:\n got  %q\n want %q", args, got, want)
	}
}

// srvRead reads one RESP2/RESP3 reply, appending its raw bytes to out.
func srvRead(r *bufio.Reader, out *[]byte) error {
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
	case '*', '~', '>', '%', '|':
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := srvRead(r, out); err != nil {
				return err
			}
		}
		if line[0] == '|' {
			return srvRead(r, out)
		}
	}
	return nil
}

func srvBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// helloReply is HELLO's map in RESP2 or RESP3 (networking.c helloCommand).
func helloReply(proto int, id string) string {
	head := "*14\r\n"
	p := ":2\r\n"
	if proto == 3 {
		head, p = "%7\r\n", ":3\r\n"
	}
	return head + srvBulk("server") + srvBulk("redis") + srvBulk("version") + srvBulk("7.0.15") +
		srvBulk("proto") + p + srvBulk("id") + ":" + id + "\r\n" + srvBulk("mode") + srvBulk("standalone") +
		srvBulk("role") + srvBulk("master") + srvBulk("modules") + "*0\r\n"
}

func TestPingEcho(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "+PONG\r\n", "PING")
	c.expect(t, srvBulk("redis"), "PING", "redis")
	c.expect(t, "-ERR wrong number of arguments for 'ping' command\r\n", "PING", "hello", "redis")
	c.expect(t, srvBulk("a\r\nb"), "ECHO", "a\r\nb")

	// A RESP2 client in subscribed mode gets PING as an array
	// (server.c pingCommand).
	id := strings.TrimSuffix(strings.TrimPrefix(c.do(t, "CLIENT", "ID"), ":"), "\r\n")
	n, _ := strconv.ParseInt(id, 10, 64)
	cl := s.Engine().Clients.ByID(n)
	cl.SetFlag(command.FlagPubSub, true)
	c.expect(t, "*2\r\n"+srvBulk("pong")+srvBulk(""), "PING")
	c.expect(t, "*2\r\n"+srvBulk("pong")+srvBulk("x"), "PING", "x")
	cl.SetFlag(command.FlagPubSub, false)
	// In RESP3 a subscribed client gets a plain PONG (HELLO itself is
	// refused in RESP2 subscribed mode, as by Redis, so switch first).
	c.do(t, "HELLO", "3")
	cl.SetFlag(command.FlagPubSub, true)
	c.expect(t, "+PONG\r\n", "PING")
	cl.SetFlag(command.FlagPubSub, false)
}

func TestQuit(t *testing.T) {
	// unit/quit.tcl: commands pipelined after QUIT do not run.
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	// One write, as unit/quit.tcl pipelines them: a SET that arrives on
	// its own after the server read QUIT may find the socket closed, and
	// unread input makes the kernel answer with a reset instead of EOF
	// (Redis's too), which is not what this test is about.
	if _, err := io.WriteString(c.c, "*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"); err != nil {
		t.Fatal(err)
	}
	if got := c.read(t); got != "+OK\r\n" {
		t.Fatalf("QUIT = %q", got)
	}
	_ = c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Fatalf("after QUIT: err = %v, want EOF", err)
	}
	c2 := srvDial(t, s)
	c2.expect(t, "$-1\r\n", "GET", "foo")
}

func TestHello(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(c.do(t, "CLIENT", "ID"), ":"), "\r\n")
	c.expect(t, helloReply(2, id), "HELLO")
	c.expect(t, "-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	c.expect(t, "-NOPROTO unsupported protocol version\r\n", "HELLO", "1")
	c.expect(t, "-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "x")
	c.expect(t, "-ERR Syntax error in HELLO option 'foo'\r\n", "HELLO", "3", "foo")
	c.expect(t, "-ERR Syntax error in HELLO option 'AUTH'\r\n", "HELLO", "3", "AUTH", "default")
	c.expect(t, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "HELLO", "3", "SETNAME", "a b")
	c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO", "3", "AUTH", "nouser", "x")
	// The failed HELLOs left the protocol alone.
	c.expect(t, "+PONG\r\n", "PING")
	// The map itself is in the new protocol.
	c.expect(t, helloReply(3, id), "HELLO", "3", "AUTH", "default", "anything", "SETNAME", "conn1")
	c.expect(t, srvBulk("conn1"), "CLIENT", "GETNAME")
	c.expect(t, "_\r\n", "GET", "nokey")
	c.expect(t, helloReply(3, id), "HELLO")
	c.expect(t, helloReply(2, id), "HELLO", "2")
	c.expect(t, "$-1\r\n", "GET", "nokey")
}

func TestAuth(t *testing.T) {
	t.Run("nopass", func(t *testing.T) {
		s := servertest.Start(t, nil)
		c := srvDial(t, s)
		c.expect(t, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x")
		c.expect(t, "+OK\r\n", "AUTH", "default", "anything")
		c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "other", "x")
		c.expect(t, "-ERR syntax error\r\n", "AUTH", "a", "b", "c")
	})
	t.Run("requirepass", func(t *testing.T) {
		s := servertest.Start(t, []string{"--requirepass", "s3cret", "--slowlog-log-slower-than", "0"})
		c := srvDial(t, s)
		c.expect(t, "-NOAUTH Authentication required.\r\n", "PING")
		c.expect(t, "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", "HELLO", "3")
		c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "wrong")
		c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "default", "wrong")
		c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "other", "s3cret")
		c.expect(t, "-NOAUTH Authentication required.\r\n", "PING")
		c.expect(t, "+OK\r\n", "AUTH", "s3cret")
		c.expect(t, "+PONG\r\n", "PING")
		c.expect(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "wrong")
		c.expect(t, "+PONG\r\n", "PING") // a failed AUTH does not log out

		// HELLO AUTH authenticates and switches protocol at once.
		c2 := srvDial(t, s)
		if got := c2.do(t, "HELLO", "3", "AUTH", "default", "s3cret"); !strings.HasPrefix(got, "%7\r\n") {
			t.Fatalf("HELLO 3 AUTH = %q", got)
		}
		c2.expect(t, "+PONG\r\n", "PING")

		// RESET logs the client out when a password is required.
		c.expect(t, "+RESET\r\n", "RESET")
		c.expect(t, "-NOAUTH Authentication required.\r\n", "PING")
		c.expect(t, "+OK\r\n", "AUTH", "default", "s3cret")

		// Passwords never reach the slow log (redactClientCommandArgument).
		log := c.do(t, "SLOWLOG", "GET", "-1")
		if strings.Contains(log, "s3cret") || strings.Contains(log, "wrong") {
			t.Errorf("slow log shows a password: %q", log)
		}
		if !strings.Contains(log, "(redacted)") {
			t.Errorf("slow log has no redacted argument: %q", log)
		}
	})
}

func TestReset(t *testing.T) {
	// networking.c resetCommand / clearClientConnectionState.
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.do(t, "SELECT", "3")
	c.do(t, "SET", "k", "v")
	c.do(t, "CLIENT", "SETNAME", "n")
	c.do(t, "HELLO", "3")
	c.do(t, "CLIENT", "NO-EVICT", "on")
	m := srvDial(t, s)
	m.expect(t, "+OK\r\n", "MONITOR")
	m.expect(t, "+RESET\r\n", "RESET")
	if got := s.Engine().Clients.Snapshot(); len(got) != 2 {
		t.Fatalf("%d clients", len(got))
	}

	c.expect(t, "+RESET\r\n", "RESET")
	c.expect(t, "$-1\r\n", "GET", "k") // back in DB 0, RESP2
	c.expect(t, "$-1\r\n", "CLIENT", "GETNAME")
	info := c.do(t, "CLIENT", "INFO")
	if !strings.Contains(info, " flags=N ") || !strings.Contains(info, " db=0 ") || !strings.Contains(info, " resp=2") {
		t.Errorf("CLIENT INFO after RESET: %q", info)
	}
	// The former monitor gets no monitor lines for later commands.
	c.do(t, "SET", "x", "1")
	m.send(t, "PING")
	for {
		got := m.read(t)
		if got == "+PONG\r\n" {
			break
		}
		if strings.Contains(got, `"SET"`) {
			t.Fatalf("monitor line after RESET: %q", got)
		}
	}
}
