package command_test

import (
	"context"
	"testing"
)

// redis.call reuses the {ok="OK"} table of "+OK" replies (script.okTable)
// only while the script leaves it as built: a changed table is never
// handed out again.
func TestScriptOKReplyTableNotShared(t *testing.T) {
	_, dial := scStart(t)
	rdb := dial()
	ctx := context.Background()
	cases := []struct {
		name, body string
		want       any
	}{
		{"changed field", "local a = redis.call('SET','k','v'); a.ok = 'changed'; local b = redis.call('SET','k','v'); return {a.ok, b.ok}", []any{"changed", "OK"}},
		{"added field", "local a = redis.call('SET','k','v'); a.x = 1; local b = redis.call('SET','k','v'); return {b.x == nil and 1 or 0, a.x}", []any{int64(1), int64(1)}},
		{"array part", "local a = redis.call('SET','k','v'); a[1] = 'x'; local b = redis.call('SET','k','v'); return {#b, #a}", []any{int64(0), int64(1)}},
		{"metatable", "local a = redis.call('SET','k','v'); setmetatable(a, {__index = function() return 'meta' end}); local b = redis.call('SET','k','v'); return {b.missing == nil and 1 or 0, a.missing}", []any{int64(1), "meta"}},
		{"removed field", "local a = redis.call('SET','k','v'); a.ok = nil; local b = redis.call('SET','k','v'); return b.ok", "OK"},
		{"status reply", "return redis.call('SET','k','v')", "OK"},
		{"other status", "return redis.call('PING').ok", "PONG"},
	}
	for _, c := range cases {
		got, err := rdb.Eval(ctx, c.body, nil).Result()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !equalReply(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, got, c.want)
		}
	}
}

func equalReply(a, b any) bool {
	as, ok1 := a.([]any)
	bs, ok2 := b.([]any)
	if ok1 != ok2 {
		return false
	}
	if !ok1 {
		return a == b
	}
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if !equalReply(as[i], bs[i]) {
			return false
		}
	}
	return true
}
