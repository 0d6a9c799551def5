package server_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Commands sent on different connections run in arrival order when the
// connections share a loop, as in Redis's single event loop: here the two
// BRPOPLPUSH block before the LPUSH that follows them (Redis's TCL test
// "BRPOPLPUSH with multiple blocked clients" relies on it). Connections on
// different loops run concurrently and have no such order.
func TestLoopKeepsArrivalOrder(t *testing.T) {
	if noEventLoops() {
		t.Skip("no event loops on this system (or CINNABAR_EVENT_LOOP=0): connections run concurrently")
	}
	s, _ := oneLoop(t)
	r, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	br := bufio.NewReader(r)
	io.WriteString(r, "SELECT 9\r\n")
	br.ReadString('\n')
	for i := 0; i < 200; i++ {
		c1, err1 := net.Dial("tcp", s.Addr)
		c2, err2 := net.Dial("tcp", s.Addr)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		b1, b2 := bufio.NewReader(c1), bufio.NewReader(c2)
		io.WriteString(c1, "SELECT 9\r\n")
		b1.ReadString('\n')
		io.WriteString(c2, "SELECT 9\r\n")
		b2.ReadString('\n')
		io.WriteString(r, "DEL blist target1 target2\r\n")
		br.ReadString('\n')
		io.WriteString(r, "SET target1 nolist\r\n")
		br.ReadString('\n')
		io.WriteString(c1, "BRPOPLPUSH blist target1 0\r\n")
		io.WriteString(c2, "BRPOPLPUSH blist target2 0\r\n")
		io.WriteString(r, "LPUSH blist foo\r\n")
		br.ReadString('\n')
		c1.SetReadDeadline(time.Now().Add(3 * time.Second))
		c2.SetReadDeadline(time.Now().Add(3 * time.Second))
		l1, err := b1.ReadString('\n')
		if err != nil || !strings.HasPrefix(l1, "-WRONGTYPE") {
			t.Fatalf("iteration %d: rd1 %q %v", i, l1, err)
		}
		l2, err := b2.ReadString('\n')
		if err != nil {
			t.Fatalf("iteration %d: rd2 %q %v", i, l2, err)
		}
		c1.Close()
		c2.Close()
	}
}
