package diff

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// TestAOFInteropWithRedis: Cinnabar's append-only file (Redis 7.0's
// multi-part layout: manifest, RDB base, incremental commands) survives
// DEBUG LOADAOF and a BGREWRITEAOF, is loaded by redis-server, and
// Cinnabar loads what redis-server appended to it.
func TestAOFInteropWithRedis(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := servertest.Start(t, []string{"--dir", dir})
	c := replClient(t, s.Addr)
	populate(t, c, "a:")
	if err := c.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	mutate(t, c, s.Addr, "a:") // after the base: these are in the incremental file
	c.Publish(ctx, "chan", "not in the AOF")
	want := dataset(t, c)
	if err := c.Do(ctx, "DEBUG", "LOADAOF").Err(); err != nil {
		t.Fatalf("DEBUG LOADAOF: %v", err)
	}
	if got := dataset(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("DEBUG LOADAOF changed the dataset:\n got %v\nwant %v", got, want)
	}
	if err := c.BgRewriteAOF(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the rewrite", func() bool { return infoField(t, c, "persistence", "aof_rewrite_in_progress") == "0" })
	c.Set(ctx, "after-rewrite", "1", 0)
	want = dataset(t, c)
	s.Server.Close()

	raddr := StartRedis(t, "--dir", dir, "--appendonly", "yes")
	r := replClient(t, raddr)
	if got := dataset(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("redis-server loaded a different dataset from Cinnabar's AOF:\n got %v\nwant %v", got, want)
	}
	r.Set(ctx, "from-redis", "x", time.Hour)
	want = dataset(t, r)
	if err := r.Shutdown(ctx).Err(); err != nil && err.Error() != "redis: client is closed" && err.Error() != "EOF" {
		t.Logf("SHUTDOWN: %v", err)
	}
	time.Sleep(200 * time.Millisecond)

	s2 := servertest.Start(t, []string{"--dir", dir, "--appendonly", "yes"})
	if err := s2.Server.Engine().LoadAtStartup(); err != nil {
		t.Fatalf("loading redis-server's AOF: %v", err)
	}
	c2 := replClient(t, s2.Addr)
	if got := dataset(t, c2); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Cinnabar loaded a different dataset from redis-server's AOF:\n got %v\nwant %v", got, want)
	}
}

// TestAOFAutoRewrite: once the incremental file outgrows
// auto-aof-rewrite-percentage of the base (and the AOF passes
// auto-aof-rewrite-min-size), the cron rewrites the AOF by itself.
func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := servertest.Start(t, []string{"--dir", dir, "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "65536"})
	c := replClient(t, s.Addr)
	c.Set(ctx, "seed", "x", 0)
	if err := c.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	before := infoField(t, c, "persistence", "aof_rewrites")
	val := string(make([]byte, 1024))
	for i := 0; i < 200; i++ { // ~200 KB of commands over a tiny base
		c.Set(ctx, "k", val, 0)
	}
	waitUntil(t, "an automatic AOF rewrite", func() bool {
		return infoField(t, c, "persistence", "aof_rewrites") != before &&
			infoField(t, c, "persistence", "aof_rewrite_in_progress") == "0"
	})
	if c.Get(ctx, "k").Val() != val || c.Do(ctx, "DEBUG", "LOADAOF").Err() != nil || c.Get(ctx, "k").Val() != val {
		t.Errorf("the data after the automatic rewrite and a reload is wrong")
	}
}
