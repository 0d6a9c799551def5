package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Real-world Lua scripts (testdata/scripts: a token-bucket rate limiter, a
// reliable queue with timestamps, a compare-and-delete lock release, a
// sliding-window counter), as job queues and rate limiters ship them.
// go-redis runs them through its Script helper (EVALSHA, falling back to
// EVAL on NOSCRIPT): a deterministic transcript must be identical on
// Cinnabar and on the real redis-server, and concurrent clients must keep
// each script's invariant. redis-py runs the same files in
// TestRealWorldScriptsRedisPy.

func loadScript(t *testing.T, name string) *redis.Script {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "scripts", name+".lua"))
	if err != nil {
		t.Fatal(err)
	}
	return redis.NewScript(string(b))
}

type realWorldScripts struct {
	bucket, move, ack, release, window *redis.Script
}

func loadScripts(t *testing.T) realWorldScripts {
	return realWorldScripts{
		bucket:  loadScript(t, "token_bucket"),
		move:    loadScript(t, "queue_move"),
		ack:     loadScript(t, "queue_ack"),
		release: loadScript(t, "lock_release"),
		window:  loadScript(t, "sliding_window"),
	}
}

// transcript runs a fixed sequence of script calls (time passed in as an
// argument, so it is deterministic) and records every reply and the
// resulting state.
func transcript(t *testing.T, c *redis.Client, s realWorldScripts) []string {
	ctx := context.Background()
	var out []string
	rec := func(what string, v any, err error) {
		out = append(out, fmt.Sprintf("%s => %v (%v)", what, v, err))
	}
	c.FlushAll(ctx)
	now := int64(1_700_000_000_000)
	for i := 0; i < 14; i++ { // capacity 10, 2 tokens/s, a request every 100 ms
		v, err := s.bucket.Run(ctx, c, []string{"rl:user1"}, 10, 2, now+int64(i)*100, 1).Result()
		rec("bucket "+strconv.Itoa(i), v, err)
	}
	v, err := s.bucket.Run(ctx, c, []string{"rl:user1"}, 10, 2, now+5000, 3).Result()
	rec("bucket after 5s", v, err)
	rec("bucket state", c.HGetAll(ctx, "rl:user1").Val(), nil)

	c.RPush(ctx, "q:pending", "job1", "job2", "job3")
	for i := 0; i < 4; i++ {
		v, err := s.move.Run(ctx, c, []string{"q:pending", "q:processing", "q:since"}, now+int64(i)).Result()
		rec("move "+strconv.Itoa(i), v, err)
	}
	v, err = s.ack.Run(ctx, c, []string{"q:processing", "q:since"}, "job2").Result()
	rec("ack job2", v, err)
	v, err = s.ack.Run(ctx, c, []string{"q:processing", "q:since"}, "job9").Result()
	rec("ack job9", v, err)
	rec("processing", c.LRange(ctx, "q:processing", 0, -1).Val(), nil)
	rec("since", c.ZRangeWithScores(ctx, "q:since", 0, -1).Val(), nil)

	c.Set(ctx, "lock:res", "token-a", 0)
	v, err = s.release.Run(ctx, c, []string{"lock:res"}, "token-b").Result()
	rec("release wrong token", v, err)
	v, err = s.release.Run(ctx, c, []string{"lock:res"}, "token-a").Result()
	rec("release right token", v, err)
	rec("lock exists", c.Exists(ctx, "lock:res").Val(), nil)

	for i := 0; i < 7; i++ { // limit 5 per 1000 ms window
		v, err := s.window.Run(ctx, c, []string{"sw:api"}, now+int64(i)*150, 1000, 5, "ev"+strconv.Itoa(i)).Result()
		rec("window "+strconv.Itoa(i), v, err)
	}
	rec("window members", c.ZRange(ctx, "sw:api", 0, -1).Val(), nil)
	// An error path: the limiter on a key of the wrong type.
	c.Set(ctx, "rl:str", "x", 0)
	v, err = s.bucket.Run(ctx, c, []string{"rl:str"}, 10, 2, now, 1).Result()
	rec("bucket wrong type", v, err)
	return out
}

func startRealRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin := need(t, "redis-server")
	port := freePort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	deadline := time.Now().Add(5 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return c
}

func TestRealWorldScriptsGoRedis(t *testing.T) {
	s := loadScripts(t)
	p := start(t)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(p.port), Protocol: 2, DisableIdentity: true, PoolSize: 20})
	t.Cleanup(func() { c.Close() })
	ref := startRealRedis(t)

	got, want := transcript(t, c, s), transcript(t, ref, s)
	if len(got) != len(want) || len(want) < 30 {
		t.Fatalf("transcripts of %d and %d steps", len(got), len(want))
	}
	t.Logf("%d steps identical, e.g. %q, %q", len(want), want[12], want[len(want)-1])
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("step %d: cinnabar %q, redis %q", i, got[min(i, len(got)-1)], want[i])
		}
	}

	// Concurrent clients: each script's invariant must hold.
	ctx := context.Background()
	c.FlushAll(ctx)
	const workers = 8

	// The lock guards a read-modify-write; released only by its holder.
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			token := "owner-" + strconv.Itoa(w)
			for done := 0; done < 25; {
				ok, err := c.SetNX(ctx, "lock:counter", token, 5*time.Second).Result()
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					continue
				}
				n, _ := c.Get(ctx, "counter").Int()
				c.Set(ctx, "counter", n+1, 0)
				if r, err := s.release.Run(ctx, c, []string{"lock:counter"}, "not-"+token).Int(); err != nil || r != 0 {
					t.Errorf("release with a foreign token: %v %v", r, err)
				}
				if r, err := s.release.Run(ctx, c, []string{"lock:counter"}, token).Int(); err != nil || r != 1 {
					t.Errorf("release by the holder: %v %v", r, err)
				}
				done++
			}
		}(w)
	}
	wg.Wait()
	if n, _ := c.Get(ctx, "counter").Int(); n != workers*25 {
		t.Errorf("counter %d under the lock, want %d", n, workers*25)
	}

	// Every job is taken exactly once and acknowledged.
	const jobs = 400
	for i := 0; i < jobs; i++ {
		c.LPush(ctx, "q:pending", "job"+strconv.Itoa(i))
	}
	var seen sync.Map
	var dup atomic.Int32
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				job, err := s.move.Run(ctx, c, []string{"q:pending", "q:processing", "q:since"}, time.Now().UnixMilli()).Text()
				if err == redis.Nil {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				if _, loaded := seen.LoadOrStore(job, true); loaded {
					dup.Add(1)
				}
				if r, err := s.ack.Run(ctx, c, []string{"q:processing", "q:since"}, job).Int(); err != nil || r != 1 {
					t.Errorf("ack %s: %v %v", job, r, err)
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	seen.Range(func(any, any) bool { n++; return true })
	if n != jobs || dup.Load() != 0 || c.LLen(ctx, "q:processing").Val() != 0 || c.ZCard(ctx, "q:since").Val() != 0 {
		t.Errorf("queue: %d distinct jobs of %d, %d duplicates, %d still processing", n, jobs, dup.Load(), c.LLen(ctx, "q:processing").Val())
	}

	// A burst at one instant: exactly the bucket's capacity and the
	// window's limit get through.
	now := time.Now().UnixMilli()
	var allowed, accepted atomic.Int32
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				r, err := s.bucket.Run(ctx, c, []string{"rl:burst"}, 25, 1, now, 1).Int64Slice()
				if err != nil {
					t.Error(err)
					return
				}
				allowed.Add(int32(r[0]))
				r, err = s.window.Run(ctx, c, []string{"sw:burst"}, now, 60000, 30, fmt.Sprintf("w%d-%d", w, i)).Int64Slice()
				if err != nil {
					t.Error(err)
					return
				}
				accepted.Add(int32(r[0]))
			}
		}(w)
	}
	wg.Wait()
	if allowed.Load() != 25 || accepted.Load() != 30 {
		t.Errorf("burst: %d allowed by the bucket (want 25), %d accepted by the window (want 30)", allowed.Load(), accepted.Load())
	}
}

func TestRealWorldScriptsRedisPy(t *testing.T) {
	runRedisPy(t, "realworld_scripts.py", "real-world script checks passed", 60*time.Second)
}
