package command_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

func TestConfigGetSet(t *testing.T) {
	// Error texts from config.c, as unit/introspection.tcl checks them.
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "*2\r\n"+srvBulk("maxmemory")+srvBulk("0"), "CONFIG", "GET", "maxmemory")
	c.expect(t, "*2\r\n"+srvBulk("MAXMEMORY")+srvBulk("0"), "CONFIG", "GET", "MAXMEMORY")
	c.expect(t, "*0\r\n", "CONFIG", "GET", "nosuch")
	c.expect(t, "+OK\r\n", "CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru")
	c.expect(t, "*2\r\n"+srvBulk("maxmemory")+srvBulk("10485760"), "CONFIG", "GET", "maxmemory")
	c.expect(t, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n",
		"CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid")
	c.expect(t, "*2\r\n"+srvBulk("maxmemory")+srvBulk("10485760"), "CONFIG", "GET", "maxmemory") // rolled back
	c.expect(t, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n",
		"CONFIG", "SET", "maxmemory", "1", "maxmemory", "2")
	c.expect(t, "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config\r\n",
		"CONFIG", "SET", "daemonize", "yes")
	c.expect(t, "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
		"CONFIG", "SET", "dir", "/tmp")
	c.expect(t, "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", "CONFIG", "SET", "nosuch", "1")
	c.expect(t, "-ERR syntax error\r\n", "CONFIG", "SET", "maxmemory", "1", "hz")
	c.expect(t, "-ERR wrong number of arguments for 'config|set' command\r\n", "CONFIG", "SET", "maxmemory")
	c.expect(t, "-ERR wrong number of arguments for 'config|get' command\r\n", "CONFIG", "GET")
	c.expect(t, "-ERR wrong number of arguments for 'config' command\r\n", "CONFIG")
	c.expect(t, "-ERR The server is running without a config file\r\n", "CONFIG", "REWRITE")

	// Hidden parameters only answer to their exact name.
	if all := c.do(t, "CONFIG", "GET", "*"); strings.Contains(all, "key-load-delay") {
		t.Errorf("CONFIG GET * lists a hidden parameter")
	}
	c.expect(t, "*2\r\n"+srvBulk("key-load-delay")+srvBulk("0"), "CONFIG", "GET", "key-load-delay")

	// RESP3: a map.
	c.do(t, "HELLO", "3")
	c.expect(t, "%1\r\n"+srvBulk("maxmemory-policy")+srvBulk("allkeys-lru"), "CONFIG", "GET", "maxmemory-policy")
}

func TestConfigSetRedactsSecrets(t *testing.T) {
	s := servertest.Start(t, []string{"--slowlog-log-slower-than", "0"})
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "CONFIG", "SET", "masterauth", "topsecret", "maxmemory", "1mb")
	log := c.do(t, "SLOWLOG", "GET", "1")
	if strings.Contains(log, "topsecret") || !strings.Contains(log, srvBulk("(redacted)")+srvBulk("maxmemory")+srvBulk("1mb")) {
		t.Errorf("SLOWLOG after CONFIG SET masterauth: %q", log)
	}
}

func TestConfigSetSlowlogMaxLen(t *testing.T) {
	s := servertest.Start(t, []string{"--slowlog-log-slower-than", "0"})
	c := srvDial(t, s)
	for i := 0; i < 5; i++ {
		c.do(t, "PING")
	}
	c.do(t, "CONFIG", "SET", "slowlog-max-len", "2")
	c.expect(t, ":2\r\n", "SLOWLOG", "LEN") // trimmed at once, then the CONFIG SET was logged
	// CONFIG RESETSTAT leaves the slow log alone (config.c configResetStatCommand).
	c.do(t, "CONFIG", "RESETSTAT")
	c.expect(t, ":2\r\n", "SLOWLOG", "LEN")
}

func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(path, []byte("# my config\nmaxmemory 1mb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	e, err := command.New(command.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", -1, e.Now())
	cl.Authenticated = true
	exec := func(args ...string) string {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		w := resp.Writer{Proto: 2}
		e.Exec(cl, argv, &w)
		return string(w.Buf)
	}
	if got := exec("CONFIG", "SET", "maxmemory", "2mb", "hz", "20"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET = %q", got)
	}
	if got := exec("CONFIG", "REWRITE"); got != "+OK\r\n" {
		t.Fatalf("CONFIG REWRITE = %q", got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, "# my config\nmaxmemory 2mb\n") || !strings.Contains(got, "\nhz 20\n") {
		t.Errorf("rewritten file:\n%s", got)
	}
}
