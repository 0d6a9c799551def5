package tests

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/redis/go-redis/v9"
)

// TestNeverReadingSubscriberIsDisconnected: a subscriber that stops
// reading is disconnected once its pending output passes the pubsub
// class's hard limit (client-output-buffer-limit, networking.c
// checkClientOutputBufferLimits), and until then the server holds at most
// that much for it: memory does not grow with what is published.
func TestNeverReadingSubscriberIsDisconnected(t *testing.T) {
	const hard = 512 << 10
	s := servertest.Start(t, []string{"--client-output-buffer-limit", "pubsub " + strconv.Itoa(hard) + " 0 0"})
	ctx := context.Background()
	pub := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { pub.Close() })

	sub, br := rawSubscriber(t, s.Addr, "ch")
	// From here on the subscriber never reads.
	msg := strings.Repeat("m", 16<<10)
	published := 0
	maxOmem := 0
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := pub.Publish(ctx, "ch", msg).Result()
		if err != nil {
			t.Fatal(err)
		}
		published++
		if n == 0 {
			break // the subscriber is gone
		}
		if published%8 == 0 {
			for _, line := range strings.Split(pub.ClientList(ctx).Val(), "\n") {
				if !strings.Contains(line, "sub=1") {
					continue
				}
				for _, f := range strings.Fields(line) {
					if v, ok := strings.CutPrefix(f, "omem="); ok {
						m, _ := strconv.Atoi(v)
						maxOmem = max(maxOmem, m)
					}
				}
			}
		}
		if time.Now().After(deadline) || published > 1<<14 {
			t.Fatalf("subscriber still subscribed after %d messages of 16 KB (max omem %d)", published, maxOmem)
		}
	}
	if published*len(msg) < hard {
		t.Fatalf("disconnected after only %d bytes, under the %d-byte limit", published*len(msg), hard)
	}
	// What the server queued for it never went far past the hard limit
	// (a message or two of slack).
	if maxOmem > hard+(32<<10) {
		t.Errorf("omem reached %d, over the %d-byte hard limit", maxOmem, hard)
	}
	if n := pub.PubSubNumSub(ctx, "ch").Val()["ch"]; n != 0 {
		t.Errorf("NUMSUB ch = %d after the disconnection", n)
	}
	// The socket is closed by the server: draining it ends in EOF.
	_ = sub.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("draining the subscriber's socket: %v (want EOF)", err)
	}
	t.Logf("disconnected after %d messages (%d KB published), max omem seen %d bytes", published, published*16, maxOmem)
}

// TestSubscriberOverSoftLimitIsDisconnected: over the pubsub soft limit
// for longer than its seconds, a subscriber that does not read is
// disconnected, though it never reaches a hard limit (there is none).
func TestSubscriberOverSoftLimitIsDisconnected(t *testing.T) {
	s := servertest.Start(t, []string{"--client-output-buffer-limit", "pubsub 0 262144 1"})
	ctx := context.Background()
	pub := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { pub.Close() })
	_, _ = rawSubscriber(t, s.Addr, "ch")
	msg := strings.Repeat("m", 16<<10)
	start := time.Now()
	var overSince time.Time
	for {
		n, err := pub.Publish(ctx, "ch", msg).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if overSince.IsZero() {
			for _, line := range strings.Split(pub.ClientList(ctx).Val(), "\n") {
				if strings.Contains(line, "sub=1") && !strings.Contains(line, " omem=0") {
					for _, f := range strings.Fields(line) {
						if v, ok := strings.CutPrefix(f, "omem="); ok {
							if m, _ := strconv.Atoi(v); m >= 262144 {
								overSince = time.Now()
							}
						}
					}
				}
			}
		}
		time.Sleep(10 * time.Millisecond) // a slow trickle: the soft limit's time, not the volume, decides
		if time.Since(start) > 20*time.Second {
			t.Fatal("subscriber over the soft limit was never disconnected")
		}
	}
	if overSince.IsZero() {
		t.Fatal("disconnected before its output reached the soft limit")
	}
	if held := time.Since(overSince); held < 900*time.Millisecond {
		t.Errorf("disconnected %v after passing the soft limit, before its 1 s", held)
	}
}

// rawSubscriber subscribes a raw connection to channel and reads the
// confirmation (*3 $9 subscribe $N channel :1); the connection is closed
// when the test ends.
func rawSubscriber(t *testing.T, addr, channel string) (net.Conn, *bufio.Reader) {
	t.Helper()
	sub, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	cmd := "*2\r\n$9\r\nSUBSCRIBE\r\n$" + strconv.Itoa(len(channel)) + "\r\n" + channel + "\r\n"
	if _, err := sub.Write([]byte(cmd)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(sub)
	for i := 0; i < 6; i++ {
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	return sub, br
}
