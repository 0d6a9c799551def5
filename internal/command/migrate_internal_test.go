package command

import (
	"net"
	"testing"
	"time"
)

// A cached MIGRATE connection is closed once idle for the cache TTL
// (migrateCloseTimedoutSockets; dump.tcl "MIGRATE cached connections are
// released after some time", with a short TTL).
func TestMigrateSocketsExpire(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	closed := make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		var b [1]byte
		_, _ = c.Read(b[:]) // returns when the cache closes the socket
		c.Close()
		close(closed)
	}()
	host, port, _ := net.SplitHostPort(l.Addr().String())
	m := newMigrateSockets(50 * time.Millisecond)
	s, err := m.get([]byte(host), []byte(port), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m.put(s)
	if n := m.Len(); n != 1 {
		t.Fatalf("Len = %d after one connection, want 1", n)
	}
	s2, err := m.get([]byte(host), []byte(port), time.Second)
	if err != nil || s2 != s {
		t.Fatalf("second get: %v, same socket %v", err, s2 == s)
	}
	m.put(s2)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("idle socket not closed")
	}
	if n := m.Len(); n != 0 {
		t.Errorf("Len = %d after the TTL, want 0", n)
	}
}

func TestAtoiPrefix(t *testing.T) {
	for in, want := range map[string]int{"6379": 6379, "12ab": 12, "abc": 0, "": 0, " 7": 7, "-1": -1} {
		if got := atoiPrefix([]byte(in)); got != want {
			t.Errorf("atoiPrefix(%q) = %d, want %d", in, got, want)
		}
	}
}
