package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// These tests run a server with a single event loop, so every client
// shares it: whatever makes one client wait must not stall the others
// (the loop hands itself to a new goroutine, see loop_linux.go). On
// systems without event loops they check the same behaviour of the
// goroutine-per-connection server.

func oneLoop(t *testing.T, args ...string) (*servertest.Server, func() *redis.Client) {
	t.Helper()
	s := servertest.Start(t, args, servertest.WithEventLoops(1))
	return s, func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: s.Addr, PoolSize: 1, ReadTimeout: 10 * time.Second})
		t.Cleanup(func() { c.Close() })
		return c
	}
}

func TestLoopBusyScriptIsKillable(t *testing.T) {
	_, client := oneLoop(t, "--busy-reply-threshold", "100")
	ctx := context.Background()
	a, b := client(), client()
	if err := b.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Eval(ctx, "while true do end", nil).Err() }()
	// The other client gets BUSY once the threshold has passed, then kills it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := b.Ping(ctx).Err()
		if err != nil && strings.HasPrefix(err.Error(), "BUSY ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no BUSY reply while the script runs (last: %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := b.Do(ctx, "SCRIPT", "KILL").Err(); err != nil {
		t.Fatalf("SCRIPT KILL: %v", err)
	}
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "Script killed by user with SCRIPT KILL") {
		t.Fatalf("EVAL after SCRIPT KILL: %v", err)
	}
	// Both clients go on working.
	if err := a.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
}

func TestLoopBlockedClientDoesNotStallOthers(t *testing.T) {
	_, client := oneLoop(t)
	ctx := context.Background()
	a, b := client(), client()
	got := make(chan []string, 1)
	go func() {
		v, _ := a.BLPop(ctx, 0, "queue").Result()
		got <- v
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := b.Do(ctx, "INFO", "clients").Text()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(n, "blocked_clients:1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("BLPOP never blocked")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := 0; i < 100; i++ { // the loop serves b while a waits
		if err := b.Incr(ctx, "n").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.RPush(ctx, "queue", "job").Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if len(v) != 2 || v[0] != "queue" || v[1] != "job" {
			t.Fatalf("BLPOP = %q", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("BLPOP not served")
	}
	// a is back on the loop and keeps working, pipelined.
	pipe := a.Pipeline()
	inc := pipe.Incr(ctx, "n")
	get := pipe.Get(ctx, "n")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if inc.Val() != 101 || get.Val() != "101" {
		t.Fatalf("INCR, GET = %d, %q", inc.Val(), get.Val())
	}
}

func TestLoopPausedWriterDoesNotStallReaders(t *testing.T) {
	_, client := oneLoop(t)
	ctx := context.Background()
	a, b, c := client(), client(), client()
	if err := b.Set(ctx, "k", "old", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "CLIENT", "PAUSE", "100000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	setDone := make(chan error, 1)
	go func() { setDone <- a.Set(ctx, "k", "new", 0).Err() }()
	time.Sleep(50 * time.Millisecond)
	// Reads are not paused, and the loop is not held by the paused SET.
	for i := 0; i < 20; i++ {
		if v, err := b.Get(ctx, "k").Result(); err != nil || v != "old" {
			t.Fatalf("GET during pause = %q, %v", v, err)
		}
	}
	select {
	case err := <-setDone:
		t.Fatalf("SET answered during CLIENT PAUSE WRITE: %v", err)
	default:
	}
	if err := c.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-setDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SET not served after CLIENT UNPAUSE")
	}
	if v, err := b.Get(ctx, "k").Result(); err != nil || v != "new" {
		t.Fatalf("GET after unpause = %q, %v", v, err)
	}
}

// A client that sends many requests for a large value and does not read
// fills its socket: the loop must go on serving the others, and the slow
// client must still get every reply, in order, once it reads.
func TestLoopSlowReader(t *testing.T) {
	s, client := oneLoop(t)
	ctx := context.Background()
	b := client()
	big := strings.Repeat("x", 256<<10)
	if err := b.Set(ctx, "big", big, 0).Err(); err != nil {
		t.Fatal(err)
	}
	slow, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	const n = 64 // 16 MB of replies, far beyond the socket buffers
	req := strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", n) + "*1\r\n$4\r\nPING\r\n"
	go func() { _, _ = io.WriteString(slow, req) }()
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < 50; i++ {
		if err := b.Incr(ctx, "other").Err(); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReaderSize(slow, 64<<10)
	_ = slow.SetReadDeadline(time.Now().Add(30 * time.Second))
	want := "$" + "262144" + "\r\n"
	for i := 0; i < n; i++ {
		line, err := r.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("reply %d header = %q, %v", i, line, err)
		}
		if _, err := io.CopyN(io.Discard, r, 256<<10+2); err != nil {
			t.Fatalf("reply %d body: %v", i, err)
		}
	}
	if line, err := r.ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Fatalf("last reply = %q, %v", line, err)
	}
}

func noEventLoops() bool { return runtime.GOOS != "linux" || os.Getenv("CINNABAR_EVENT_LOOP") == "0" }
