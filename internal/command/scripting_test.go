package command_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the scripting commands' host side: the script's own
// selected database, atomicity over undeclared keys, SCRIPT KILL /
// FUNCTION KILL / FUNCTION STATS against a running script. Replies are
// Redis 7.0.15's (src/eval.c, src/functions.c, src/script.c), checked
// against redis-server 7.0.15; tests/diff/scripting_test.go compares the
// plain replies byte for byte.

func scStart(t *testing.T) (*servertest.Server, func() *redis.Client) {
	t.Helper()
	s := servertest.Start(t, nil)
	dial := func() *redis.Client {
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true, ReadTimeout: 10 * time.Second})
		t.Cleanup(func() { rdb.Close() })
		return rdb
	}
	return s, dial
}

// SELECT inside a script changes the script's database only (script.c:
// the script client's db; Redis 7.0 no longer leaks it to the caller).
func TestScriptSelectIsLocal(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	rdb := dial()
	v, err := rdb.Eval(ctx, "redis.call('select','7'); redis.call('set','k','v7'); return redis.call('get','k')", nil).Result()
	if err != nil || v != "v7" {
		t.Fatalf("eval = %v, %v", v, err)
	}
	if n, _ := rdb.Exists(ctx, "k").Result(); n != 0 {
		t.Fatalf("caller's db 0 has k")
	}
	if v, _ := rdb.Do(ctx, "EVAL", "return redis.call('dbsize')", "0").Result(); v != int64(0) {
		t.Fatalf("next script runs in db %v, want the caller's", v)
	}
	rdb.Do(ctx, "SELECT", "7")
	if v, _ := rdb.Get(ctx, "k").Result(); v != "v7" {
		t.Fatalf("db 7 k = %q", v)
	}
}

// A script is atomic over keys it does not declare: concurrent
// read-modify-write scripts on an undeclared key lose no update.
func TestScriptAtomicUndeclaredKeys(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	const workers, rounds = 4, 50
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		rdb := dial()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < rounds; j++ {
				err := rdb.Eval(ctx, "local v = tonumber(redis.call('get','ctr') or '0'); redis.call('set','ctr', v + 1)", nil).Err()
				if err != nil && err != redis.Nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := dial().Get(ctx, "ctr").Int(); v != workers*rounds {
		t.Fatalf("ctr = %d, want %d", v, workers*rounds)
	}
}

// waitBusy polls FUNCTION STATS / SCRIPT KILL replies until a script runs.
func waitRunning(t *testing.T, rdb *redis.Client, cmd ...any) any {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		v, err := rdb.Do(ctx, cmd...).Result()
		if err == nil || !strings.HasPrefix(err.Error(), "NOTBUSY") {
			if err != nil {
				return err
			}
			return v
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("script never started")
	return nil
}

func TestScriptKill(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	a, b := dial(), dial()
	if err := b.Do(ctx, "SCRIPT", "KILL").Err(); err == nil || err.Error() != "NOTBUSY No scripts in execution right now." {
		t.Fatalf("SCRIPT KILL idle = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Eval(ctx, "while true do end", nil).Err() }()
	// FUNCTION KILL refuses an EVAL (script.c scriptKill).
	if err := waitRunning(t, b, "FUNCTION", "KILL"); err == nil || err.(error).Error() != "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE." {
		t.Fatalf("FUNCTION KILL on eval = %v", err)
	}
	if err := b.Do(ctx, "FUNCTION", "STATS").Err(); err == nil || !strings.HasPrefix(err.Error(), "BUSY") {
		t.Fatalf("FUNCTION STATS during eval = %v", err)
	}
	if err := b.Do(ctx, "SCRIPT", "KILL").Err(); err != nil {
		t.Fatalf("SCRIPT KILL = %v", err)
	}
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "Script killed by user with SCRIPT KILL") {
		t.Fatalf("killed eval = %v", err)
	}
	if v, err := a.Ping(ctx).Result(); err != nil || v != "PONG" {
		t.Fatalf("after kill: %v %v", v, err)
	}
}

func TestFunctionKillAndStats(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	a, b := dial(), dial()
	lib := "#!lua name=busy\nredis.register_function('spin', function() while true do end end)"
	if err := a.FunctionLoad(ctx, lib).Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Do(ctx, "FCALL", "spin", "0").Err() }()
	if err := waitRunning(t, b, "SCRIPT", "KILL"); err == nil || err.(error).Error() != "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE." {
		t.Fatalf("SCRIPT KILL on function = %v", err)
	}
	st, err := b.Do(ctx, "FUNCTION", "STATS").Slice()
	if err != nil {
		t.Fatal(err)
	}
	run, ok := st[1].([]any)
	if !ok || len(run) != 6 || run[1] != "spin" {
		t.Fatalf("running_script = %#v", st[1])
	}
	if cmd, _ := run[3].([]any); len(cmd) != 3 || cmd[0] != "FCALL" {
		t.Fatalf("command = %#v", run[3])
	}
	if err := b.Do(ctx, "FUNCTION", "KILL").Err(); err != nil {
		t.Fatalf("FUNCTION KILL = %v", err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("killed fcall = %v", err)
	}
}

// EVAL inside MULTI runs under EXEC's locks.
func TestScriptInMulti(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	rdb := dial()
	cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "x", "1", 0)
		p.Eval(ctx, "return redis.call('incr','x')", nil)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cmds[1].(*redis.Cmd).Result(); v != int64(2) {
		t.Fatalf("eval in exec = %v", v)
	}
}

// Commands that lock shards themselves (SCAN, SORT, INFO, SPUBLISH, DEBUG)
// must not lock again under a script, which holds every shard.
func TestScriptSelfLockingCommands(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	rdb := dial()
	for _, body := range []string{
		"redis.call('rpush','l','2','1'); return redis.call('sort','l')",
		"return redis.call('scan','0')",
		"return redis.call('info','keyspace')",
		"return redis.call('spublish','ch','m')",
		"return redis.call('debug','sleep','0')",
		"return redis.call('memory','stats')",
	} {
		done := make(chan error, 1)
		go func() { done <- rdb.Eval(ctx, body, nil).Err() }()
		select {
		case err := <-done:
			if err != nil && err != redis.Nil && !strings.Contains(err.Error(), "not allowed") {
				t.Errorf("%s: %v", body, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: deadlock", body)
		}
	}
}
