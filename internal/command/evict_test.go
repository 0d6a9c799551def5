package command_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// maxmemory tests. Replies are Redis 7.0.15's (server.c processCommand's
// maxmemory step and shared.oomerr, multi.c execCommandAbort, script.c
// scriptVerifyOOM, eval.c evalGetCommandFlags), checked against
// redis-server 7.0.15; eviction follows evict.c and
// tests/unit/maxmemory.tcl.

const oomErr = "OOM command not allowed when used memory > 'maxmemory'."

func mmClient(t *testing.T, s *servertest.Server) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func mmErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mmInfo(t *testing.T, rdb *redis.Client, section, field string) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %q", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

func TestMaxmemoryOOMReplies(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	rdb.Set(ctx, "x", "1", 0)
	rdb.FunctionLoad(ctx, "#!lua name=lib\n"+
		"redis.register_function('f', function() return redis.call('set','a','b') end)\n"+
		"redis.register_function{function_name='g', callback=function() return redis.call('set','a','b') end, flags={'allow-oom'}}\n"+
		"redis.register_function{function_name='h', callback=function() return redis.call('get','x') end, flags={'no-writes'}}")
	if err := rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	// deny-oom commands are refused; reads and DEL (not deny-oom) run.
	if got := mmErr(rdb.Set(ctx, "y", "1", 0).Err()); got != oomErr {
		t.Errorf("SET: %q", got)
	}
	if got, _ := rdb.Get(ctx, "x").Result(); got != "1" {
		t.Errorf("GET: %q", got)
	}
	// Scripts (eval.c evalGetCommandFlags, script.c scriptVerifyOOM).
	evals := []struct {
		body, want string
	}{
		{"#!lua\nreturn redis.call('set','a','b')", oomErr},
		{"#!lua flags=allow-oom\nreturn redis.call('set','a','b')", ""},
		{"#!lua flags=no-writes\nreturn 1", ""},
		{"return redis.call('get','x')", ""},
		{"redis.call('del','zz'); return redis.call('set','a','b')", ""}, // not the first write
		{"return redis.call('set','a','b')", oomErr + " script:"},
	}
	for _, ev := range evals {
		got := mmErr(rdb.Eval(ctx, ev.body, nil).Err())
		if got != ev.want && (ev.want == "" || !strings.HasPrefix(got, ev.want)) {
			t.Errorf("EVAL %q: %q, want %q", ev.body, got, ev.want)
		}
	}
	for _, fc := range []struct{ name, want string }{{"f", oomErr}, {"g", ""}, {"h", ""}} {
		if got := mmErr(rdb.FCall(ctx, fc.name, nil).Err()); got != fc.want {
			t.Errorf("FCALL %s: %q, want %q", fc.name, got, fc.want)
		}
	}

	// MULTI: anything but EXEC/DISCARD/QUIT/RESET is refused and flags the
	// transaction; DISCARD works (multi.tcl "DISCARD should not fail during OOM").
	c := txDial(t, s)
	c.want("+OK\r\n", "MULTI")
	c.want("-"+oomErr+"\r\n", "GET", "x")
	c.want("+OK\r\n", "DISCARD")
	c.want("+OK\r\n", "MULTI")
	c.want("-"+oomErr+"\r\n", "SET", "x", "2")
	c.want("-EXECABORT Transaction discarded because of previous errors."+"\r\n", "EXEC")

	// EXEC of a queue holding a deny-oom command when OOM began after it was queued.
	rdb.ConfigSet(ctx, "maxmemory", "0")
	c.want("+OK\r\n", "MULTI")
	c.want("+QUEUED\r\n", "SET", "x", "2")
	rdb.ConfigSet(ctx, "maxmemory", "1")
	c.want("-EXECABORT Transaction discarded because of: "+oomErr+"\r\n", "EXEC")
	// A read-only queue runs.
	rdb.ConfigSet(ctx, "maxmemory", "0")
	c.want("+OK\r\n", "MULTI")
	c.want("+QUEUED\r\n", "GET", "x")
	rdb.ConfigSet(ctx, "maxmemory", "1")
	c.want("*1\r\n$1\r\n1\r\n", "EXEC")
}

// fillKeys writes n keys named prefix:i with a 1000-byte value (ttl > 0:
// SETEX) in pipelines, ignoring OOM errors; it returns how many failed.
func fillKeys(t *testing.T, rdb *redis.Client, prefix string, n int, ttl time.Duration) int {
	t.Helper()
	ctx := context.Background()
	val := strings.Repeat("v", 1000)
	failed := 0
	for i := 0; i < n; i += 100 {
		p := rdb.Pipeline()
		for j := i; j < i+100 && j < n; j++ {
			p.Set(ctx, prefix+":"+strconv.Itoa(j), val, ttl)
		}
		cmds, _ := p.Exec(ctx)
		for _, c := range cmds {
			if err := c.Err(); err != nil {
				if err.Error() != oomErr {
					t.Fatalf("SET: %v", err)
				}
				failed++
			}
		}
	}
	return failed
}

func TestMaxmemoryEvictionPolicies(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random",
		"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			rdb.FlushAll(ctx)
			rdb.ConfigResetStat(ctx)
			t.Cleanup(func() { rdb.ConfigSet(ctx, "maxmemory", "0") })
			volatile := strings.HasPrefix(policy, "volatile-")
			if volatile {
				// Non-volatile keys must survive every eviction.
				fillKeys(t, rdb, "keep", 200, 0)
			}
			// The server runs in this process, so the heap part of its
			// figure is the whole process's: the test's own allocations
			// (go-redis buffers, the race detector's, other packages'
			// tests loading the machine) move it by a megabyte or so. So
			// the figure starts from fresh GCs (the window of evict.go;
			// the previous round's garbage set the limit over the writes),
			// the limit has 4 MB of headroom, and 15 MB are written.
			for range 3 {
				rdb.Do(ctx, "MEMORY", "PURGE")
			}
			limit := mmInfo(t, rdb, "memory", "used_memory") + 4<<20
			rdb.ConfigSet(ctx, "maxmemory-policy", policy)
			rdb.ConfigSet(ctx, "maxmemory", strconv.FormatInt(limit, 10))
			const n = 15000 // about 15 MB of records, far over the limit
			if failed := fillKeys(t, rdb, "k", n, time.Hour); failed != 0 {
				t.Fatalf("%d SETEX refused", failed)
			}
			if used := mmInfo(t, rdb, "memory", "used_memory"); used > limit+1<<20 {
				t.Errorf("used_memory %d over maxmemory %d", used, limit)
			}
			evicted := mmInfo(t, rdb, "stats", "evicted_keys")
			size, _ := rdb.DBSize(ctx).Result()
			if evicted == 0 || size >= n {
				t.Errorf("evicted_keys %d, dbsize %d", evicted, size)
			}
			if volatile {
				for i := 0; i < 200; i++ {
					if rdb.Exists(ctx, "keep:"+strconv.Itoa(i)).Val() != 1 {
						t.Fatalf("non-volatile key keep:%d evicted", i)
					}
				}
				// With no volatile key left to evict, writes are refused
				// (once the eviction that ran out of time is over).
				rdb.ConfigSet(ctx, "maxmemory", "1")
				waitEvicted(t, rdb)
				if got := mmErr(rdb.Set(ctx, "nv", "x", 0).Err()); got != oomErr {
					t.Errorf("SET with only non-volatile keys: %q", got)
				}
				if rdb.Exists(ctx, "keep:0").Val() != 1 {
					t.Errorf("non-volatile key evicted")
				}
			}
			rdb.ConfigSet(ctx, "maxmemory", "0")
		})
	}
}

func TestMaxmemoryNoEviction(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	limit := mmInfo(t, rdb, "memory", "used_memory") + 100<<10
	rdb.ConfigSet(ctx, "maxmemory", strconv.FormatInt(limit, 10))
	if failed := fillKeys(t, rdb, "k", 5000, 0); failed == 0 {
		t.Fatal("noeviction: no SET refused past maxmemory")
	}
	if ev := mmInfo(t, rdb, "stats", "evicted_keys"); ev != 0 {
		t.Errorf("noeviction evicted %d keys", ev)
	}
}

// Evicted keys publish the "evicted" event (class e) and touch WATCHed
// keys (evict.c deleteEvictedKeyAndPropagate).
func TestMaxmemoryEvictedNotificationAndWatch(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	rdb.ConfigSet(ctx, "notify-keyspace-events", "Ee")
	sub := rdb.Subscribe(ctx, "__keyevent@0__:evicted")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	rdb.Set(ctx, "w", "1", 0)
	c := txDial(t, s)
	c.want("+OK\r\n", "WATCH", "w")

	rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-random")
	fillKeys(t, rdb, "k", 500, 0)
	rdb.ConfigSet(ctx, "maxmemory", "1")
	waitEvicted(t, rdb) // any command runs the eviction: everything goes
	if size := rdb.DBSize(ctx).Val(); size != 0 {
		t.Errorf("dbsize %d after eviction to maxmemory 1", size)
	}
	select {
	case m := <-sub.Channel():
		if m.Channel != "__keyevent@0__:evicted" || !strings.HasPrefix(m.Payload, "k:") && m.Payload != "w" {
			t.Errorf("event %s %s", m.Channel, m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no evicted event")
	}
	rdb.ConfigSet(ctx, "maxmemory", "0")
	c.want("+OK\r\n", "MULTI")
	c.want("+QUEUED\r\n", "PING")
	c.want("*-1\r\n", "EXEC") // the watched key was evicted
}

// waitEvicted waits until an eviction that ran out of its time budget
// (maxmemory-eviction-tenacity) has finished in the background: until the
// number of keys stops moving.
func waitEvicted(t *testing.T, rdb *redis.Client) {
	t.Helper()
	ctx := context.Background()
	last := int64(-1)
	for i := 0; i < 500; i++ {
		n := rdb.DBSize(ctx).Val()
		if n == last {
			return
		}
		last = n
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("eviction does not settle")
}

// Under an LFU policy keys keep Redis's LFU data (evict.c): a new key
// starts at LFU_INIT_VAL (5), and an access at that value always counts.
func TestMaxmemoryLFUFreq(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-lfu")
	rdb.Set(ctx, "foo", "bar", 0)
	if f, err := rdb.ObjectFreq(ctx, "foo").Result(); err != nil || f != 5 {
		t.Fatalf("OBJECT FREQ of a new key: %d, %v", f, err)
	}
	rdb.Get(ctx, "foo")
	if f, _ := rdb.ObjectFreq(ctx, "foo").Result(); f != 6 {
		t.Errorf("OBJECT FREQ after GET: %d, want 6", f)
	}
}

// CONFIG SET maxmemory evicts at once (config.c updateMaxmemory), not at
// the next command: a subscriber hears the evicted event with nothing
// else sent (Redis's pubsub.tcl "Keyspace notifications: evicted events").
func TestMaxmemoryConfigSetEvictsAtOnce(t *testing.T) {
	ctx := context.Background()
	s := servertest.Start(t, nil)
	rdb := mmClient(t, s)
	rdb.ConfigSet(ctx, "notify-keyspace-events", "Ee")
	rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru")
	t.Cleanup(func() { rdb.ConfigSet(ctx, "maxmemory", "0") })
	sub := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2})
	defer sub.Close()
	ps := sub.PSubscribe(ctx, "*")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "foo", "bar", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg, err := ps.ReceiveMessage(rctx)
	if err != nil {
		t.Fatalf("no evicted event after CONFIG SET maxmemory: %v", err)
	}
	if msg.Channel != "__keyevent@0__:evicted" || msg.Payload != "foo" {
		t.Fatalf("got %s %q", msg.Channel, msg.Payload)
	}
}
