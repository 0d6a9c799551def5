package tests

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/log"
	"github.com/cinnabar-db/cinnabar/internal/server"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/redis/go-redis/v9"
)

// TestNonReadingClientBoundedMemory: a client that pipelines GETs of a
// 10KB value without ever reading replies must not make the server buffer
// the replies: once the socket buffers are full the server stops reading
// that client (backpressure), so its memory stays bounded. Other clients
// are still served meanwhile.
func TestNonReadingClientBoundedMemory(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	c.send(multibulk("SET", "k", strings.Repeat("v", 10<<10)))
	c.expect("+OK\r\n")

	before := heapInuse()
	chunk := []byte(strings.Repeat("GET k\r\n", 64<<10/7)) // ~9000 GETs: ~90MB of replies per write
	var sent int64
	_ = c.nc.SetWriteDeadline(time.Now().Add(1500 * time.Millisecond))
	for {
		n, err := c.nc.Write(chunk)
		sent += int64(n)
		if err != nil {
			break // the deadline: the server stopped reading us
		}
	}
	// At least a few hundred MB of replies were asked for; a server that
	// buffered them would have grown by as much.
	t.Logf("sent %d bytes of GETs (%d MB of replies asked for)", sent, sent/7*(10<<10+9)>>20)
	grew := heapInuse() - before
	if grew > 32<<20 {
		t.Fatalf("heap grew by %d MB while a client did not read its replies", grew>>20)
	}
	other := dialRaw(t, s)
	other.send("PING\r\n")
	other.expect("+PONG\r\n")
}

// TestConcurrentClientsOverlappingKeys: many go-redis clients SET and GET
// a small set of shared keys at once (run with -race). Every GET must
// return a value some client wrote for that very key, and INCRs on a
// shared counter must all count.
func TestConcurrentClientsOverlappingKeys(t *testing.T) {
	s := servertest.Start(t, nil)
	const workers, ops, keys = 16, 300, 8
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: s.Addr, PoolSize: 2, Protocol: 2 + w%2}) // RESP2 and RESP3
			defer rdb.Close()
			for i := range ops {
				key := "shared:" + strconv.Itoa((w+i)%keys)
				val := key + "|" + strconv.Itoa(w) + "|" + strconv.Itoa(i)
				if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
					errs <- "SET: " + err.Error()
					return
				}
				got, err := rdb.Get(ctx, "shared:"+strconv.Itoa((w+2*i)%keys)).Result()
				if err != nil && err != redis.Nil {
					errs <- "GET: " + err.Error()
					return
				}
				if err == nil && !strings.HasPrefix(got, "shared:"+strconv.Itoa((w+2*i)%keys)+"|") {
					errs <- "GET returned " + got + " for another key"
					return
				}
				if err := rdb.Incr(ctx, "counter").Err(); err != nil {
					errs <- "INCR: " + err.Error()
					return
				}
				if i%50 == 0 {
					pipe := rdb.Pipeline()
					pipe.Set(ctx, key, val, 0)
					g := pipe.Get(ctx, key)
					pipe.Del(ctx, "tmp:"+strconv.Itoa(w))
					if _, err := pipe.Exec(ctx); err != nil {
						errs <- "pipeline: " + err.Error()
						return
					}
					if v := g.Val(); !strings.HasPrefix(v, key+"|") {
						errs <- "pipelined GET returned " + v
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	if n, err := rdb.Get(ctx, "counter").Int(); err != nil || n != workers*ops {
		t.Fatalf("counter = %d, %v; want %d", n, err, workers*ops)
	}
}

// TestPanicInCommandRecovered: a handler that panics half way through its
// reply must not kill the server, must not leave half a reply in the
// stream, and must release its key locks. Redis has no equivalent (it
// crashes with a stack trace); Cinnabar answers an error instead. The
// panic is injected by replacing a handler in the engine's table before
// the server starts.
func TestPanicInCommandRecovered(t *testing.T) {
	cfg, err := config.Load([]string{"--port", "0", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(cfg, server.Options{Log: log.New(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sp := range srv.Engine().Specs() {
		switch sp.Name {
		case "echo": // keyless
			sp.Handler = func(c *command.Ctx) {
				c.W.Array(2)
				c.W.BulkString("half")
				panic("injected panic")
			}
			found = true
		case "getdel": // locks its key's shard
			sp.Handler = func(c *command.Ctx) { panic("injected panic with a key locked") }
		}
	}
	if !found {
		t.Fatal("no echo command to replace")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := &servertest.Server{Server: srv, Addr: srv.Addr().String()}

	c := dialRaw(t, s)
	c.send("ECHO x\r\nPING\r\n")
	r := c.reply()
	if !strings.HasPrefix(r, "-ERR ") {
		t.Errorf("reply to a panicking command = %q, want a single error reply", r)
	}
	c.expect("+PONG\r\n")

	c.send("SET k v\r\nGETDEL k\r\n")
	c.expect("+OK\r\n")
	if r := c.reply(); !strings.HasPrefix(r, "-ERR ") {
		t.Fatalf("GETDEL reply %q", r)
	}
	// The shard of k must have been unlocked: another client can use it.
	other := dialRaw(t, s)
	other.send("GET k\r\n")
	other.expect(bulk("v"))
}

// TestClientClosesWhileServerWrites: clients that ask for a big reply
// and disconnect before reading it do not disturb the server.
func TestClientClosesWhileServerWrites(t *testing.T) {
	s := servertest.Start(t, nil)
	c := dialRaw(t, s)
	c.send(multibulk("SET", "big", strings.Repeat("x", 4<<20)))
	c.expect("+OK\r\n")
	base := s.Engine().Clients.Len()
	for range 5 {
		nc, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = nc.Write([]byte(strings.Repeat("GET big\r\n", 20)))
		nc.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Engine().Clients.Len() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients left behind", s.Engine().Clients.Len()-base)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.send("STRLEN big\r\n")
	c.expect(":4194304\r\n")
}

// TestConnectionChurn: many short connections, some closed right away,
// some after a command; the client table returns to its size.
func TestConnectionChurn(t *testing.T) {
	s := servertest.Start(t, nil)
	base := s.Engine().Clients.Len()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				nc, err := net.Dial("tcp", s.Addr)
				if err != nil {
					t.Error(err)
					return
				}
				if (w+i)%2 == 0 {
					_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
					_, _ = nc.Write([]byte("PING\r\n"))
					buf := make([]byte, 7)
					if _, err := io.ReadFull(nc, buf); err != nil || string(buf) != "+PONG\r\n" {
						t.Errorf("PING: %q %v", buf, err)
					}
				}
				nc.Close()
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for s.Engine().Clients.Len() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients left behind", s.Engine().Clients.Len()-base)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestQueryBufferLimitWhileWaiting: a client that sends more than
// client-query-buffer-limit while it waits (blocked in BLPOP, or in WAIT)
// is closed, as Redis closes it whatever it is doing; the server and
// other clients go on.
func TestQueryBufferLimitWhileWaiting(t *testing.T) {
	s := servertest.Start(t, []string{"--client-query-buffer-limit", "1mb"})
	for _, wait := range []string{"BLPOP nolist 0\r\n", "WAIT 1 0\r\n"} {
		c := dialRaw(t, s)
		c.send(wait)
		time.Sleep(50 * time.Millisecond)
		// The start of a 3 MB argument, never completed.
		_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.nc.Write([]byte("*2\r\n$3\r\nGET\r\n$3000000\r\n" + strings.Repeat("x", 2<<20)))
		// Closed with our bytes unread, the socket may answer with a reset
		// rather than EOF; only a timeout means it was left open.
		_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c.nc)
		var ne net.Error
		if (errors.As(err, &ne) && ne.Timeout()) || len(b) != 0 {
			t.Errorf("%q then 2 MB: read %q, %v; want the server to close the connection, unanswered", wait, b, err)
		}
	}
	other := dialRaw(t, s)
	other.send("PING\r\n")
	other.expect("+PONG\r\n")
}
