package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/redis/go-redis/v9"
)

// TestDisableDenyScripts: a script may not call a noscript command such as
// DEBUG, unless DEBUG SET-DISABLE-DENY-SCRIPTS 1 (debug.c) lifts the ban,
// as Redis's own scripting tests rely on.
func TestDisableDenyScripts(t *testing.T) {
	s := servertest.Start(t, nil)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2})
	defer rdb.Close()
	ctx := context.Background()
	script := "return redis.call('debug', 'protocol', 'integer')"
	_, err := rdb.Eval(ctx, script, nil).Result()
	if err == nil || !strings.Contains(err.Error(), "This Redis command is not allowed from script") {
		t.Fatalf("EVAL of DEBUG before: err = %v", err)
	}
	if err := rdb.Do(ctx, "DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Eval(ctx, script, nil).Int64(); err != nil || n != 12345 {
		t.Fatalf("EVAL of DEBUG after: %v, %v", n, err)
	}
	if err := rdb.Do(ctx, "DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Eval(ctx, script, nil).Result(); err == nil {
		t.Fatal("the ban is not back after SET-DISABLE-DENY-SCRIPTS 0")
	}
}
