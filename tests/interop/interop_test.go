// Package interop runs the cinnabar binary as a subprocess and talks to
// it with the tools people use with Redis: redis-cli (commands and --pipe
// mass insertion), redis-benchmark and redis-py. It also checks start-up
// with configuration files and graceful shutdown.
//
// TestMain builds ./cmd/cinnabar once into a temporary directory (or uses
// $CINNABAR_BIN when set, as CI does). A test whose tool is missing skips
// with the reason, except when CINNABAR_INTEROP=1 (CI), where it fails.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the cinnabar executable under test, set by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if bin := os.Getenv("CINNABAR_BIN"); bin != "" {
		binary = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "cinnabar-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop: cannot create temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "cinnabar")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, "github.com/cinnabar-db/cinnabar/cmd/cinnabar")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "interop: cannot build cinnabar: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// need returns the path of tool, or skips the test (fails under
// CINNABAR_INTEROP=1) when it is not installed.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		missing(t, tool+" is not installed (apt-get install redis-tools)")
	}
	return p
}

func missing(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CINNABAR_INTEROP") == "1" {
		t.Fatalf("CINNABAR_INTEROP=1: %s", reason)
	}
	t.Skip("skipping: " + reason)
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running cinnabar server.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	port   int
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after done
}

func (p *proc) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs the server with the standard test flags after args (a config
// file path may come first in args) and waits until it logs that it is
// ready. The server is stopped when the test ends.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	var last *proc
	for range 3 { // the free port may be taken between freePort and bind
		p := &proc{t: t, port: freePort(t), done: make(chan struct{})}
		full := append(append([]string{}, args...),
			"--port", strconv.Itoa(p.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
		p.cmd = exec.Command(binary, full...)
		p.cmd.Dir = t.TempDir()
		p.cmd.Stdout = &p.stdout
		p.cmd.Stderr = &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("cannot start %s: %v", binary, err)
		}
		go func() {
			p.err = p.cmd.Wait()
			close(p.done)
		}()
		t.Cleanup(p.stop)
		if p.waitReady(10 * time.Second) {
			return p
		}
		last = p
	}
	t.Fatalf("cinnabar did not become ready\nstdout:\n%s\nstderr:\n%s", last.stdout.String(), last.stderr.String())
	return nil
}

func (p *proc) waitReady(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return false
		default:
		}
		if strings.Contains(p.stdout.String(), "Ready to accept connections") {
			if nc, err := net.DialTimeout("tcp", p.addr(), time.Second); err == nil {
				nc.Close()
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// stop sends SIGTERM, then SIGKILL if the process has not exited in 5s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// run runs a tool with a timeout and returns its combined output.
func run(t *testing.T, timeout time.Duration, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s timed out after %v", name, timeout)
	}
	return string(out), err
}

// cli runs one redis-cli command against p and returns its trimmed output.
func (p *proc) cli(t *testing.T, args ...string) string {
	t.Helper()
	redisCli := need(t, "redis-cli")
	out, err := run(t, 10*time.Second, nil, redisCli, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(p.port)}, args...)...)
	if err != nil {
		t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
	}
	return strings.TrimRight(out, "\n")
}

// TestRedisCli: basic commands through redis-cli (its output is raw when
// not on a terminal).
func TestRedisCli(t *testing.T) {
	need(t, "redis-cli")
	p := start(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG"},
		{[]string{"SET", "foo", "bar"}, "OK"},
		{[]string{"GET", "foo"}, "bar"},
		{[]string{"GET", "nosuchkey"}, ""},
		{[]string{"INCR", "n"}, "1"},
		{[]string{"INCR", "n"}, "2"},
		{[]string{"INCRBY", "n", "40"}, "42"},
		{[]string{"SET", "sp", "a b\nc"}, "OK"},
		{[]string{"GET", "sp"}, "a b\nc"},
		{[]string{"DEL", "foo", "n", "sp"}, "3"},
		{[]string{"GET", "foo"}, ""},
		{[]string{"INCR", "x", "y"}, "ERR wrong number of arguments for 'incr' command"},
	} {
		if got := p.cli(t, tc.args...); got != tc.want {
			t.Errorf("redis-cli %q = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestRedisCliPipe: mass insertion as documented at
// https://redis.io/docs/manual/patterns/bulk-loading/ — 10,000 SETs in
// RESP through `redis-cli --pipe`, which ends with an ECHO of a random
// marker to know all replies arrived.
func TestRedisCliPipe(t *testing.T) {
	redisCli := need(t, "redis-cli")
	p := start(t)
	var in bytes.Buffer
	for i := range 10000 {
		k, v := "key:"+strconv.Itoa(i), "value:"+strconv.Itoa(i)
		fmt.Fprintf(&in, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
	}
	out, err := run(t, 30*time.Second, in.Bytes(), redisCli, "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "--pipe")
	if err != nil {
		t.Fatalf("redis-cli --pipe: %v\n%s", err, out)
	}
	if !strings.Contains(out, "errors: 0, replies: 10000") {
		t.Fatalf("redis-cli --pipe output:\n%s", out)
	}
	if got := p.cli(t, "DBSIZE"); got != "10000" {
		t.Fatalf("DBSIZE = %q, want 10000", got)
	}
	if got := p.cli(t, "GET", "key:9999"); got != "value:9999" {
		t.Fatalf("GET key:9999 = %q", got)
	}
}

// python3 returns an interpreter that can import redis (Debian's
// python3-redis): $PYTHON3, python3 on PATH, or /usr/bin/python3.
func python3(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p := os.Getenv("PYTHON3"); p != "" {
		candidates = append(candidates, p)
	}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, c := range candidates {
		if _, err := run(t, 10*time.Second, nil, c, "-c", "import redis"); err == nil {
			return c
		}
	}
	missing(t, "no python3 can import redis (apt-get install python3-redis)")
	return ""
}

// runRedisPy runs testdata/<name> (a redis-py script taking host and
// port) against a fresh cinnabar and requires its success line.
func runRedisPy(t *testing.T, name, passed string, timeout time.Duration) string {
	t.Helper()
	py := python3(t)
	p := start(t)
	script, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, timeout, nil, py, script, "127.0.0.1", strconv.Itoa(p.port))
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	if !strings.Contains(out, passed) {
		t.Fatalf("unexpected output:\n%s", out)
	}
	return out
}

// TestRedisPy runs testdata/redispy_check.py: redis-py doing
// set/get/pipeline/expire/incr and asserting the results.
func TestRedisPy(t *testing.T) {
	runRedisPy(t, "redispy_check.py", "redis-py checks passed", 30*time.Second)
}

// TestRedisBenchmark: a short redis-benchmark run must report a rate for
// every test and no error.
func TestRedisBenchmark(t *testing.T) {
	bench := need(t, "redis-benchmark")
	p := start(t)
	out, err := run(t, 40*time.Second, nil, bench, "-h", "127.0.0.1", "-p", strconv.Itoa(p.port),
		"-q", "-t", "set,get,incr,ping", "-n", "20000", "-c", "20")
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	out = strings.ReplaceAll(out, "\r", "\n")
	if strings.Contains(strings.ToLower(out), "error") {
		t.Fatalf("redis-benchmark reported errors:\n%s", out)
	}
	for _, test := range []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"} {
		found := false
		for line := range strings.Lines(out) {
			if strings.HasPrefix(line, test+": ") && strings.Contains(line, "requests per second") {
				found = true
			}
		}
		if !found {
			t.Errorf("no result line for %s in:\n%s", test, out)
		}
	}
	if got := p.cli(t, "PING"); got != "PONG" {
		t.Fatalf("PING after the benchmark: %q", got)
	}
}

// runToExit runs the binary with args and returns its exit code, stdout
// and stderr; it must exit within 10s.
func runToExit(t *testing.T, name string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not exit (it should have failed at start-up)\n%s%s", name, args, stdout.String(), stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// TestBadConfigFile: a bad directive in a configuration file stops the
// server at start-up with exit status 1 and Redis's report on stderr
// (loadServerConfigFromString in src/config.c): the line number, the line
// and the reason. Redis's report names no file. When redis-server is
// installed, the stderr bytes must be identical to its.
func TestBadConfigFile(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, conf, want string
	}{
		{"bad directive", "port 0\n# a comment\n\nfoobar yes\n",
			"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n>>> 'foobar yes'\nBad directive or wrong number of arguments\n"},
		{"bad enum", "hz 20\nmaxmemory-policy sometimes\n",
			"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory-policy sometimes'\nargument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\n"},
		{"out of range", "port 99999\n",
			"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 1\n>>> 'port 99999'\nargument must be between 0 and 65535 inclusive\n"},
		{"unbalanced quotes", "hz 20\nsave \"\" \"x\n",
			"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'save \"\" \"x'\nUnbalanced quotes in configuration line\n"},
	}
	redisServer, _ := exec.LookPath("redis-server")
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad"+strconv.Itoa(i)+".conf")
			if err := os.WriteFile(path, []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runToExit(t, binary, path)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if stderr != tc.want {
				t.Errorf("stderr:\n%q\nwant:\n%q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if redisServer != "" {
				rcode, _, rstderr := runToExit(t, redisServer, path)
				if rcode != code || rstderr != stderr {
					t.Errorf("redis-server: exit %d stderr %q; cinnabar: exit %d stderr %q", rcode, rstderr, code, stderr)
				}
			}
		})
	}
}

// TestMissingConfigFile: a configuration file that cannot be opened is
// fatal (exit status 1) with Redis's message.
func TestMissingConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.conf")
	code, stdout, stderr := runToExit(t, binary, path)
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	want := "Fatal error, can't open config file '" + path + "': No such file or directory"
	if !strings.Contains(stdout+stderr, want) {
		t.Errorf("output %q lacks %q", stdout+stderr, want)
	}
}

// TestGoodConfigFile: directives of a configuration file show in CONFIG
// GET, and command-line options after the file override it.
func TestGoodConfigFile(t *testing.T) {
	need(t, "redis-cli")
	conf := filepath.Join(t.TempDir(), "redis.conf")
	content := "# test configuration\n" +
		"maxmemory 10mb\n" +
		"maxmemory-policy allkeys-lru\n" +
		"hz 20\n" +
		"timeout 300\n" +
		"databases 4\n" +
		"port 1\n" + // overridden by --port on the command line
		"slowlog-log-slower-than 5000\n"
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p := start(t, conf)
	for _, tc := range []struct{ name, want string }{
		{"maxmemory", "10485760"},
		{"maxmemory-policy", "allkeys-lru"},
		{"hz", "20"},
		{"timeout", "300"},
		{"databases", "4"},
		{"port", strconv.Itoa(p.port)},
		{"slowlog-log-slower-than", "5000"},
		{"save", ""},
		{"appendonly", "no"},
	} {
		want := strings.TrimRight(tc.name+"\n"+tc.want, "\n") // cli trims the output's last newlines
		if got := p.cli(t, "CONFIG", "GET", tc.name); got != want {
			t.Errorf("CONFIG GET %s = %q, want %q", tc.name, got, want)
		}
	}
	if got := p.cli(t, "SELECT", "4"); got != "ERR DB index is out of range" {
		t.Errorf("SELECT 4 with databases 4: %q", got)
	}
	if !strings.Contains(p.stdout.String(), "Configuration loaded") {
		t.Errorf("log lacks \"Configuration loaded\":\n%s", p.stdout.String())
	}
}

// TestGracefulShutdown: SIGTERM makes the server log Redis's shutdown
// lines and exit 0 (src/server.c: sigShutdownHandler, prepareForShutdown,
// "... is now ready to exit, bye bye...").
func TestGracefulShutdown(t *testing.T) {
	p := start(t)
	// A connected client must not keep the server from exiting.
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(nc).ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Fatalf("PING: %q %v", line, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM; log:\n%s", p.stdout.String())
	}
	if p.err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0)\nstderr:\n%s", p.err, p.stderr.String())
	}
	log := p.stdout.String()
	ready := strings.Index(log, "Ready to accept connections")
	sig := strings.Index(log, "Received SIGTERM scheduling shutdown...")
	bye := strings.Index(log, "is now ready to exit, bye bye...")
	if ready < 0 || sig < 0 || bye < 0 || !(ready < sig && sig < bye) {
		t.Fatalf("log lacks, in order, the ready line, the SIGTERM line and the bye line:\n%s", log)
	}
}

// TestShutdownCommand: SHUTDOWN NOSAVE from redis-cli stops the server
// with exit status 0.
func TestShutdownCommand(t *testing.T) {
	redisCli := need(t, "redis-cli")
	p := start(t)
	// redis-cli prints nothing (or a connection error) for SHUTDOWN: the
	// server closes the connection instead of replying.
	_, _ = run(t, 10*time.Second, nil, redisCli, "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "SHUTDOWN", "NOSAVE")
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SHUTDOWN; log:\n%s", p.stdout.String())
	}
	if p.err != nil {
		t.Fatalf("exit after SHUTDOWN: %v (want status 0)", p.err)
	}
	if !strings.Contains(p.stdout.String(), "User requested shutdown...") {
		t.Fatalf("log lacks \"User requested shutdown...\":\n%s", p.stdout.String())
	}
}
