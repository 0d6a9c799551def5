package command_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// infoText runs INFO with args and returns its text.
func infoText(t *testing.T, c *srvConn, args ...string) string {
	t.Helper()
	return verbatimBody(t, c.do(t, append([]string{"INFO"}, args...)...))
}

// infoSections returns the section headers of an INFO text.
func infoSectionNames(info string) []string {
	var out []string
	for _, l := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(l, "# ") {
			out = append(out, l[2:])
		}
	}
	return out
}

func TestInfoSections(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.do(t, "SET", "k", "v")
	def := "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"
	all := "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, def},
		{[]string{"default"}, def},
		{[]string{"all"}, all},
		{[]string{"everything"}, all},
		{[]string{"cpu"}, "CPU"},
		{[]string{"commandSTATS"}, "Commandstats"}, // section names ignore case
		{[]string{"cpu", "sentinel"}, "CPU"},
		{[]string{"keyspace", "server", "server"}, "Server Keyspace"},
		{[]string{"cpu", "all"}, all},
		{[]string{"cpu", "default"}, def},
		{[]string{"module_list"}, "Modules"},
		{[]string{"nosuch"}, ""},
	} {
		got := strings.Join(infoSectionNames(infoText(t, c, tc.args...)), " ")
		if got != tc.want {
			t.Errorf("INFO %q sections = %q, want %q", tc.args, got, tc.want)
		}
	}
	// unit/info-command.tcl: the default sections have no commandstats.
	if info := infoText(t, c); !strings.Contains(info, "redis_version:7.0.15\r\n") ||
		!strings.Contains(info, "used_cpu_user:") || strings.Contains(info, "rejected_calls") {
		t.Errorf("default INFO: %q", info)
	}
	if got := c.do(t, "INFO", "nosuch"); got != "$0\r\n\r\n" {
		t.Errorf("INFO nosuch = %q", got)
	}
	// Sections are separated by one empty line, fields end in CRLF.
	info := infoText(t, c, "cpu", "cluster")
	if !regexp.MustCompile(`^# CPU\r\n(used_cpu_\w+:\d+\.\d{6}\r\n){4,6}\r\n# Cluster\r\ncluster_enabled:0\r\n$`).MatchString(info) {
		t.Errorf("INFO cpu cluster = %q", info)
	}
}

func TestInfoStatsAndKeyspace(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 0))
	s := servertest.Start(t, nil, servertest.WithClock(clock))
	c := srvDial(t, s)
	c.do(t, "SET", "a", "1")
	c.do(t, "SET", "b", "2")
	c.do(t, "SELECT", "2")
	c.do(t, "SET", "c", "3")
	c.do(t, "SELECT", "0")
	keyspace := infoText(t, c, "keyspace")
	if keyspace != "# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n" {
		t.Errorf("INFO keyspace = %q", keyspace)
	}

	c.do(t, "CONFIG", "RESETSTAT")
	c.do(t, "SET", "x", "1")
	c.do(t, "SET", "x", "2")
	c.do(t, "GET")          // rejected: arity
	c.do(t, "SELECT", "99") // failed
	cs := infoText(t, c, "commandstats")
	for _, re := range []string{
		`cmdstat_set:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n`,
		`cmdstat_get:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n`,
		`cmdstat_select:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n`,
		`cmdstat_config\|resetstat:calls=1,`,
	} {
		if !regexp.MustCompile(re).MatchString(cs) {
			t.Errorf("commandstats lacks %s:\n%s", re, cs)
		}
	}
	es := infoText(t, c, "errorstats")
	if es != "# Errorstats\r\nerrorstat_ERR:count=2\r\n" {
		t.Errorf("INFO errorstats = %q", es)
	}
	stats := infoText(t, c, "stats")
	for _, f := range []string{"total_commands_processed:", "total_error_replies:2\r\n", "keyspace_hits:", "expired_keys:0\r\n"} {
		if !strings.Contains(stats, f) {
			t.Errorf("INFO stats lacks %q", f)
		}
	}

	server := infoText(t, c, "server")
	if !strings.Contains(server, "server_time_usec:1700000000000000\r\n") || !strings.Contains(server, "uptime_in_seconds:0\r\n") {
		t.Errorf("INFO server ignores the engine clock: %q", server)
	}
	clients := infoText(t, c, "clients")
	if !strings.Contains(clients, "connected_clients:1\r\n") || !strings.Contains(clients, "blocked_clients:0\r\n") {
		t.Errorf("INFO clients = %q", clients)
	}
	mem := infoText(t, c, "memory")
	if !regexp.MustCompile(`used_memory:\d+\r\nused_memory_human:\d+(\.\d\d[KMG])?B?\r\n`).MatchString(mem) ||
		!strings.Contains(mem, "maxmemory_policy:noeviction\r\n") {
		t.Errorf("INFO memory = %q", mem)
	}
}

func TestInfoLatencyStats(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.do(t, "CONFIG", "RESETSTAT")
	// The dispatcher records latencies through Engine.trackLatency; feed
	// one directly so the test does not depend on timing.
	spec := s.Engine().SpecOf(s.Engine().Meta.Lookup([]byte("ping")))
	spec.Hist.Record(5 * time.Microsecond)
	ls := infoText(t, c, "latencystats")
	if !regexp.MustCompile(`latency_percentiles_usec_ping:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n`).MatchString(ls) {
		t.Errorf("INFO latencystats = %q", ls)
	}
	c.do(t, "CONFIG", "SET", "latency-tracking", "no")
	if ls := infoText(t, c, "latencystats"); ls != "# Latencystats\r\n" {
		t.Errorf("INFO latencystats with tracking off = %q", ls)
	}
}

// TestCommandStatsInPipelines: the statistics of a pipeline's fast
// commands are gathered per batch (dispatch.go, pendingStats), yet every
// reader sees exactly Redis's counts: INFO later in the same pipeline, a
// second INFO after a first, and other clients once the replies are out.
func TestCommandStatsInPipelines(t *testing.T) {
	s := servertest.Start(t, nil)
	a, b := txDial(t, s), txDial(t, s)
	stat := func(info, name string) string {
		m := regexp.MustCompile(`(?m)^cmdstat_` + name + `:calls=(\d+),`).FindStringSubmatch(info)
		if m == nil {
			return "0"
		}
		return m[1]
	}
	total := func(info string) string {
		return regexp.MustCompile(`(?m)^total_commands_processed:(\d+)`).FindStringSubmatch(info)[1]
	}
	bodyOf := func(raw string) string { _, body, _ := strings.Cut(raw, "\r\n"); return body }
	a.want("+OK\r\n", "CONFIG", "RESETSTAT")

	// One write: two GETs, then INFO, then INFO again.
	var batch []byte
	batch = txEncode(batch, "GET", "x")
	batch = txEncode(batch, "GET", "x")
	batch = txEncode(batch, "INFO", "commandstats")
	batch = txEncode(batch, "INFO", "commandstats")
	if _, err := a.c.Write(batch); err != nil {
		t.Fatal(err)
	}
	a.read()
	a.read()
	first, second := bodyOf(a.read()), bodyOf(a.read())
	if got := stat(first, "get"); got != "2" {
		t.Errorf("INFO after two pipelined GETs: get calls=%s, want 2", got)
	}
	if got := stat(first, "info"); got != "0" {
		t.Errorf("first INFO counts itself: info calls=%s", got)
	}
	if got := stat(second, "info"); got != "1" {
		t.Errorf("second INFO: info calls=%s, want 1", got)
	}

	// Ten GETs and an INCR in one write; once their replies are read,
	// another client sees them all.
	batch = batch[:0]
	for i := 0; i < 10; i++ {
		batch = txEncode(batch, "GET", "x")
	}
	batch = txEncode(batch, "INCR", "n")
	if _, err := a.c.Write(batch); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 11; i++ {
		a.read()
	}
	info := bodyOf(b.do("INFO", "all"))
	if stat(info, "get") != "12" || stat(info, "incr") != "1" || stat(info, "info") != "2" {
		t.Errorf("other client: get=%s incr=%s info=%s, want 12 1 2", stat(info, "get"), stat(info, "incr"), stat(info, "info"))
	}
	// CONFIG RESETSTAT (counted after its reset, as Redis does), 12
	// GETs, 2 INFOs, 1 INCR.
	if got := total(info); got != "16" {
		t.Errorf("total_commands_processed = %s, want 16", got)
	}
	if !regexp.MustCompile(`(?m)^latency_percentiles_usec_get:p50=`).MatchString(info) {
		t.Errorf("no latency percentiles for get:\n%s", info)
	}
}
