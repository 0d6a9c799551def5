package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func get1(t *testing.T, c *Config, name string) string {
	t.Helper()
	res := c.Get(name)
	if len(res) != 1 {
		t.Fatalf("Get(%q) = %q", name, res)
	}
	return res[0][1]
}

func TestDefaults(t *testing.T) {
	c := New()
	if c.Port.Load() != 6379 || c.Databases.Load() != 16 || c.MaxClients.Load() != 10000 ||
		c.Hz.Load() != 10 || !c.DynamicHz.Load() || !c.ProtectedMode.Load() ||
		c.Maxmemory.Load() != 0 || c.MaxmemoryPolicy.Load() != MaxmemoryNoEviction ||
		c.AppendFsync.Load() != AppendfsyncEverysec || c.LogLevel.Load() != LogNotice ||
		c.ProtoMaxBulkLen.Load() != 512<<20 || c.ClientQueryBufferLimit.Load() != 1<<30 ||
		c.ListMaxListpackSize.Load() != -2 || c.HashMaxListpackEntries.Load() != 512 ||
		c.SlowlogLogSlowerThan.Load() != 10000 || c.BusyReplyThreshold.Load() != 5000 ||
		c.TCPBacklog.Load() != 511 || c.TCPKeepAlive.Load() != 300 || c.DBFilename.Load() != "dump.rdb" ||
		c.RequirePass.Load() != "" || c.UnixSocket.Load() != "" || c.EnableDebugCommand.Load() != ProtectedNo {
		t.Error("unexpected default")
	}
	if got := c.Save.Load(); !reflect.DeepEqual(got, []SavePoint{{3600, 1}, {300, 100}, {60, 10000}}) {
		t.Errorf("save = %v", got)
	}
	if got := c.Bind.Load(); !reflect.DeepEqual(got, []string{"*", "-::*"}) {
		t.Errorf("bind = %v", got)
	}
	if got := c.ClientOutputBufferLimit.Load()[ClientReplica]; got != (ClientBufferLimit{256 << 20, 64 << 20, 60}) {
		t.Errorf("replica limits = %v", got)
	}
	wd, _ := os.Getwd()
	wd, _ = filepath.EvalSymlinks(wd)
	if c.Dir.Load() != wd {
		t.Errorf("dir = %q, want %q", c.Dir.Load(), wd)
	}
	// Formats as printed by redis-server 7.0.15's CONFIG GET.
	for name, want := range map[string]string{
		"save":                              "3600 1 300 100 60 10000",
		"client-output-buffer-limit":        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"maxmemory":                         "0",
		"proto-max-bulk-len":                "536870912",
		"protected-mode":                    "yes",
		"unixsocketperm":                    "0",
		"oom-score-adj-values":              "0 200 800",
		"latency-tracking-info-percentiles": "50 99 99.9",
		"shutdown-on-sigint":                "default",
		"syslog-facility":                   "local0",
		"notify-keyspace-events":            "",
		"replicaof":                         "",
		"bind":                              "* -::*",
	} {
		if got := get1(t, c, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestTwoConfigsAreIndependent(t *testing.T) {
	a, b := New(), New()
	if err := a.Set("maxmemory", "1mb", "save", ""); err != nil {
		t.Fatal(err)
	}
	if b.Maxmemory.Load() != 0 || len(b.Save.Load()) != 3 {
		t.Error("a Set leaked into another Config")
	}
}

func TestGetAliasesAndPatterns(t *testing.T) {
	c := New()
	if err := c.Set("hash-max-ziplist-entries", "99"); err != nil {
		t.Fatal(err)
	}
	got := pairsToMap(c.Get("hash-max-*-entries"))
	want := map[string]string{"hash-max-listpack-entries": "99", "hash-max-ziplist-entries": "99"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get = %v", got)
	}
	// An exact name keeps the caller's spelling; duplicates fold case.
	if res := c.Get("SLAVEOF", "slaveof", "replicaof"); !reflect.DeepEqual(res, [][2]string{{"SLAVEOF", ""}, {"replicaof", ""}}) {
		t.Errorf("Get = %q", res)
	}
	// Hidden parameters need their exact name.
	if res := c.Get("key-load-*"); len(res) != 0 {
		t.Errorf("hidden matched: %q", res)
	}
	if res := c.Get("key-load-delay"); len(res) != 1 {
		t.Errorf("hidden by name: %q", res)
	}
	if res := c.Get("nosuch", "no*such"); len(res) != 0 {
		t.Errorf("Get = %q", res)
	}
	// A pattern match does not repeat a name already reported.
	if res := c.Get("port", "por?"); len(res) != 1 {
		t.Errorf("Get = %q", res)
	}
	all := c.Get("*")
	if len(all) != 192 { // redis-server 7.0.15 reports 192 names for CONFIG GET *
		t.Errorf("CONFIG GET * has %d names", len(all))
	}
}

// Error texts are those of redis-server 7.0.15 (checked against it by
// TestSetMatchesRealRedis); config.c configSetCommand.
func TestSetErrors(t *testing.T) {
	c := New()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"maxmemory", "1", "foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"daemonize", "yes", "foo", "bar"}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[]string{"dir", "/tmp"}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[]string{"maxmemory", "10", "MAXMEMORY", "20"}, "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"},
		{[]string{"appendonly", "maybe"}, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"},
		{[]string{"SLAVE-READ-ONLY", "x"}, "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"},
		{[]string{"hz", "x"}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"},
		{[]string{"port", "65536"}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"},
		{[]string{"maxmemory", "1xb"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[]string{"maxmemory-clients", "x"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[]string{"maxmemory-clients", "101%"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[]string{"loglevel", "x"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"save", "1"}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[]string{"maxmemory"}, "ERR syntax error"},
	}
	for _, tc := range tests {
		err := c.Set(tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Set(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	if got := get1(t, c, "maxmemory"); got != "0" {
		t.Errorf("failed Set changed maxmemory to %s", got)
	}
}

func TestSetProtectedAndLoading(t *testing.T) {
	dir := t.TempDir()
	c, err := Load([]string{"--enable-protected-configs", "local"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("dir", dir); err == nil || !strings.HasSuffix(err.Error(), "can't set protected config") {
		t.Errorf("remote client: %v", err)
	}
	if err := c.SetWith(SetOptions{LocalClient: true}, "dir", dir); err != nil {
		t.Errorf("local client: %v", err)
	}
	if real, _ := filepath.EvalSymlinks(dir); c.Dir.Load() != real {
		t.Errorf("dir = %q", c.Dir.Load())
	}
	if err := c.SetWith(SetOptions{LocalClient: true}, "dir", "nosuch"); err == nil ||
		err.Error() != "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory" {
		t.Errorf("dir nosuch: %v", err)
	}
	if err := c.SetWith(SetOptions{Loading: true}, "appendonly", "yes"); err != ErrLoading {
		t.Errorf("loading: %v", err)
	}
}

func TestSetIsAtomic(t *testing.T) {
	c := New()
	err := c.Set("maxmemory", "1mb", "timeout", "5", "maxmemory-policy", "bad")
	if err == nil {
		t.Fatal("accepted a bad value")
	}
	if c.Maxmemory.Load() != 0 || c.Timeout.Load() != 0 {
		t.Error("values changed by a failed Set")
	}
	if err := c.Set("maxmemory", "1mb", "timeout", "5", "maxmemory-policy", "allkeys-lru"); err != nil {
		t.Fatal(err)
	}
	if c.Maxmemory.Load() != 1<<20 || c.Timeout.Load() != 5 || c.MaxmemoryPolicy.Load() != MaxmemoryAllkeysLRU {
		t.Error("values not set")
	}
	// A name and its alias are different entries: both are set, last wins
	// (as in redis-server 7.0.15).
	if err := c.Set("hash-max-ziplist-entries", "5", "hash-max-listpack-entries", "7"); err != nil {
		t.Fatal(err)
	}
	if c.HashMaxListpackEntries.Load() != 7 {
		t.Errorf("hash-max-listpack-entries = %d", c.HashMaxListpackEntries.Load())
	}
}

func TestOnChangeAndRollback(t *testing.T) {
	c := New()
	var calls []string
	var failMaxclients bool
	c.OnChange("maxclients", func() error {
		calls = append(calls, "maxclients="+itoa(c.MaxClients.Load()))
		if failMaxclients {
			return errors.New("The operating system is not able to handle the specified number of clients, try with 4064")
		}
		return nil
	})
	c.OnChange("slave-priority", func() error { // registered through the alias
		calls = append(calls, "replica-priority="+itoa(c.ReplicaPriority.Load()))
		return nil
	})

	if err := c.Set("maxclients", "10000"); err != nil || len(calls) != 0 {
		t.Fatalf("unchanged value ran hooks: %v %v", err, calls)
	}
	if err := c.Set("maxclients", "50", "replica-priority", "7"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"maxclients=50", "replica-priority=7"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls = %v", calls)
	}

	calls = nil
	failMaxclients = true
	err := c.Set("timeout", "9", "maxclients", "100000", "replica-priority", "8")
	want := "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 4064"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v", err)
	}
	if c.MaxClients.Load() != 50 || c.Timeout.Load() != 0 || c.ReplicaPriority.Load() != 7 {
		t.Errorf("not rolled back: maxclients=%d timeout=%d priority=%d", c.MaxClients.Load(), c.Timeout.Load(), c.ReplicaPriority.Load())
	}
	// The failing hook ran, then the hooks ran again on the restored values.
	if want := []string{"maxclients=100000", "maxclients=50", "replica-priority=7"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls = %v", calls)
	}
}

func TestSetSpecialValues(t *testing.T) {
	c := New()
	steps := []struct{ name, value, get string }{
		{"save", "100 1 200 2", "100 1 200 2"},
		{"save", "", ""},
		{"bind", "127.0.0.1 ::1", "127.0.0.1 ::1"},
		{"client-output-buffer-limit", "pubsub 1mb 1kb 3 normal 1 2 3", "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 1024 3"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"oom-score-adj-values", "-1 0 1", "-1 0 1"},
		{"latency-tracking-info-percentiles", "12.5 100", "12.5 100"},
		{"maxmemory-clients", "10%", "10%"},
		{"maxmemory-clients", "1kb", "1024"},
		{"shutdown-on-sigterm", "now force", "now force"},
		{"oom-score-adj", "relative", "yes"},
		{"hz", "1000", "500"},
		{"hz", "0", "1"},
		{"maxmemory", "1GB", "1073741824"},
		{"requirepass", "p w", "p w"},
	}
	for _, s := range steps {
		if err := c.Set(s.name, s.value); err != nil {
			t.Fatalf("Set(%s, %q): %v", s.name, s.value, err)
		}
		if got := get1(t, c, s.name); got != s.get {
			t.Errorf("after Set(%s, %q): %q, want %q", s.name, s.value, got, s.get)
		}
	}
	if c.MaxmemoryClients.Load() != 1024 || c.Hz.Load() != 1 || c.RequirePass.Load() != "p w" ||
		c.NotifyKeyspaceEvents.Load() != NotifyAll|NotifyKeyspace|NotifyKeyevent ||
		c.ShutdownOnSigterm.Load() != ShutdownNow|ShutdownForce || len(c.Save.Load()) != 0 {
		t.Error("typed handles disagree with CONFIG GET")
	}
}

// redis-server's argument handling (server.c main) and file syntax
// (config.c loadServerConfigFromString).
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "inc.conf", "timeout 7\n")
	writeFile(t, dir, "d1.conf", "tcp-keepalive 11\n")
	writeFile(t, dir, "d2.conf", "tcp-backlog 12\n")
	conf := writeFile(t, dir, "redis.conf", `# comment
   # indented comment
port 7000
bind 127.0.0.1 "::1"
requirepass "p\x41ss\n"
masterauth 'it\'s'
save 900 1 300 10
save 60 10000
client-output-buffer-limit normal 1mb 2MB 3
client-output-buffer-limit replica 0 0 0
SLAVEOF 10.0.0.1 6380
hash-max-ziplist-entries 10
list-max-ziplist-size -3
maxmemory 2GB
include `+inc+`
include `+filepath.Join(dir, "d*.conf")+`
include `+filepath.Join(dir, "none*.conf")+`
rename-command CONFIG ""
user alice on >pw ~* +@all
loadmodule /x.so a b
mod.param 1 2
list-max-ziplist-entries 5
sentinel
unixsocketperm 700
shutdown-on-sigint nosave now
enable-debug-command local
`)
	var seen []string
	c, err := LoadWith([]string{conf, "--maxclients", "99", "--loglevel", "warning", "--save", "--dbfilename", "x.rdb"},
		LoadOptions{Directive: func(d Directive) error {
			seen = append(seen, d.Name+":"+strings.Join(d.Args, ","))
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		"port":                       "7000",
		"bind":                       "127.0.0.1 ::1",
		"requirepass":                "pAss\n",
		"masterauth":                 "it's",
		"save":                       "",
		"client-output-buffer-limit": "normal 1048576 2097152 3 slave 0 0 0 pubsub 33554432 8388608 60",
		"replicaof":                  "10.0.0.1 6380",
		"hash-max-listpack-entries":  "10",
		"list-max-listpack-size":     "-3",
		"maxmemory":                  "2147483648",
		"timeout":                    "7",
		"tcp-keepalive":              "11",
		"tcp-backlog":                "12",
		"maxclients":                 "99",
		"loglevel":                   "warning",
		"dbfilename":                 "x.rdb",
		"unixsocketperm":             "700",
		"shutdown-on-sigint":         "nosave now",
		"enable-debug-command":       "local",
	}
	for name, want := range checks {
		if got := get1(t, c, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if c.UnixSocketPerm.Load() != 0o700 || c.ReplicaOf.Load() != (ReplicaOf{"10.0.0.1", 6380}) {
		t.Error("typed handles")
	}
	wantSeen := []string{"rename-command:CONFIG,", "user:alice,on,>pw,~*,+@all", "loadmodule:/x.so,a,b", "mod.param:1,2"}
	if !reflect.DeepEqual(seen, wantSeen) {
		t.Errorf("directives = %q", seen)
	}
	if len(c.Directives()) != 4 || c.Directives()[1].Line != 19 {
		t.Errorf("Directives() = %+v", c.Directives())
	}
	if c.ConfigFile() != conf {
		t.Errorf("ConfigFile = %q", c.ConfigFile())
	}
}

func TestLoadSaveLines(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "3600 1 300 100 60 10000"},
		{[]string{"--port", "1"}, "3600 1 300 100 60 10000"},
		{[]string{"--save", "1", "1", "--save", "2", "2"}, "1 1 2 2"}, // checked on redis-server
		{[]string{"--save", "1 1"}, "1 1"},
		{[]string{"--save"}, ""},
		{[]string{"--save", "", "--port", "1"}, ""},
		{[]string{"--save", "--port", "1"}, ""},
		{[]string{writeFile(t, dir, "a.conf", "save 5 5\nsave \"\"\nsave 6 6\n")}, "6 6"},
		// After an include, each save line replaces the previous ones (Redis
		// resets reading_config_file when the include ends).
		{[]string{writeFile(t, dir, "b.conf", "include "+writeFile(t, dir, "c.conf", "port 1\n")+"\nsave 5 5\nsave 6 6\n")}, "6 6"},
	}
	for _, tc := range tests {
		c, err := Load(tc.args)
		if err != nil {
			t.Fatalf("Load(%q): %v", tc.args, err)
		}
		if got := get1(t, c, "save"); got != tc.want {
			t.Errorf("Load(%q): save = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestLoadStdin(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "x.conf", "port 1\ntimeout 1\n")
	for _, args := range [][]string{{"-"}, {conf, "-"}, {"-", "--timeout", "3"}} {
		c, err := LoadWith(args, LoadOptions{Stdin: strings.NewReader("port 2\ntimeout 2\n")})
		if err != nil {
			t.Fatal(err)
		}
		wantTimeout := "2"
		if len(args) == 3 {
			wantTimeout = "3"
		}
		if get1(t, c, "port") != "2" || get1(t, c, "timeout") != wantTimeout {
			t.Errorf("%q: port %s timeout %s", args, get1(t, c, "port"), get1(t, c, "timeout"))
		}
	}
}

// Fatal error texts as printed by redis-server 7.0.15 (checked against it
// by TestLoadErrorsMatchRealRedis).
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file string
		args []string
		line int
		text string
		why  string
	}{
		{"port 7000\nfoo bar\n", nil, 2, "foo bar", "Bad directive or wrong number of arguments"},
		{"daemonize maybe", nil, 1, "daemonize maybe", "argument must be 'yes' or 'no'"},
		{"port abc", nil, 1, "port abc", "argument couldn't be parsed into an integer"},
		{"port 1 2", nil, 1, "port 1 2", "wrong number of arguments"},
		{"save \"a", nil, 1, `save "a`, "Unbalanced quotes in configuration line"},
		{"  maxmemory 1xb \r\n", nil, 1, "maxmemory 1xb", "argument must be a memory value"},
		{"unixsocketperm 8", nil, 1, "unixsocketperm 8", "argument couldn't be parsed as an octal number"},
		{"unixsocketperm 1000", nil, 1, "unixsocketperm 1000", "argument must be between 0 and 777 inclusive"},
		{"foo.bar", nil, 1, "foo.bar", "Module config specified without value"},
		{"sentinel monitor m", nil, 1, "sentinel monitor m", "sentinel directive while not in sentinel mode"},
		{"", []string{"--port", "abc"}, 2, `port "abc"`, "argument couldn't be parsed into an integer"},
		{"port 1\n", []string{"--port", "abc"}, 3, `port "abc"`, "argument couldn't be parsed into an integer"},
		{"", []string{"--port abc"}, 2, "port abc", "argument couldn't be parsed into an integer"},
		{"", []string{"--bind", "a b", "--port", "123456"}, 3, `port "123456"`, "argument must be between 0 and 65535 inclusive"},
		{"cluster-enabled yes\nreplicaof h 1\n", nil, 0, "", "replicaof directive not allowed in cluster mode"},
	}
	for i, tc := range tests {
		var args []string
		if tc.file != "" {
			args = append(args, writeFile(t, dir, "e"+itoa(int64(i))+".conf", tc.file))
		}
		args = append(args, tc.args...)
		_, err := Load(args)
		var fe *FatalError
		if !errors.As(err, &fe) {
			t.Errorf("%q: err = %v", args, err)
			continue
		}
		if fe.Line != tc.line || fe.Text != tc.text || fe.Reason != tc.why {
			t.Errorf("%q: got %+v", args, fe)
		}
	}
	_, err := Load([]string{"--foo"})
	want := "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo'\nBad directive or wrong number of arguments\n"
	var fe *FatalError
	if !errors.As(err, &fe) || fe.Report() != want {
		t.Errorf("report = %q", err)
	}

	// A directive the server rejects fails at its line.
	_, err = LoadWith([]string{writeFile(t, dir, "r.conf", "port 1\nrename-command nosuch x\n")},
		LoadOptions{Directive: func(Directive) error { return errors.New("No such command in rename-command") }})
	if !errors.As(err, &fe) || fe.Line != 2 || fe.Reason != "No such command in rename-command" {
		t.Errorf("directive error = %v", err)
	}

	// Missing files.
	_, err = Load([]string{filepath.Join(dir, "missing.conf")})
	if err == nil || err.Error() != "Fatal error, can't open config file '"+filepath.Join(dir, "missing.conf")+"': No such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	_, err = Load([]string{writeFile(t, dir, "i.conf", "include /nonexistent/x.conf\n")})
	if err == nil || err.Error() != "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory" {
		t.Errorf("missing include: %v", err)
	}
	// An error inside an include is numbered in the included file.
	inc := writeFile(t, dir, "bad-inc.conf", "\n\nport x\n")
	_, err = Load([]string{writeFile(t, dir, "j.conf", "port 1\ninclude "+inc+"\n")})
	if !errors.As(err, &fe) || fe.Line != 3 || fe.Text != "port x" {
		t.Errorf("include error = %v", err)
	}
	// Self-inclusion ends instead of recursing forever.
	self := filepath.Join(dir, "self.conf")
	writeFile(t, dir, "self.conf", "include "+self+"\n")
	if _, err := Load([]string{self}); err == nil {
		t.Error("self include accepted")
	}
}

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "redis.conf", "# keep me\nport 7000\n\n\n\nsave 1 1\nsave 2 2\nslave-read-only yes\nrename-command FLUSHALL \"\"\nmaxmemory 1mb\ntimeout 0\nuser bob on\n")
	c, err := Load([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("save", "10 1", "slave-read-only", "no", "maxmemory", "3mb", "timeout", "0", "appendonly", "yes", "requirepass", "s p"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(conf)
	want := "# keep me\nport 7000\n\nsave 10 1\n\nreplica-read-only no\nrename-command FLUSHALL \"\"\nmaxmemory 3mb\ntimeout 0\nuser bob on\n\n" +
		"# Generated by CONFIG REWRITE\nappendonly yes\nrequirepass \"s p\"\ndir " + repr(c.Dir.Load()) + "\nlatency-tracking-info-percentiles 50 99 99.9\n"
	if string(got) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	// A second rewrite with no change is stable.
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	// Like Redis, the file's final newline reads as one more (empty) line.
	again, _ := os.ReadFile(conf)
	if string(again) != want+"\n" {
		t.Errorf("second rewrite:\n%s", again)
	}
	// Back to defaults: lines of processed options are blanked, the
	// signature stays, and the file still loads to the same values.
	if err := c.Set("save", "3600 1 300 100 60 10000", "appendonly", "no", "requirepass", ""); err != nil {
		t.Fatal(err)
	}
	c.OnRewriteUsers(func() []string { return []string{"user default on nopass ~* &* +@all"} })
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	third, _ := os.ReadFile(conf)
	if strings.Contains(string(third), "requirepass") || strings.Contains(string(third), "user bob") ||
		!strings.Contains(string(third), "appendonly no\n") || !strings.Contains(string(third), "user default on") {
		t.Errorf("third rewrite:\n%s", third)
	}
	c2, err := Load([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := c.Get("*"), c2.Get("*"); !reflect.DeepEqual(a, b) {
		t.Errorf("reloaded config differs")
	}
}

func TestRewriteUnknownLinesAndErrors(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "r.conf", "port 1\n")
	c, err := Load([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	// Lines the rewrite cannot parse, added behind the server's back.
	writeFile(t, dir, "r.conf", "port 1\nbogus 1\n\"unbalanced\n# Generated by CONFIG REWRITE\n")
	if err := c.Set("timeout", "3"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(conf)
	want := "port 1\n# ??? bogus 1\n# ??? \"unbalanced\n# Generated by CONFIG REWRITE\n\ntimeout 3\ndir " + repr(c.Dir.Load()) +
		"\nsave 3600 1\nsave 300 100\nsave 60 10000\nlatency-tracking-info-percentiles 50 99 99.9\n"
	if string(got) != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}

	if err := New().Rewrite(); err == nil || err.Error() != "ERR The server is running without a config file" {
		t.Errorf("no file: %v", err)
	}
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if err := c.Rewrite(); err == nil || err.Error() != "ERR Rewriting config file: Permission denied" {
			t.Errorf("read-only dir: %v", err)
		}
	}
}

// Hot-path reads race with CONFIG SET and GET; run with -race.
func TestConcurrentAccess(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = c.Maxmemory.Load() + uint64(c.Hz.Load())
				_ = c.Save.Load()
				_ = c.RequirePass.Load()
				_ = c.ClientOutputBufferLimit.Load()
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if err := c.Set("maxmemory", itoa(int64(i)), "save", itoa(int64(i+1))+" 1", "requirepass", "x"+itoa(int64(i))); err != nil {
			t.Fatal(err)
		}
		_ = c.Get("*")
	}
	close(stop)
	wg.Wait()
}
