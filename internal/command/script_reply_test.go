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

// KEYS and ARGV tables are refilled from run to run (script.argTable):
// nothing a script does to them shows in the next run.
func TestScriptArgTablesFresh(t *testing.T) {
	_, dial := scStart(t)
	rdb := dial()
	ctx := context.Background()
	steps := []struct {
		body string
		keys []string
		args []any
		want any
	}{
		{"KEYS.extra = 1; ARGV[3] = 'x'; return #KEYS + #ARGV", []string{"a", "b"}, []any{"1", "2"}, int64(5)},
		{"return {#KEYS, #ARGV, KEYS.extra == nil and 1 or 0}", []string{"c"}, nil, []any{int64(1), int64(0), int64(1)}},
		{"table.remove(ARGV, 1); return #ARGV", nil, []any{"1", "2", "3"}, int64(2)},
		{"return ARGV", nil, []any{"p", "q", "r"}, []any{"p", "q", "r"}},
		{"setmetatable(KEYS, {__index = function() return 'm' end}); return KEYS[9]", []string{"k"}, nil, "m"},
		{"return {KEYS[1], KEYS[9] == nil and 1 or 0}", []string{"z"}, nil, []any{"z", int64(1)}},
		{"KEYS[1] = nil; return 1", []string{"h", "i"}, nil, int64(1)},
		{"return KEYS", []string{"x", "y"}, nil, []any{"x", "y"}},
	}
	for i, st := range steps {
		got, err := rdb.Eval(ctx, st.body, st.keys, st.args...).Result()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !equalReply(got, st.want) {
			t.Fatalf("step %d: got %#v, want %#v", i, got, st.want)
		}
	}
}
