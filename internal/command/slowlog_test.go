package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// slowlogArgvs renders SLOWLOG GET's argument lists, newest first.
func slowlogArgvs(t *testing.T, c *redis.Client) []string {
	t.Helper()
	v, err := c.Do(context.Background(), "SLOWLOG", "GET").Slice()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(v))
	for i, e := range v {
		var args []string
		for _, a := range e.([]any)[3].([]any) {
			args = append(args, a.(string))
		}
		out[i] = strings.Join(args, " ")
	}
	return out
}

// A command that blocks is logged when it is served, with the arguments
// the client sent, not when it blocks (blocked.c updateStatsOnUnblock;
// slowlog.tcl "SLOWLOG - Rewritten commands are logged as their original
// command"); one that times out is not logged.
func TestSlowlogBlockedCommands(t *testing.T) {
	s := servertest.Start(t, []string{"--slowlog-log-slower-than", "0"})
	ctx := context.Background()
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true})
		t.Cleanup(func() { c.Close() })
		return c
	}
	r, blocked := newClient(), newClient()
	waitBlocked := func() {
		t.Helper()
		for i := 0; ; i++ {
			if s.Engine().BlockedClients() == 1 {
				return
			}
			if i == 500 {
				t.Fatal("client did not block")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}

	res := make(chan error, 1)
	go func() { res <- blocked.BLPop(ctx, 0, "l").Err() }()
	waitBlocked()
	if err := r.Do(ctx, "SLOWLOG", "RESET").Err(); err != nil {
		t.Fatal(err)
	}
	r.LPush(ctx, "l", "foo")
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	got := slowlogArgvs(t, r)
	want := []string{"blpop l 0", "lpush l foo", "SLOWLOG RESET"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("SLOWLOG GET = %q, want %q", got, want)
	}

	go func() { res <- blocked.Do(ctx, "BLPOP", "l2", "0.05").Err() }()
	waitBlocked()
	r.Do(ctx, "SLOWLOG", "RESET")
	if err := <-res; err != redis.Nil {
		t.Fatalf("BLPOP timeout: %v", err)
	}
	if got := slowlogArgvs(t, r); len(got) != 1 || got[0] != "SLOWLOG RESET" {
		t.Errorf("after a timed out BLPOP, SLOWLOG GET = %q", got)
	}
}
