package diff

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// Differential tests of the connection and server commands: replies and
// error texts must be Redis 7.0.15's byte for byte. Values that differ
// between any two servers (client IDs, times, memory figures) are
// normalised or left out.

// idField matches the "id" entry of a HELLO reply.
var idField = regexp.MustCompile(`(\$2\r\nid\r\n):\d+\r\n`)

func normID(b []byte) []byte { return idField.ReplaceAll(b, []byte("${1}:ID\r\n")) }

// bulkStrings parses a flat RESP array of bulk strings.
func bulkStrings(t *testing.T, raw []byte) []string {
	t.Helper()
	lines := strings.Split(string(raw), "\r\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "*") {
		t.Fatalf("not an array: %q", raw)
	}
	var out []string
	for i := 1; i+1 < len(lines); i += 2 {
		out = append(out, lines[i+1])
	}
	return out
}

// TestDiffCommandInfo compares COMMAND INFO and COMMAND DOCS for every
// command Cinnabar implements. Containers are compared through their
// subcommands: Redis lists a container's subcommands in hash-table order.
func TestDiffCommandInfo(t *testing.T) {
	h := Start(t)
	_, raw := h.Both(t, "COMMAND", "LIST")
	names := bulkStrings(t, raw)
	if len(names) < 20 {
		t.Fatalf("COMMAND LIST lists %d commands", len(names))
	}
	container := map[string]bool{}
	for _, n := range names {
		if parent, _, ok := strings.Cut(n, "|"); ok {
			container[parent] = true
		}
	}
	for _, n := range names {
		if container[n] {
			continue
		}
		h.Do(t, "COMMAND", "INFO", n)
		h.Do(t, "COMMAND", "DOCS", n)
		h.Do(t, "COMMAND", "INFO", strings.ToUpper(n))
	}
	// Unknown names and malformed subcommand names are nulls.
	h.Do(t, "COMMAND", "INFO", "get|key")
	h.Do(t, "COMMAND", "INFO", "config|get|key")
	h.Do(t, "COMMAND", "INFO", "nosuchcommand", "get")
	h.Do(t, "COMMAND", "DOCS", "nosuchcommand")
	h.Do(t, "COMMAND", "DOCS", "nosuchcommand", "config|get")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "PATTERN", "get")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "PATTERN", "nosuch*")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule")
	h.Do(t, "COMMAND", "LIST", "bad")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "bad", "x")
	h.Do(t, "COMMAND", "LIST", "FILTERBY", "PATTERN")
	h.Do(t, "COMMAND", "COUNT", "x")
	h.Do(t, "COMMAND", "HELP")
	h.Do(t, "COMMAND", "NOSUCH")
	h.Do(t, "COMMAND", "GETKEYS")
	h.Do(t, "COMMAND", "GETKEYS", "GET")
	h.Do(t, "COMMAND", "GETKEYS", "GET", "k")
	h.Do(t, "COMMAND", "GETKEYS", "get", "a", "b")
	h.Do(t, "COMMAND", "GETKEYS", "PING")
	h.Do(t, "COMMAND", "GETKEYS", "nosuch", "a")
	h.Do(t, "COMMAND", "GETKEYS", "config", "get", "x")
	h.Do(t, "COMMAND", "GETKEYS", "config", "nosuch")
	h.Do(t, "COMMAND", "GETKEYS", "memory", "usage", "key")
	h.Do(t, "COMMAND", "GETKEYSANDFLAGS", "SET", "k1", "v1")
	h.Do(t, "COMMAND", "GETKEYSANDFLAGS", "DEL", "a", "b")
}

// TestDiffConfig checks CONFIG GET/SET sequences, including Redis's
// validation errors (config.c), and the CONFIG subcommand errors.
func TestDiffConfig(t *testing.T) {
	h := Start(t)
	for _, cmd := range [][]string{
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "GET", "MAXMEMORY"},
		{"CONFIG", "GET", "nosuchparam"},
		{"CONFIG", "GET", "key-load-delay"}, // hidden: exact names only
		{"CONFIG", "GET", "hash-max-ziplist-entries"},
		{"CONFIG", "GET", "slowlog-max-len", "slowlog-max-len"},
		{"CONFIG", "SET", "maxmemory", "100mb"},
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru"},
		{"CONFIG", "GET", "maxmemory-policy"},
		{"CONFIG", "SET", "maxmemory-policy", "nosuchpolicy"},
		{"CONFIG", "SET", "maxmemory", "abc"},
		{"CONFIG", "SET", "maxmemory", "10", "maxmemory", "20"},
		{"CONFIG", "SET", "maxmemory", "10", "maxmemory-clients", "200%"},
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "SET", "daemonize", "yes"},
		{"CONFIG", "SET", "nosuchparam", "1"},
		{"CONFIG", "SET", "maxmemory"},
		{"CONFIG", "SET", "maxmemory", "1", "hz"},
		{"CONFIG", "SET", "hz", "0"},
		{"CONFIG", "GET", "hz"},
		{"CONFIG", "SET", "save", "100 10 60 1000"},
		{"CONFIG", "GET", "save"},
		{"CONFIG", "SET", "save", ""},
		{"CONFIG", "SET", "appendonly", "maybe"},
		{"CONFIG", "SET", "notify-keyspace-events", "KEA"},
		{"CONFIG", "GET", "notify-keyspace-events"},
		{"CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "notify-keyspace-events", ""},
		{"CONFIG", "GET"},
		{"CONFIG"},
		// Redis lists several matches in hash-table order: only single
		// names are compared.
		{"CONFIG", "NOSUCH"},
		{"CONFIG", "HELP"},
		{"CONFIG", "HELP", "x"},
		{"CONFIG", "RESETSTAT", "x"},
		{"CONFIG", "REWRITE"}, // no config file
		{"CONFIG", "RESETSTAT"},
	} {
		h.Do(t, cmd...)
	}
}

// TestDiffClient checks CLIENT's deterministic replies and errors
// (networking.c clientCommand).
func TestDiffClient(t *testing.T) {
	h := Start(t)
	for _, cmd := range [][]string{
		{"CLIENT", "GETNAME"},
		{"CLIENT", "SETNAME", "foo bar"},
		{"CLIENT", "SETNAME", "foo\nbar"},
		{"CLIENT", "SETNAME", "é"},
		{"CLIENT", "SETNAME", "myname"},
		{"CLIENT", "GETNAME"},
		{"CLIENT", "SETNAME", ""},
		{"CLIENT", "GETNAME"},
		{"CLIENT", "SETNAME"},
		{"CLIENT", "SETNAME", "a", "b"},
		{"CLIENT", "ID", "x"},
		{"CLIENT", "INFO", "x"},
		{"CLIENT", "LIST", "TYPE", "nosuchtype"},
		{"CLIENT", "LIST", "TYPE", "master"},
		{"CLIENT", "LIST", "TYPE", "replica"},
		{"CLIENT", "LIST", "TYPE", "pubsub"},
		{"CLIENT", "LIST", "TYPE", "normal", "x"},
		{"CLIENT", "LIST", "ID"},
		{"CLIENT", "LIST", "ID", "abc"},
		{"CLIENT", "LIST", "ID", "99999"},
		{"CLIENT", "LIST", "foo"},
		{"CLIENT", "KILL"},
		{"CLIENT", "KILL", "1.2.3.4:5"},
		{"CLIENT", "KILL", "ID", "0"},
		{"CLIENT", "KILL", "ID", "-1"},
		{"CLIENT", "KILL", "ID", "str"},
		{"CLIENT", "KILL", "ID", "99999"},
		{"CLIENT", "KILL", "ID", "10", "wrong_arg"},
		{"CLIENT", "KILL", "TYPE", "wrong_type"},
		{"CLIENT", "KILL", "USER", "wrong_user"},
		{"CLIENT", "KILL", "SKIPME", "yes_or_no"},
		{"CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "yes"},
		{"CLIENT", "KILL", "LADDR", "1.2.3.4:5"},
		{"CLIENT", "KILL", "USER", "default", "TYPE", "master"},
		{"CLIENT", "PAUSE"},
		{"CLIENT", "PAUSE", "abc"},
		{"CLIENT", "PAUSE", "-1"},
		{"CLIENT", "PAUSE", "10", "foo"},
		{"CLIENT", "PAUSE", "10", "all", "x"},
		{"CLIENT", "PAUSE", "0", "WRITE"},
		{"CLIENT", "UNPAUSE"},
		{"CLIENT", "UNPAUSE", "x"},
		{"CLIENT", "REPLY", "foo"},
		{"CLIENT", "REPLY", "ON"},
		{"CLIENT", "NO-EVICT", "foo"},
		{"CLIENT", "NO-EVICT", "on"},
		{"CLIENT", "NO-EVICT", "OFF"},
		{"CLIENT", "HELP"},
		{"CLIENT", "HELP", "x"},
		{"CLIENT", "NOSUCH"},
		{"CLIENT"},
	} {
		h.Do(t, cmd...)
	}
}

// TestDiffHelloAuth checks HELLO and AUTH without a password configured.
func TestDiffHelloAuth(t *testing.T) {
	h := Start(t)
	for _, cmd := range [][]string{
		{"HELLO", "4"},
		{"HELLO", "1"},
		{"HELLO", "abc"},
		{"HELLO", "2", "foo"},
		{"HELLO", "2", "AUTH", "a"},
		{"HELLO", "2", "AUTH", "nouser", "pass"},
		{"HELLO", "2", "SETNAME", "a b"},
		{"HELLO", "2", "SETNAME"},
		{"AUTH", "x"},
		{"AUTH", "a", "b"},
		{"AUTH", "a", "b", "c"},
		{"AUTH", "default", "anything"},
		{"AUTH"},
	} {
		h.Do(t, cmd...)
	}
	h.DoNorm(t, normID, "HELLO")
	h.DoNorm(t, normID, "HELLO", "2", "AUTH", "default", "x", "SETNAME", "conn1")
	h.Do(t, "CLIENT", "GETNAME")
	h.DoNorm(t, normID, "HELLO", "3")
	h.Do(t, "DEBUG", "PROTOCOL", "attrib")
	h.Do(t, "DEBUG", "PROTOCOL", "push")
	h.Do(t, "DEBUG", "PROTOCOL", "map")
	h.Do(t, "DEBUG", "PROTOCOL", "set")
	h.Do(t, "DEBUG", "PROTOCOL", "double")
	h.Do(t, "DEBUG", "PROTOCOL", "bignum")
	h.Do(t, "DEBUG", "PROTOCOL", "true")
	h.Do(t, "DEBUG", "PROTOCOL", "null")
	h.Do(t, "DEBUG", "PROTOCOL", "verbatim")
	h.Do(t, "CONFIG", "GET", "maxmemory")
	h.Do(t, "CLIENT", "GETNAME")
	h.Do(t, "RESET")
	h.Do(t, "CLIENT", "GETNAME")
	h.Do(t, "DEBUG", "PROTOCOL", "map")
}

// TestDiffRequirePass checks authentication with requirepass (acl.c
// authCommand, server.c's NOAUTH checks).
func TestDiffRequirePass(t *testing.T) {
	h := Start(t, "--requirepass", "s3cret")
	for _, cmd := range [][]string{
		{"PING"},
		{"GET", "x"},
		{"HELLO", "3"},
		{"AUTH", "wrong"},
		{"AUTH", "default", "wrong"},
		{"AUTH", "nouser", "s3cret"},
		{"HELLO", "3", "AUTH", "default", "wrong"},
		{"PING"},
		{"AUTH", "s3cret"},
		{"PING"},
		{"AUTH", "default", "s3cret"},
		{"AUTH", "wrong"},
		{"PING"}, // a failed AUTH does not log the client out
		{"RESET"},
		{"PING"},
	} {
		h.Do(t, cmd...)
	}
	h.DoNorm(t, normID, "HELLO", "2", "AUTH", "default", "s3cret")
	h.Do(t, "PING")
}

// TestDiffIntrospectionErrors checks the error replies and the
// deterministic replies of SLOWLOG, LATENCY, MEMORY, DEBUG, SHUTDOWN,
// INFO and friends.
func TestDiffIntrospectionErrors(t *testing.T) {
	h := Start(t)
	for _, cmd := range [][]string{
		{"SLOWLOG", "GET", "-2"},
		{"SLOWLOG", "GET", "abc"},
		{"SLOWLOG", "GET", "1", "2"},
		{"SLOWLOG", "LEN", "x"},
		{"SLOWLOG", "RESET"},
		{"SLOWLOG", "LEN"},
		{"SLOWLOG", "NOSUCH"},
		{"SLOWLOG", "HELP"},
		{"LATENCY", "HELP"},
		{"LATENCY", "HELP", "xxx"},
		{"LATENCY", "HISTORY", "nosuchevent"},
		{"LATENCY", "GRAPH", "nosuchevent"},
		{"LATENCY", "RESET", "nosuchevent"},
		{"LATENCY", "RESET"},
		{"LATENCY", "LATEST"},
		{"LATENCY", "HISTOGRAM", "nosuchcommand"},
		{"LATENCY", "NOSUCH"},
		{"MEMORY", "HELP"},
		{"MEMORY", "USAGE", "nokey"},
		{"MEMORY", "USAGE", "k", "SAMPLES"},
		{"MEMORY", "USAGE", "k", "SAMPLES", "abc"},
		{"MEMORY", "USAGE", "k", "SAMPLES", "-1"},
		{"MEMORY", "USAGE", "k", "foo"},
		{"MEMORY", "NOSUCH"},
		{"MONITOR", "x"},
		{"TIME", "x"},
		{"LASTSAVE", "x"},
		{"SHUTDOWN", "foo"},
		{"SHUTDOWN", "NOSAVE", "SAVE"},
		{"SHUTDOWN", "ABORT", "NOW"},
		{"INFO", "nosuchsection"},
		{"INFO", "nosuchsection", "other"},
		{"PING", "a", "b"},
		{"ECHO"},
		{"SELECT", "x"},
		{"SELECT", "16"},
		{"RESET", "x"},
		{"DEBUG"},
		{"DEBUG", "NOSUCH"},
		{"DEBUG", "HELP"},
		{"DEBUG", "OBJECT", "nokey"},
		{"DEBUG", "SDSLEN", "nokey"},
		{"DEBUG", "LISTPACK", "nokey"},
		{"DEBUG", "ERROR", "MYERR something failed"},
		{"DEBUG", "SLEEP", "0"},
		{"DEBUG", "SET-ACTIVE-EXPIRE", "1"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5g"},
		{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"},
		{"DEBUG", "POPULATE", "-1"},
		{"DEBUG", "POPULATE", "abc"},
		{"DEBUG", "POPULATE", "2", "x", "-5"},
		{"DEBUG", "PROTOCOL", "nosuchtype"},
		{"DEBUG", "PROTOCOL", "push"},
		{"DEBUG", "PROTOCOL", "attrib"},
		{"DEBUG", "PROTOCOL", "map"},
		{"DEBUG", "PROTOCOL", "double"},
		{"DEBUG", "PROTOCOL", "verbatim"},
	} {
		h.Do(t, cmd...)
	}
	// DEBUG ERROR replies are not errors for INFO errorstats.
	h.Do(t, "CONFIG", "RESETSTAT")
	h.Do(t, "DEBUG", "ERROR", "X")
	h.Do(t, "INFO", "errorstats")
}

// TestDiffDebugData checks DEBUG POPULATE, DIGEST, DIGEST-VALUE and the
// data-dependent parts of DEBUG OBJECT, INFO keyspace and DBSIZE.
func TestDiffDebugData(t *testing.T) {
	h := Start(t)
	h.Do(t, "DEBUG", "DIGEST")
	h.Do(t, "SET", "int", "12345")
	h.Do(t, "SET", "small", "hello")
	h.Do(t, "SET", "big", strings.Repeat("x", 100))
	h.Do(t, "DEBUG", "POPULATE", "100")
	h.Do(t, "DEBUG", "POPULATE", "10", "p", "3")
	h.Do(t, "DEBUG", "POPULATE", "10", "q", "20")
	h.Do(t, "DEBUG", "POPULATE", "10") // existing keys are kept
	h.Do(t, "GET", "key:7")
	h.Do(t, "GET", "p:3")
	h.Do(t, "GET", "q:9")
	h.Do(t, "DEBUG", "DIGEST")
	h.Do(t, "DEBUG", "DIGEST-VALUE", "int", "small", "big", "nokey")
	h.Do(t, "DEBUG", "DIGEST-VALUE")
	h.Do(t, "SELECT", "3")
	h.Do(t, "SET", "other", "1")
	h.Do(t, "DEBUG", "DIGEST")
	h.Do(t, "SELECT", "0")
	h.Do(t, "INFO", "keyspace")
	// DEBUG OBJECT: everything but the address and the LRU clock, for
	// strings Redis does not LZF-compress (20 bytes or less).
	addr := regexp.MustCompile(`Value at:0x[0-9a-f]+ | lru:\d+ lru_seconds_idle:\d+`)
	norm := func(b []byte) []byte { return addr.ReplaceAll(b, nil) }
	for _, k := range []string{"int", "small", "key:1", "p:1", "q:1"} {
		h.DoNorm(t, norm, "DEBUG", "OBJECT", k)
	}
}

// TestDiffInfoLayout checks that INFO has Redis's sections and field
// names, in Redis's order (values differ between any two servers).
func TestDiffInfoLayout(t *testing.T) {
	h := Start(t)
	names := func(b []byte) []byte {
		var out []byte
		for _, line := range bytes.Split(b, []byte("\r\n")) {
			if k, _, ok := bytes.Cut(line, []byte(":")); ok && !bytes.HasPrefix(line, []byte("$")) {
				out = append(out, k...)
				out = append(out, '\n')
			} else if bytes.HasPrefix(line, []byte("#")) {
				out = append(out, line...)
				out = append(out, '\n')
			}
		}
		return out
	}
	for _, args := range [][]string{
		{"INFO"},
		{"INFO", "server"},
		{"INFO", "clients"},
		{"INFO", "memory"},
		{"INFO", "persistence"},
		{"INFO", "stats"},
		{"INFO", "replication"},
		{"INFO", "cpu"},
		{"INFO", "modules"},
		{"INFO", "errorstats"},
		{"INFO", "cluster"},
		{"INFO", "keyspace"},
		{"INFO", "CPU", "Cluster"},
		{"INFO", "default"},
	} {
		h.DoNorm(t, names, args...)
	}
}
