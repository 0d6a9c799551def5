package tests

import (
	"bufio"
	"context"
	"io"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/redis/go-redis/v9"
)

// Blocking commands through go-redis, and the cost of many idle blocked
// clients. Semantics are Redis 7.0.15's (src/blocked.c, t_list.c,
// t_zset.c); the idle-cost test checks the design in
// docs/design/concurrency.md: a blocked client costs two parked
// goroutines and nothing per tick.

// blockedClients reads INFO's blocked_clients.
func blockedClients(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "clients").Result()
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatalf("no blocked_clients in %q", info)
	return 0
}

func waitBlockedClients(t *testing.T, rdb *redis.Client, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := blockedClients(t, rdb)
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("blocked_clients = %d, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGoRedisBlocking: go-redis's blocking calls get their replies when
// another client pushes, and time out with redis.Nil.
func TestGoRedisBlocking(t *testing.T) {
	s := servertest.Start(t, nil)
	ctx := context.Background()
	ctl := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer ctl.Close()
	blk := redis.NewClient(&redis.Options{Addr: s.Addr, PoolSize: 8})
	defer blk.Close()

	type result struct {
		name string
		got  string
		err  error
	}
	results := make(chan result, 8)
	run := func(name string, f func() (string, error)) {
		go func() {
			got, err := f()
			results <- result{name, got, err}
		}()
	}
	run("BLPOP", func() (string, error) {
		v, err := blk.BLPop(ctx, 0, "nokey", "l1").Result()
		return strings.Join(v, ","), err
	})
	waitBlockedClients(t, ctl, 1, 5*time.Second)
	run("BLMOVE", func() (string, error) { return blk.BLMove(ctx, "l2", "dst", "LEFT", "RIGHT", 0).Result() })
	waitBlockedClients(t, ctl, 2, 5*time.Second)
	run("BLMPOP", func() (string, error) {
		k, v, err := blk.BLMPop(ctx, 0, "right", 2, "l3").Result()
		return k + ":" + strings.Join(v, ","), err
	})
	waitBlockedClients(t, ctl, 3, 5*time.Second)
	run("BZPOPMIN", func() (string, error) {
		v, err := blk.BZPopMin(ctx, 0, "z1").Result()
		if err != nil {
			return "", err
		}
		return v.Key + ":" + v.Member.(string) + ":" + strconv.FormatFloat(v.Score, 'g', -1, 64), nil
	})
	waitBlockedClients(t, ctl, 4, 5*time.Second)
	run("BZMPOP", func() (string, error) {
		k, zs, err := blk.BZMPop(ctx, 0, "max", 5, "z2").Result()
		var parts []string
		for _, z := range zs {
			parts = append(parts, z.Member.(string))
		}
		return k + ":" + strings.Join(parts, ","), err
	})
	waitBlockedClients(t, ctl, 5, 5*time.Second)

	ctl.RPush(ctx, "l1", "a")
	ctl.RPush(ctx, "l2", "b")
	ctl.RPush(ctx, "l3", "c", "d", "e")
	ctl.ZAdd(ctx, "z1", redis.Z{Score: 1.5, Member: "m"})
	ctl.ZAdd(ctx, "z2", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"})
	want := map[string]string{
		"BLPOP":    "l1,a",
		"BLMOVE":   "b",
		"BLMPOP":   "l3:e,d",
		"BZPOPMIN": "z1:m:1.5",
		"BZMPOP":   "z2:y,x",
	}
	for range want {
		select {
		case r := <-results:
			if r.err != nil || r.got != want[r.name] {
				t.Errorf("%s = %q, %v; want %q", r.name, r.got, r.err, want[r.name])
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a blocked call was not served")
		}
	}
	if got, _ := ctl.LRange(ctx, "dst", 0, -1).Result(); !slices.Equal(got, []string{"b"}) {
		t.Errorf("dst = %q", got)
	}

	// Timeouts come back as redis.Nil after about the timeout (go-redis
	// rounds durations below 1s up, so fractional seconds go through Do).
	start := time.Now()
	if err := blk.BLPop(ctx, time.Second, "nokey").Err(); err != redis.Nil {
		t.Errorf("BLPOP timeout: err = %v, want redis.Nil", err)
	}
	if el := time.Since(start); el < time.Second || el > 1100*time.Millisecond {
		t.Errorf("a 1s timeout took %v", el)
	}
	start = time.Now()
	if err := blk.Do(ctx, "bzpopmax", "nokey", "0.1").Err(); err != redis.Nil {
		t.Errorf("BZPOPMAX timeout: err = %v, want redis.Nil", err)
	}
	if el := time.Since(start); el < 100*time.Millisecond || el > 150*time.Millisecond {
		t.Errorf("a 0.1s timeout took %v", el)
	}
}

// cpuTime is the process's user+system CPU time.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestBlockedClientsIdleCost blocks 2,000 raw-socket clients (BLPOP, with
// and without a timeout, and BZPOPMIN), checks that the process uses
// (almost) no CPU while they wait, then serves every one with one push.
func TestBlockedClientsIdleCost(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 connections: skipped with -short")
	}
	const n = 2000
	s := servertest.Start(t, nil)
	ctx := context.Background()
	ctl := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer ctl.Close()

	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		c, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
		conns[i], readers[i] = c, bufio.NewReader(c)
		var cmd string
		switch i % 4 {
		case 0, 1:
			cmd = "*3\r\n$5\r\nBLPOP\r\n$4\r\nlist\r\n$1\r\n0\r\n"
		case 2:
			cmd = "*3\r\n$5\r\nBLPOP\r\n$4\r\nlist\r\n$4\r\n3600\r\n"
		case 3:
			cmd = "*3\r\n$8\r\nBZPOPMIN\r\n$4\r\nzset\r\n$1\r\n0\r\n"
		}
		if _, err := io.WriteString(c, cmd); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	waitBlockedClients(t, ctl, n, 30*time.Second)

	runtime.GC()
	time.Sleep(100 * time.Millisecond) // let the dust of connecting settle
	before := cpuTime(t)
	wall := time.Now()
	time.Sleep(time.Second)
	used := cpuTime(t) - before
	t.Logf("%d blocked clients: %v CPU in %v; %d goroutines", n, used, time.Since(wall), runtime.NumGoroutine())
	// Idle means no per-client or per-tick work: allow a little for the
	// server cron and the runtime (the race detector included).
	if used > 150*time.Millisecond {
		t.Errorf("%d idle blocked clients used %v CPU in one second", n, used)
	}

	// One push serves every list waiter, one ZADD every zset waiter.
	lists, zsets := n*3/4, n/4
	elems := make([]any, lists)
	for i := range elems {
		elems[i] = strconv.Itoa(i)
	}
	if err := ctl.RPush(ctx, "list", elems...).Err(); err != nil {
		t.Fatalf("RPUSH: %v", err)
	}
	members := make([]redis.Z, zsets)
	for i := range members {
		members[i] = redis.Z{Score: float64(i), Member: "m" + strconv.Itoa(i)}
	}
	if err := ctl.ZAdd(ctx, "zset", members...).Err(); err != nil {
		t.Fatalf("ZADD: %v", err)
	}
	seen := make(map[string]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_ = conns[i].SetReadDeadline(time.Now().Add(20 * time.Second))
			// *2 / *3, then the key, then the element (and a score).
			hdr, err := readers[i].ReadString('\n')
			if err != nil {
				errs <- "client " + strconv.Itoa(i) + ": " + err.Error()
				return
			}
			parts := 2
			if hdr == "*3\r\n" {
				parts = 3
			}
			var items []string
			for range parts {
				if _, err := readers[i].ReadString('\n'); err != nil { // $len
					errs <- err.Error()
					return
				}
				v, err := readers[i].ReadString('\n')
				if err != nil {
					errs <- err.Error()
					return
				}
				items = append(items, strings.TrimSuffix(v, "\r\n"))
			}
			mu.Lock()
			if seen[items[1]] {
				errs <- "element served twice: " + items[1]
			}
			seen[items[1]] = true
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if len(seen) != n {
		t.Errorf("%d clients served, want %d", len(seen), n)
	}
	if got := blockedClients(t, ctl); got != 0 {
		t.Errorf("blocked_clients = %d after serving", got)
	}
	if ex, _ := ctl.Exists(ctx, "list", "zset").Result(); ex != 0 {
		t.Errorf("%d keys left: every element should be served", ex)
	}
}
