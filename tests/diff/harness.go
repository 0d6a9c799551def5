// Package diff runs differential tests: the same command stream goes to a
// real redis-server (Debian's, started by the test on a free loopback
// port) and to an in-process Cinnabar, and the raw reply bytes are
// compared. Random streams log their seed; DIFF_SEED=n replays one.
//
// Without /usr/bin/redis-server the tests skip with a reason, except when
// CINNABAR_INTEROP=1 (as in CI), where they fail.
package diff

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// RedisServer is the reference server binary.
const RedisServer = "/usr/bin/redis-server"

// Harness holds one connection to each server.
type Harness struct {
	Redis, Cinnabar *Peer
	Seed            uint64
	rnd             *rand.Rand
}

// Peer is a raw RESP connection.
type Peer struct {
	Addr string
	Conn net.Conn
	R    *bufio.Reader
}

// RequireRedis skips (or, under CINNABAR_INTEROP=1, fails) when the real
// redis-server is not installed.
func RequireRedis(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(RedisServer); err != nil {
		if os.Getenv("CINNABAR_INTEROP") != "" {
			t.Fatalf("%s is required (CINNABAR_INTEROP set): %v", RedisServer, err)
		}
		t.Skipf("skipping differential test: %s not installed (apt-get install redis-server)", RedisServer)
	}
}

// StartRedis starts a real redis-server with extra args on a free port and
// returns its address; it is killed when the test ends.
func StartRedis(t testing.TB, args ...string) string {
	t.Helper()
	RequireRedis(t)
	port := freePort(t)
	base := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--enable-debug-command", "yes", "--logfile", ""}
	cmd := exec.Command(RedisServer, append(base, args...)...)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Dial connects a raw peer.
func Dial(t testing.TB, addr string) *Peer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &Peer{Addr: addr, Conn: c, R: bufio.NewReader(c)}
}

// Start starts both servers (extra args go to both) and connects to each.
func Start(t testing.TB, args ...string) *Harness {
	t.Helper()
	raddr := StartRedis(t, args...)
	cs := servertest.Start(t, args)
	h := &Harness{Redis: Dial(t, raddr), Cinnabar: Dial(t, cs.Addr)}
	h.Seed = uint64(time.Now().UnixNano())
	if s := os.Getenv("DIFF_SEED"); s != "" {
		h.Seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("diff seed %d (replay with DIFF_SEED=%d)", h.Seed, h.Seed)
	h.rnd = rand.New(rand.NewPCG(h.Seed, 0x5eed))
	return h
}

// Rand returns the harness's seeded random source.
func (h *Harness) Rand() *rand.Rand { return h.rnd }

// Encode appends a RESP command.
func Encode(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// Send writes raw bytes and reads n replies.
func (p *Peer) Send(t testing.TB, raw []byte, n int) [][]byte {
	t.Helper()
	_ = p.Conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := p.Conn.Write(raw); err != nil {
		t.Fatalf("%s: write: %v", p.Addr, err)
	}
	out := make([][]byte, n)
	for i := range out {
		r, err := ReadReply(p.R)
		if err != nil {
			t.Fatalf("%s: read reply: %v", p.Addr, err)
		}
		out[i] = r
	}
	return out
}

// Do sends one command to both servers and compares the raw replies.
func (h *Harness) Do(t testing.TB, args ...string) []byte {
	t.Helper()
	return h.DoNorm(t, nil, args...)
}

// DoNorm is Do with a normalisation applied to both replies before
// comparing (for what Redis leaves unspecified: order, cursors).
func (h *Harness) DoNorm(t testing.TB, norm func([]byte) []byte, args ...string) []byte {
	t.Helper()
	raw := Encode(nil, args...)
	want := h.Redis.Send(t, raw, 1)[0]
	got := h.Cinnabar.Send(t, raw, 1)[0]
	w, g := want, got
	if norm != nil {
		w, g = norm(want), norm(got)
	}
	if !bytes.Equal(w, g) {
		t.Errorf("%q:\n redis:    %q\n cinnabar: %q", args, want, got)
	}
	return want
}

// Both sends a command to both servers without comparing.
func (h *Harness) Both(t testing.TB, args ...string) (redis, cinnabar []byte) {
	t.Helper()
	raw := Encode(nil, args...)
	return h.Redis.Send(t, raw, 1)[0], h.Cinnabar.Send(t, raw, 1)[0]
}

// ReadReply reads one complete RESP2/RESP3 reply and returns its raw bytes.
func ReadReply(r *bufio.Reader) ([]byte, error) {
	var out []byte
	err := readReply(r, &out)
	return out, err
}

func readReply(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	if len(line) < 3 {
		return errors.New("short reply line")
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '_', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the real reply
			return readReply(r, out)
		}
		return nil
	}
	return errors.New("unknown reply type " + string(line[0]))
}
