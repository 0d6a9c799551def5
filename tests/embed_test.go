package tests

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strings"
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
