package diff

import (
	"strings"
	"testing"
)

// Differential tests of the maxmemory OOM replies (Redis 7.0's
// processCommand in server.c, execCommandAbort in multi.c,
// evalGetCommandFlags in eval.c, scriptVerifyOOM in script.c). Both
// servers run with maxmemory 1 and the noeviction policy, so every
// deny-oom command is refused; the script error's "script: <sha>, on
// @user_script:1." tail is compared too.
func TestMaxmemoryOOMDiff(t *testing.T) {
	d := txStartDuo(t)
	lib := "#!lua name=mmlib\n" +
		"redis.register_function('f', function() return redis.call('set','a','b') end)\n" +
		"redis.register_function{function_name='g', callback=function() return redis.call('set','a','b') end, flags={'allow-oom'}}\n" +
		"redis.register_function{function_name='h', callback=function() return redis.call('get','x') end, flags={'no-writes'}}"
	for _, cmd := range [][]string{
		{"SET", "x", "1"},
		{"FUNCTION", "LOAD", lib},
		{"CONFIG", "SET", "maxmemory", "1"},
		{"SET", "y", "1"},
		{"GET", "x"},
		{"DEL", "nokey"},
		{"LPUSH", "l", "a"},
		{"APPEND", "x", "z"},
		{"EVAL", "return redis.call('set','a','b')", "0"},
		{"EVAL", "#!lua\nreturn redis.call('set','a','b')", "0"},
		{"EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','a','b')", "0"},
		{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"},
		{"EVAL", "return redis.call('get','x')", "0"},
		{"EVAL", "redis.call('del','zz'); return redis.call('set','a','b')", "0"},
		{"FCALL", "f", "0"},
		{"FCALL", "g", "0"},
		{"FCALL", "h", "0"},
		{"FCALL_RO", "h", "0"},
		// MULTI: everything but EXEC/DISCARD/QUIT/RESET is refused.
		{"MULTI"},
		{"GET", "x"},
		{"DISCARD"},
		{"MULTI"},
		{"SET", "x", "2"},
		{"PING"},
		{"EXEC"},
		{"INCR", "n"},
	} {
		d.a(t, cmd...)
	}
	// A deny-oom command queued before the memory ran out: EXEC aborts.
	d.b(t, "CONFIG", "SET", "maxmemory", "0")
	d.a(t, "MULTI")
	d.a(t, "SET", "x", "2")
	d.a(t, "GET", "x")
	d.b(t, "CONFIG", "SET", "maxmemory", "1")
	d.a(t, "EXEC")
	// A read-only queue runs.
	d.b(t, "CONFIG", "SET", "maxmemory", "0")
	d.a(t, "MULTI")
	d.a(t, "GET", "x")
	d.b(t, "CONFIG", "SET", "maxmemory", "1")
	d.a(t, "EXEC")
	// errorstats: the OOM errors and rejected calls of SET.
	r, c := d.h.Both(t, "INFO", "errorstats")
	if want, got := infoLine(string(r), "errorstat_OOM"), infoLine(string(c), "errorstat_OOM"); want != got {
		t.Errorf("errorstat_OOM: redis %q, cinnabar %q", want, got)
	}
	d.b(t, "CONFIG", "SET", "maxmemory", "0")
}

func infoLine(info, prefix string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}
