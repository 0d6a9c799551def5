package command_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// infoLine returns the value of field name in an INFO section ("" if
// absent).
func infoLine(t *testing.T, rdb *redis.Client, section, name string) string {
	t.Helper()
	info, err := rdb.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// cmdCounts is the calls/rejected_calls/failed_calls part of a
// commandstats line, without the timings.
func cmdCounts(t *testing.T, rdb *redis.Client, cmd string) string {
	t.Helper()
	v := infoLine(t, rdb, "commandstats", "cmdstat_"+cmd)
	if v == "" {
		return ""
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		if !strings.HasPrefix(f, "usec") {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// Error statistics of scripts, as tests/unit/scripting.tcl "Consistent
// eval error reporting" checks them against Redis 7.0.15: an error of a
// command run by the script is counted once, when the command fails or is
// rejected (script.c scriptCall, server.c call/incrCommandStatsOnError);
// the script replying it makes EVAL a failed call without counting it
// again (networking.c afterErrorReply, ERR_REPLY_FLAG_NO_STATS_UPDATE).
func TestScriptErrorStats(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	rdb := dial()
	type want struct{ errs, total, inner, eval string }
	check := func(name string, w want, innerCmd, evalCmd string) {
		t.Helper()
		if got := infoLine(t, rdb, "errorstats", "errorstat_"+w.errs[:strings.IndexByte(w.errs, '=')]); got != w.errs[strings.IndexByte(w.errs, '=')+1:] {
			t.Errorf("%s: errorstat %s, got %q", name, w.errs, got)
		}
		if got := infoLine(t, rdb, "stats", "total_error_replies"); got != w.total {
			t.Errorf("%s: total_error_replies = %s, want %s", name, got, w.total)
		}
		if got := cmdCounts(t, rdb, innerCmd); got != w.inner {
			t.Errorf("%s: cmdstat_%s = %q, want %q", name, innerCmd, got, w.inner)
		}
		if got := cmdCounts(t, rdb, evalCmd); got != w.eval {
			t.Errorf("%s: cmdstat_%s = %q, want %q", name, evalCmd, got, w.eval)
		}
	}
	reset := func() { rdb.ConfigResetStat(ctx) }

	reset()
	rdb.ConfigSet(ctx, "maxmemory", "1")
	err := rdb.Eval(ctx, "return redis.call('set','x','y')", []string{"x"}).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "OOM command not allowed when used memory > 'maxmemory'") {
		t.Fatalf("redis.call rejected by OOM: %v", err)
	}
	check("call OOM", want{"OOM=count=1", "1", "calls=0,rejected_calls=1,failed_calls=0", "calls=1,rejected_calls=0,failed_calls=1"}, "set", "eval")

	reset()
	v, err := rdb.Eval(ctx, "local t = redis.pcall('set','x','y') if t['err'] == \"OOM command not allowed when used memory > 'maxmemory'.\" then return 1 else return 0 end", []string{"x"}).Result()
	if err != nil || v != int64(1) {
		t.Fatalf("pcall OOM: %v %v", v, err)
	}
	check("pcall OOM", want{"OOM=count=1", "1", "calls=0,rejected_calls=1,failed_calls=0", "calls=1,rejected_calls=0,failed_calls=0"}, "set", "eval")

	reset()
	if err := rdb.Eval(ctx, "return redis.pcall('set','x','y')", []string{"x"}).Err(); err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("returned pcall OOM error: %v", err)
	}
	check("return pcall OOM", want{"OOM=count=1", "1", "calls=0,rejected_calls=1,failed_calls=0", "calls=1,rejected_calls=0,failed_calls=1"}, "set", "eval")
	rdb.ConfigSet(ctx, "maxmemory", "0")

	reset()
	if err := rdb.Eval(ctx, "return redis.call('select',99)", nil).Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR DB index is out of range") {
		t.Fatalf("select 99: %v", err)
	}
	check("call select", want{"ERR=count=1", "1", "calls=1,rejected_calls=0,failed_calls=1", "calls=1,rejected_calls=0,failed_calls=1"}, "select", "eval")

	reset()
	if err := rdb.EvalRO(ctx, "return redis.call('set','x','y')", []string{"x"}).Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR Write commands are not allowed from read-only scripts") {
		t.Fatalf("eval_ro write: %v", err)
	}
	check("eval_ro write", want{"ERR=count=1", "1", "calls=0,rejected_calls=1,failed_calls=0", "calls=1,rejected_calls=0,failed_calls=1"}, "set", "eval_ro")

	// Each error of a command replied with the no-stats flag counts a
	// failed call; the script's own errors count one more, once (checked
	// against redis-server 7.0.15: failed_calls=3).
	reset()
	rdb.Do(ctx, "EVAL", "return {redis.pcall('select',99), redis.pcall('select',99), redis.error_reply('X y')}", "0")
	check("nested errors", want{"ERR=count=2", "3", "calls=2,rejected_calls=0,failed_calls=2", "calls=1,rejected_calls=0,failed_calls=3"}, "select", "eval")
	if got := infoLine(t, rdb, "errorstats", "errorstat_X"); got != "count=1" {
		t.Errorf("errorstat_X = %q, want count=1", got)
	}

	// A script's own error counts once and fails the call once.
	reset()
	rdb.Eval(ctx, "return redis.error_reply('MY_ERR custom')", nil)
	check("error_reply", want{"MY_ERR=count=1", "1", "", "calls=1,rejected_calls=0,failed_calls=1"}, "select", "eval")
}

// INFO memory counts the EVAL script cache, which SCRIPT FLUSH empties
// (tests/unit/scripting.tcl "SCRIPTING FLUSH ASYNC"; server.c
// genRedisInfoString), and the function libraries.
func TestInfoMemoryScripts(t *testing.T) {
	_, dial := scStart(t)
	ctx := context.Background()
	rdb := dial()
	num := func(name string) string { return infoLine(t, rdb, "memory", name) }
	if num("number_of_cached_scripts") != "0" || num("used_memory_scripts_eval") != "0" {
		t.Fatalf("fresh server: cached=%s mem=%s", num("number_of_cached_scripts"), num("used_memory_scripts_eval"))
	}
	for _, f := range []string{"used_memory_lua", "used_memory_vm_eval", "used_memory_vm_functions", "used_memory_functions"} {
		if num(f) == "0" || num(f) == "" {
			t.Errorf("%s = %q, want a size", f, num(f))
		}
	}
	for i := 0; i < 100; i++ {
		if err := rdb.ScriptLoad(ctx, "return "+strings.Repeat("1", i+1)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rdb.Eval(ctx, "return 'eval'", nil)
	if got := num("number_of_cached_scripts"); got != "101" {
		t.Errorf("number_of_cached_scripts = %s, want 101", got)
	}
	if got := num("used_memory_scripts_eval"); got == "0" {
		t.Error("used_memory_scripts_eval = 0 with 101 scripts")
	}
	if err := rdb.Do(ctx, "SCRIPT", "FLUSH", "ASYNC").Err(); err != nil {
		t.Fatal(err)
	}
	if got := num("number_of_cached_scripts"); got != "0" {
		t.Errorf("after SCRIPT FLUSH ASYNC number_of_cached_scripts = %s", got)
	}
	if got := num("used_memory_scripts_eval"); got != "0" {
		t.Errorf("after SCRIPT FLUSH ASYNC used_memory_scripts_eval = %s", got)
	}

	size := func(name string) int {
		n, err := strconv.Atoi(num(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	before := size("used_memory_functions")
	if err := rdb.FunctionLoad(ctx, "#!lua name=lib\nredis.register_function('f1', function() return 1 end)\nredis.register_function('f2', function() return 2 end)").Err(); err != nil {
		t.Fatal(err)
	}
	if num("number_of_libraries") != "1" || num("number_of_functions") != "2" {
		t.Errorf("libraries=%s functions=%s, want 1 and 2", num("number_of_libraries"), num("number_of_functions"))
	}
	if after := size("used_memory_functions"); after <= before {
		t.Errorf("used_memory_functions %d -> %d after FUNCTION LOAD", before, after)
	}
	if got, want := size("used_memory_scripts"), size("used_memory_scripts_eval")+size("used_memory_functions"); got != want {
		t.Errorf("used_memory_scripts = %d, want %d", got, want)
	}
}
