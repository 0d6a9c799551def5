package diff

import (
	"bytes"
	"net"
	"testing"
)

// Differential tests of MIGRATE (Redis 7.0.15's cluster.c migrateCommand):
// the real redis-server and Cinnabar migrate keys to each other, so each
// ends up holding what the other sent, and their replies -- including the
// errors the other side's target sends back -- must be equal.

// crossMigrate sends MIGRATE <other server> args... to each server, where
// the other server is the target, and compares the replies.
func crossMigrate(t *testing.T, h *Harness, args ...string) []byte {
	t.Helper()
	rh, rp, _ := net.SplitHostPort(h.Redis.Addr)
	ch, cp, _ := net.SplitHostPort(h.Cinnabar.Addr)
	want := h.Redis.Send(t, Encode(nil, append([]string{"MIGRATE", ch, cp}, args...)...), 1)[0]
	got := h.Cinnabar.Send(t, Encode(nil, append([]string{"MIGRATE", rh, rp}, args...)...), 1)[0]
	if !bytes.Equal(want, got) {
		t.Errorf("MIGRATE <other> %q:\n redis:    %q\n cinnabar: %q", args, want, got)
	}
	return want
}

func TestMigrateCrossServers(t *testing.T) {
	h := Start(t)
	keys := fillAllTypes(t, h)
	h.Do(t, "SET", "str:ttl", "v", "PX", "100000")
	keys = append(keys, "str:ttl")
	// Every key to the other server's database 5, in one MIGRATE.
	if r := crossMigrate(t, h, append([]string{"", "5", "5000", "KEYS", "nokey"}, keys...)...); string(r) != "+OK\r\n" {
		t.Fatalf("MIGRATE KEYS: %q", r)
	}
	h.Do(t, "DBSIZE")
	h.Do(t, "SELECT", "5")
	for _, k := range keys {
		compareKey(t, h, k)
	}
	// Back again, one key at a time, to database 0: COPY keeps the source,
	// a key the target has is BUSYKEY (the target's error relayed) unless
	// REPLACE.
	crossMigrate(t, h, "str:short", "0", "5000", "COPY")
	h.Do(t, "EXISTS", "str:short")
	h.Do(t, "SET", "str:short", "changed")
	crossMigrate(t, h, "str:short", "0", "5000", "COPY")
	crossMigrate(t, h, "str:short", "0", "5000", "REPLACE")
	h.Do(t, "EXISTS", "str:short")
	h.Do(t, "SELECT", "0")
	h.Do(t, "GET", "str:short")
	h.Do(t, "SELECT", "5")
	for _, args := range [][]string{
		{"nokey", "0", "5000"},
		{"", "0", "5000", "KEYS", "nokey1", "nokey2"},
		{"list:small", "0", "5000", "KEYS", "a"},
		{"list:small", "0", "5000", "AUTH"},
		{"list:small", "0", "5000", "AUTH2", "u"},
		{"list:small", "0", "5000", "COPY", "BOGUS"},
		{"list:small", "x", "5000"},
		{"list:small", "0", "x"},
		{"list:small", "99", "5000"},
		{"list:small", "0", "5000", "AUTH", "pw"},
		{"list:small", "0", "5000", "AUTH2", "user", "pw"},
	} {
		crossMigrate(t, h, args...)
	}
	h.Do(t, "EXISTS", "list:small")
	// A target that cannot be reached (the same address for both).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	h.Do(t, "MIGRATE", "127.0.0.1", closed, "list:small", "0", "1000")
	h.Do(t, "MIGRATE", "nonexistent.invalid", closed, "list:small", "0", "1000")
	h.Do(t, "EXISTS", "list:small")
}
