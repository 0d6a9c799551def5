package tests

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar"
	"github.com/redis/go-redis/v9"
)

// TestEmbedStart: the public embedding API starts a working server on a
// free port and stops it.
func TestEmbedStart(t *testing.T) {
	srv, err := cinnabar.Start("--port", "0", "--bind", "127.0.0.1", "--save", "")
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	ctx := context.Background()
	if err := rdb.Set(ctx, "embedded", "yes", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v := rdb.Get(ctx, "embedded").Val(); v != "yes" {
		t.Fatalf("GET = %q", v)
	}
	rdb.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		t.Fatal("server still accepts connections after Close")
	}
	if _, err := cinnabar.Start("--port", "0", "--no-such-option", "1"); err == nil {
		t.Fatal("Start accepted an unknown option")
	}
}

// TestUnixSocket: unixsocket serves the protocol; CLIENT LIST shows the
// path as addr and the U flag, as Redis does.
func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cinnabar.sock")
	srv, err := cinnabar.Start("--port", "0", "--bind", "127.0.0.1", "--unixsocket", path, "--save", "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	c.Write([]byte("PING\r\nCLIENT LIST\r\n"))
	line, _ := r.ReadString('\n')
	if line != "+PONG\r\n" {
		t.Fatalf("PING over unix socket = %q", line)
	}
	hdr, _ := r.ReadString('\n')
	body, _ := r.ReadString('\n')
	if !strings.HasPrefix(hdr, "$") || !strings.Contains(body, "addr="+path+":0") || !strings.Contains(body, "flags=U") {
		t.Fatalf("CLIENT LIST over unix socket = %q", body)
	}
}

// TestConfigSetPortMovesListener: CONFIG SET port closes the old listener
// and accepts on the new port (the event loops accept on the listeners
// themselves, so they must follow the change), and a client already
// connected keeps working. A burst of connections made while other
// clients keep the loops busy is accepted whole.
func TestConfigSetPortMovesListener(t *testing.T) {
	srv, err := cinnabar.Start("--port", "0", "--bind", "127.0.0.1", "--save", "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	oldAddr := srv.Addr()
	old := redis.NewClient(&redis.Options{Addr: oldAddr, PoolSize: 1})
	defer old.Close()
	if err := old.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := old.ConfigSet(ctx, "port", strconv.Itoa(port)).Err(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", oldAddr, time.Second); err == nil {
		c.Close()
		t.Fatal("the old port still accepts connections")
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for i := 0; i < 4; i++ {
		busy.Add(1)
		go func() {
			defer busy.Done()
			c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
			defer c.Close()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c.Incr(ctx, "busy")
			}
		}()
	}
	conns := make([]net.Conn, 0, 200)
	for i := 0; i < 200; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	for i, c := range conns {
		line, err := bufio.NewReader(c).ReadString('\n')
		if line != "+PONG\r\n" {
			t.Fatalf("connection %d: PING = %q, %v", i, line, err)
		}
		c.Close()
	}
	close(stop)
	busy.Wait()
	if v := old.Get(ctx, "busy").Val(); v == "" || v == "0" {
		t.Fatalf("the client connected before the port change stopped working: busy=%q", v)
	}
}
