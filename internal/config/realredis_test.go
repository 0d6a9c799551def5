package config

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests against the real redis-server 7.0.15.

const redisServerPath = "/usr/bin/redis-server"

type realRedis struct {
	conn *net.TCPConn
	r    *bufio.Reader
	port int
	dir  string
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRealRedis runs redis-server in a temporary directory on a free
// loopback port, or skips the test when it is not installed.
func startRealRedis(t *testing.T, extra ...string) *realRedis {
	t.Helper()
	if _, err := os.Stat(redisServerPath); err != nil {
		t.Skipf("skipping: %s not installed (%v)", redisServerPath, err)
	}
	dir := t.TempDir()
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, extra...)
	cmd := exec.Command(redisServerPath, args...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			rr := &realRedis{conn: conn.(*net.TCPConn), r: bufio.NewReader(conn), port: port, dir: dir}
			t.Cleanup(func() { conn.Close() })
			return rr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends a command and returns the reply: string, error (for -ERR), nil,
// or []any.
func (rr *realRedis) do(t *testing.T, args ...string) any {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rr.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := rr.conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	v, err := readReply(rr.r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return errors.New(line[1:]), nil
	case ':':
		return line[1:], nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([]any, 0, max(n, 0))
		for i := 0; i < n; i++ {
			v, err := readReply(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (rr *realRedis) configGet(t *testing.T, patterns ...string) map[string]string {
	t.Helper()
	v := rr.do(t, append([]string{"CONFIG", "GET"}, patterns...)...)
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("CONFIG GET: %v", v)
	}
	m := map[string]string{}
	for i := 0; i+1 < len(arr); i += 2 {
		m[arr[i].(string)] = arr[i+1].(string)
	}
	return m
}

func pairsToMap(pairs [][2]string) map[string]string {
	m := map[string]string{}
	for _, p := range pairs {
		m[p[0]] = p[1]
	}
	return m
}

// TestDefaultsMatchRealRedis compares CONFIG GET * (and the hidden
// parameters, by exact name) of New() with a real redis-server 7.0.15.
func TestDefaultsMatchRealRedis(t *testing.T) {
	rr := startRealRedis(t)
	c := New()

	// Parameters whose value depends on how the test starts the server.
	differ := map[string]bool{
		"port": true, // a free port
		"bind": true, // 127.0.0.1 instead of "* -::*"
		"dir":  true, // the server's working directory
	}
	want := rr.configGet(t, "*")
	got := pairsToMap(c.Get("*"))
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, okw := want[n]
		g, okg := got[n]
		switch {
		case !okw:
			t.Errorf("%s: reported by us (%q), not by redis-server", n, g)
		case !okg:
			t.Errorf("%s: reported by redis-server (%q), not by us", n, w)
		case differ[n]:
		case w != g:
			t.Errorf("%s = %q, redis-server says %q", n, g, w)
		}
	}
	if len(want) < 150 {
		t.Fatalf("redis-server reported only %d parameters", len(want))
	}
	hidden := []string{"use-exit-on-panic", "rdb-key-save-delay", "key-load-delay",
		"watchdog-period", "loading-process-events-interval-bytes"}
	wantHidden := rr.configGet(t, hidden...)
	gotHidden := pairsToMap(c.Get(hidden...))
	for _, n := range hidden {
		if wantHidden[n] != gotHidden[n] || wantHidden[n] == "" {
			t.Errorf("hidden %s = %q, redis-server says %q", n, gotHidden[n], wantHidden[n])
		}
	}
	if got, want := pairsToMap(c.Get("bind"))["bind"], "* -::*"; got != want {
		t.Errorf("bind = %q, want %q", got, want)
	}
}

// TestSetMatchesRealRedis runs the same CONFIG SET calls on a real
// redis-server and on a Config, comparing replies and the resulting values.
func TestSetMatchesRealRedis(t *testing.T) {
	rr := startRealRedis(t)
	c := New()
	cases := [][]string{
		{"foo", "bar"},
		{"maxmemory", "1", "foo", "bar"},
		{"daemonize", "yes"},
		{"dir", "/tmp"},
		{"dbfilename", "x.rdb"},
		{"maxmemory", "10", "MAXMEMORY", "20"},
		{"hash-max-ziplist-entries", "5", "hash-max-listpack-entries", "7"},
		{"appendonly", "maybe"},
		{"SLAVE-READ-ONLY", "abc"},
		{"maxmemory", "abc"},
		{"maxmemory", "-1"},
		{"maxmemory", ""},
		{"maxmemory", "1kb"},
		{"maxmemory", "1KB"},
		{"maxmemory", "2G"},
		{"maxmemory", " 1"},
		{"maxmemory", "+1"},
		{"maxmemory", "18446744073709551615"},
		{"maxmemory", "18446744073709551616"},
		{"maxmemory", "99999999999999999999kb"},
		{"maxmemory", "0"},
		{"hz", "abc"},
		{"hz", "1000"},
		{"hz", "0"},
		{"hz", "10"},
		{"port", "99999"},
		{"timeout", "01"},
		{"timeout", "-0"},
		{"timeout", "1.5"},
		{"slowlog-max-len", "-1"},
		{"slowlog-log-slower-than", "-2"},
		{"hash-max-listpack-entries", "-1"},
		{"maxclients", "0"},
		{"maxclients", "99999999999"},
		{"proto-max-bulk-len", "1000"},
		{"proto-max-bulk-len", "18446744073709551615"},
		{"proto-max-bulk-len", "1gb"},
		{"maxmemory-clients", "5%"},
		{"maxmemory-clients", "101%"},
		{"maxmemory-clients", "-5"},
		{"maxmemory-clients", "1b"},
		{"maxmemory-clients", "0%"},
		{"maxmemory-clients", "100%"},
		{"maxmemory-policy", "foo"},
		{"maxmemory-policy", "ALLKEYS-LRU"},
		{"loglevel", "foo"},
		{"loglevel", "warning"},
		{"oom-score-adj", "relative"},
		{"shutdown-on-sigint", "nosave now"},
		{"shutdown-on-sigint", "save nosave"},
		{"shutdown-on-sigint", ""},
		{"shutdown-on-sigint", "default save"},
		{"shutdown-on-sigint", "force now nosave"},
		{"save", "1 2 3"},
		{"save", "a b"},
		{"save", "1  2"},
		{"save", "100 0 200 5"},
		{"save", ""},
		{"save", "3600 1 300 100 60 10000"},
		{"client-output-buffer-limit", "normal 1 2"},
		{"client-output-buffer-limit", "master 1 2 3"},
		{"client-output-buffer-limit", "normal 1kb 2mb 3"},
		{"client-output-buffer-limit", "replica 1gb 2 -3"},
		{"client-output-buffer-limit", "pubsub 1x 2 3"},
		{"client-output-buffer-limit", "normal 0 0 0 slave 1mb 1mb 1 PUBSUB 2 2 2"},
		{"notify-keyspace-events", "Q"},
		{"notify-keyspace-events", "KEA"},
		{"notify-keyspace-events", "Kgx$mn"},
		{"notify-keyspace-events", ""},
		{"oom-score-adj-values", "1 2"},
		{"oom-score-adj-values", "1 2 3000"},
		{"oom-score-adj-values", "10 20 30"},
		{"latency-tracking-info-percentiles", "1e1 0x10 99.99"},
		{"latency-tracking-info-percentiles", "101"},
		{"latency-tracking-info-percentiles", "abc"},
		{"latency-tracking-info-percentiles", ""},
		{"proc-title-template", "{title}"},
		{"proc-title-template", "{foo}"},
		{"proc-title-template", "{port} {{"},
		{"proc-title-template", "{title"},
		{"cluster-announce-hostname", "a_b"},
		{"cluster-announce-hostname", "a-b.c"},
		{"requirepass", "secret"},
		{"requirepass", ""},
		{"replicaof", "127.0.0.1 1"},
		{"slaveof", "no one"},
		{"unixsocketperm", "777"},
		{"list-max-ziplist-size", "-0"},
		{"list-max-ziplist-size", "-5"},
		{"tls-cert-file", "x"},
		{"tls-cert-file", ""},
		{"acl-pubsub-default", "allchannels"},
		{"appendfsync", "no", "appendfsync", "always"},
		{"lua-time-limit", "100"},
		{"maxmemory", "1mb", "maxmemory-policy", "bad"},
	}
	for _, args := range cases {
		want := rr.do(t, append([]string{"CONFIG", "SET"}, args...)...)
		got := c.Set(args...)
		var ws, gs string
		if err, ok := want.(error); ok {
			ws = err.Error()
		} else {
			ws = fmt.Sprint(want)
		}
		if got != nil {
			gs = got.Error()
		} else {
			gs = "OK"
		}
		if ws != gs {
			t.Errorf("CONFIG SET %q: got %q, redis-server %q", args, gs, ws)
		}
		// Values must agree after every step.
		for i := 0; i < len(args); i += 2 {
			name := args[i]
			if name == "dir" || name == "port" {
				continue
			}
			w := rr.configGet(t, name)
			g := pairsToMap(c.Get(name))
			if w[name] != g[name] {
				t.Errorf("after CONFIG SET %q: %s = %q, redis-server %q", args, name, g[name], w[name])
			}
		}
	}
	// Everything else must still agree too.
	want := rr.configGet(t, "*")
	for n, g := range pairsToMap(c.Get("*")) {
		if n == "port" || n == "bind" || n == "dir" {
			continue
		}
		if want[n] != g {
			t.Errorf("at the end: %s = %q, redis-server %q", n, g, want[n])
		}
	}
}

// TestGetMatchesRealRedis compares pattern matching and name reporting.
func TestGetMatchesRealRedis(t *testing.T) {
	rr := startRealRedis(t)
	c := New()
	for _, pats := range [][]string{
		{"MAXMEMORY"},
		{"maxmemory", "MAXMEMORY"},
		{"MAXMEM*"},
		{"slaveof", "replicaof"},
		{"*max*entries*"},
		{"*ziplist*"},
		{"[a-c]*"},
		{"[^a-r]*"},
		{"?ort"},
		{"*-*-*-*-*"},
		{"hash-max-*", "hash-max-listpack-entries", "HASH-MAX-ZIPLIST-VALUE"},
		{"nosuch"},
		{"use-exit*"},
		{"tls-*"},
		{"*[0-9]*"},
		{"\\p*"},
		{"[p"},
	} {
		want := rr.configGet(t, pats...)
		got := pairsToMap(c.Get(pats...))
		delete(want, "port")
		delete(got, "port")
		delete(want, "dir")
		delete(got, "dir")
		delete(want, "bind")
		delete(got, "bind")
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Errorf("CONFIG GET %q:\n got  %v\n want %v", pats, got, want)
		}
	}
}

// TestLoadErrorsMatchRealRedis feeds bad configurations to redis-server and
// to Load and compares the fatal error texts.
func TestLoadErrorsMatchRealRedis(t *testing.T) {
	if _, err := os.Stat(redisServerPath); err != nil {
		t.Skipf("skipping: %s not installed (%v)", redisServerPath, err)
	}
	dir := t.TempDir()
	cases := []struct {
		file string // "" for no file
		args []string
	}{
		{"port 7000\nfoo bar\n", nil},
		{"daemonize maybe\n", nil},
		{"port abc\n", nil},
		{"port 1 2\n", nil},
		{"save \"a\n", nil},
		{"maxmemory 1xb\n", nil},
		{"loglevel foo\n", nil},
		{"  port   \"70\\x41\"  \n", nil},
		{"# comment\n\n\tport\t'1'x\n", nil},
		{"rename-command a\n", nil},
		{"foo.bar\n", nil},
		{"sentinel monitor x\n", nil},
		{"list-max-ziplist-entries 1 2\n", nil},
		{"save 1 1\nsave 0 1\n", nil},
		{"shutdown-on-sigint save nosave\n", nil},
		{"client-output-buffer-limit normal 0 0\n", nil},
		{"client-output-buffer-limit \"normal 0 0 x\"\n", nil},
		{"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", nil},
		{"replicaof localhost\n", nil},
		{"replicaof localhost 99999\n", nil},
		{"cluster-enabled yes\nreplicaof localhost 1\n", nil},
		{"logfile /nonexistent/dir/x.log\n", nil},
		{"dir /nonexistent\n", nil},
		{"", []string{"--port", "abc"}},
		{"port 7000\n", []string{"--port", "abc"}},
		{"port 7000", []string{"--port", "abc"}},
		{"port 7000\n", []string{"--save", "1", "2", "3", "--port", "1"}},
		{"", []string{"--maxmemory", "1 2"}},
		{"", []string{"--foo"}},
		{"", []string{"--port abc"}},
		{"", []string{"--save", "--port", "x"}},
		{"", []string{"--port", "99999", "7"}},
		{"", []string{"--bind", "a b", "--port", "123456"}},
		{"", []string{"--requirepass", "--port", "--port", "x"}},
		{"", []string{"--loglevel", "bad value\n\"x\""}},
	}
	for i, tc := range cases {
		var args []string
		if tc.file != "" {
			path := filepath.Join(dir, fmt.Sprintf("c%d.conf", i))
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, path)
		}
		args = append(args, tc.args...)
		cmd := exec.Command(redisServerPath, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("case %d: redis-server accepted %q", i, args)
			continue
		}
		_, gotErr := Load(args)
		var fe *FatalError
		if !errors.As(gotErr, &fe) {
			t.Errorf("case %d %q: Load error %v, redis-server said %q", i, args, gotErr, out)
			continue
		}
		if string(out) != fe.Report() {
			t.Errorf("case %d %q:\n got  %q\n want %q", i, args, fe.Report(), out)
		}
	}
}

// TestRewriteMatchesRealRedis applies the same changes to a real
// redis-server and to a Config loaded from identical files, runs CONFIG
// REWRITE on both and compares the files. Redis appends new lines in its
// hash table's order, so the appended section is compared as a set.
func TestRewriteMatchesRealRedis(t *testing.T) {
	if _, err := os.Stat(redisServerPath); err != nil {
		t.Skipf("skipping: %s not installed (%v)", redisServerPath, err)
	}
	dir := t.TempDir()
	port := freePort(t)
	inc := filepath.Join(dir, "inc.conf")
	if err := os.WriteFile(inc, []byte("timeout 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := "# my comment\nport " + strconv.Itoa(port) + "\nbind 127.0.0.1\ndir " + repr(dir) + "\n\n\n\n" +
		"maxmemory 1mb\nsave 100 1\nsave 200 2\nslave-read-only yes\nhash-max-ziplist-entries 100\n" +
		"rename-command FLUSHALL \"\"\ninclude " + inc + "\ntcp-keepalive 300\nloglevel notice\n   \n"
	realPath := filepath.Join(dir, "real.conf")
	ourPath := filepath.Join(dir, "ours.conf")
	for _, p := range []string{realPath, ourPath} {
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(redisServerPath, realPath)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var rr *realRedis
	for deadline := time.Now().Add(5 * time.Second); ; {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			rr = &realRedis{conn: conn.(*net.TCPConn), r: bufio.NewReader(conn)}
			t.Cleanup(func() { conn.Close() })
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	c, err := Load([]string{ourPath})
	if err != nil {
		t.Fatal(err)
	}
	c.OnRewriteUsers(func() []string { return []string{"user default on nopass ~* &* +@all"} })
	changes := [][]string{
		{"maxmemory", "2000000"},
		{"save", "300 3"},
		{"notify-keyspace-events", "KEA"},
		{"slave-read-only", "no"},
		{"shutdown-on-sigint", "nosave now"},
		{"maxmemory-clients", "10%"},
		{"client-output-buffer-limit", "pubsub 1mb 1kb 1"},
		{"hash-max-ziplist-entries", "512"},
		{"masterauth", "a\"b\n c\x01"},
		{"latency-tracking-info-percentiles", ""},
		{"loglevel", "warning"},
		{"tcp-keepalive", "300"},
		{"proto-max-bulk-len", "2gb"},
		{"bind", "127.0.0.1 ::1"},
	}
	for _, ch := range changes {
		if v := rr.do(t, append([]string{"CONFIG", "SET"}, ch...)...); v != "OK" {
			t.Fatalf("redis-server CONFIG SET %q: %v", ch, v)
		}
		if err := c.Set(ch...); err != nil {
			t.Fatalf("Set %q: %v", ch, err)
		}
	}
	if v := rr.do(t, "CONFIG", "REWRITE"); v != "OK" {
		t.Fatalf("redis-server CONFIG REWRITE: %v", v)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(realPath)
	got, _ := os.ReadFile(ourPath)
	split := func(b []byte) (string, []string) {
		head, tail, _ := strings.Cut(string(b), rewriteSignature+"\n")
		lines := strings.Split(strings.TrimSuffix(tail, "\n"), "\n")
		sort.Strings(lines)
		return head, lines
	}
	wh, wt := split(want)
	gh, gt := split(got)
	if wh != gh || strings.Join(wt, "\n") != strings.Join(gt, "\n") {
		t.Errorf("rewritten files differ:\n--- ours\n%s\n--- redis-server\n%s", got, want)
	}

	// The rewritten file loads back to the same configuration.
	c2, err := Load([]string{ourPath})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(c.Get("*")), fmt.Sprint(c2.Get("*")); a != b {
		t.Errorf("reloaded config differs:\n%s\n%s", a, b)
	}
}
