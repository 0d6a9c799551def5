package interop

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/tests/diff"
	"github.com/redis/go-redis/v9"
)

// TestReplicationUnderParallelLoad: redis-benchmark's 50 clients write
// every collection type to a Cinnabar master that runs commands on several
// cores at once; a Cinnabar replica and, chained behind it, a real
// redis-server must end with exactly the master's dataset. This is the
// check that the one propagation stream is a valid serial order of the
// parallel execution.
func TestReplicationUnderParallelLoad(t *testing.T) {
	bench := need(t, "redis-benchmark")
	redisServer := need(t, "redis-server")
	ctx := context.Background()
	m := start(t)
	r1 := start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.port))
	r2port := freePort(t)
	cmd := exec.Command(redisServer, "--port", strconv.Itoa(r2port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--replicaof", "127.0.0.1", strconv.Itoa(r1.port))
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	client := func(port int) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Protocol: 2, DisableIdentity: true})
		t.Cleanup(func() { c.Close() })
		return c
	}
	mc, c1, c2 := client(m.port), client(r1.port), client(r2port)
	linkUp := func(c *redis.Client) bool {
		return strings.Contains(c.Info(ctx, "replication").Val(), "master_link_status:up")
	}
	waitFor(t, 20*time.Second, "both replicas linked", func() bool { return linkUp(c1) && linkUp(c2) })

	out, err := run(t, 120*time.Second, nil, bench, "-h", "127.0.0.1", "-p", strconv.Itoa(m.port), "-q",
		"-t", "set,incr,lpush,rpush,lpop,rpop,sadd,spop,hset,zadd", "-c", "50", "-n", "20000", "-r", "3000")
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	offset := func(c *redis.Client, field string) string {
		for _, l := range strings.Split(c.Info(ctx, "replication").Val(), "\r\n") {
			if v, ok := strings.CutPrefix(l, field+":"); ok {
				return v
			}
		}
		return ""
	}
	waitFor(t, 20*time.Second, "the replicas to catch up", func() bool {
		want := offset(mc, "master_repl_offset")
		return offset(c1, "slave_repl_offset") == want && offset(c2, "slave_repl_offset") == want
	})
	want := loadDataset(t, mc)
	if len(want) < 1000 {
		t.Fatalf("only %d keys on the master", len(want))
	}
	for name, c := range map[string]*redis.Client{"cinnabar replica": c1, "redis-server sub-replica": c2} {
		got := loadDataset(t, c)
		diff := 0
		for k, v := range want {
			if got[k] != v {
				if diff < 5 {
					t.Errorf("%s: key %q: %.80q, master %.80q", name, k, got[k], v)
				}
				diff++
			}
		}
		if diff > 0 || len(got) != len(want) {
			t.Errorf("%s: %d keys differ, %d keys vs the master's %d", name, diff, len(got), len(want))
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func loadDataset(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		typ, v := diff.DescribeValue(ctx, c, k)
		out[k] = typ + " " + v
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
