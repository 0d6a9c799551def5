// Package tests holds black-box tests: real clients against a Cinnabar
// server started in-process (internal/servertest), and interop and
// differential tests against real Redis tools.
package tests

import (
	"context"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/redis/go-redis/v9"
)

// TestGoRedisSmoke checks that go-redis can connect (it sends HELLO 3 and
// falls back to RESP2), and that basic commands round trip.
func TestGoRedisSmoke(t *testing.T) {
	s := servertest.Start(t, nil)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING: %v", err)
	}
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: err = %v, want redis.Nil", err)
	}
}
