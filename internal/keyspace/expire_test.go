package keyspace

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestExpireBoundary: a key is valid during the millisecond of its
// expire and stale after it (Redis's keyIsExpired in db.c and
// activeExpireCycleTryExpire in expire.c test now > when), for lookups,
// iteration and the active expire cycle alike.
func TestExpireBoundary(t *testing.T) {
	ks, clk := newTestKS(4)
	db := ks.DB(0)
	ks.LockAll()
	at := clk.ms + 10
	for i := 0; i < 100; i++ {
		db.SetString([]byte(fmt.Sprint("k", i)), []byte("v"), at, false)
	}
	clk.ms = at
	if _, ok := db.Peek([]byte("k0")); !ok {
		t.Fatal("key expired at its expire time")
	}
	n := 0
	db.ForEach(func([]byte, Entry) bool { n++; return true })
	if n != 100 {
		t.Fatalf("ForEach at the expire time saw %d keys", n)
	}
	ks.ReleaseAll()
	ks.ActiveExpireCycle(time.Second)
	ks.LockAll()
	if got := db.Len(); got != 100 {
		t.Fatalf("active expiry at the expire time left %d keys", got)
	}
	clk.ms++
	if _, ok := db.Peek([]byte("k0")); ok {
		t.Fatal("stale key served")
	}
	ks.ReleaseAll()
	for i := 0; i < 100 && lockedLen(ks, db) > 0; i++ {
		ks.ActiveExpireCycle(time.Second)
	}
	ks.LockAll()
	if got := db.Len(); got != 0 {
		t.Fatalf("active expiry left %d stale keys", got)
	}
	ks.ReleaseAll()
}

func lockedLen(ks *Keyspace, db *DB) int {
	ks.LockAll()
	defer ks.ReleaseAll()
	return db.Len()
}

// TestScanMatchAndStale: Scan passes only live keys that match, expires
// the stale keys that match and leaves the stale keys that do not
// (Redis's scanGenericCommand filters by pattern before expireIfNeeded).
func TestScanMatchAndStale(t *testing.T) {
	ks, clk := newTestKS(8)
	db := ks.DB(2)
	ks.LockAll()
	for i := 0; i < 300; i++ {
		ttl := NoExpire
		if i%3 != 0 {
			ttl = clk.ms + 5
		}
		prefix := "a:"
		if i%2 == 0 {
			prefix = "b:"
		}
		db.SetString([]byte(fmt.Sprint(prefix, i)), []byte("v"), ttl, false)
	}
	ks.ReleaseAll()
	clk.ms += 6
	seen := map[string]int{}
	match := func(k []byte) bool { return strings.HasPrefix(string(k), "a:") }
	for cursor := uint64(0); ; {
		cursor = db.Scan(cursor, 7, match, func(k []byte, e Entry) { seen[string(k)]++ })
		if cursor == 0 {
			break
		}
	}
	want := 0
	for i := 0; i < 300; i++ {
		k := fmt.Sprint("a:", i)
		live := i%2 == 1 && i%3 == 0
		if live {
			want++
		}
		if live != (seen[k] == 1) {
			t.Fatalf("%s: seen %d times, live %v", k, seen[k], live)
		}
	}
	if len(seen) != want {
		t.Fatalf("Scan returned %d keys, want %d", len(seen), want)
	}
	ks.LockAll()
	defer ks.ReleaseAll()
	// Left: 50 live a:, 50 live b:, 100 stale b: (not matched, not expired).
	if got := db.Len(); got != 200 {
		t.Fatalf("Len after Scan = %d, want 200", got)
	}
}

// TestRandomKeyManyStale: RandomKey finds the one live key among many
// stale ones (Redis's dbRandomKey retries until a draw is live).
func TestRandomKeyManyStale(t *testing.T) {
	ks, clk := newTestKS(4)
	db := ks.DB(0)
	ks.LockAll()
	defer ks.ReleaseAll()
	for i := 0; i < 2000; i++ {
		db.SetString([]byte(fmt.Sprint("stale:", i)), []byte("v"), clk.ms+1, false)
	}
	db.SetString([]byte("live"), []byte("v"), NoExpire, false)
	clk.ms += 2
	if k := db.RandomKey(); string(k) != "live" {
		t.Fatalf("RandomKey = %q", k)
	}
	db.Delete([]byte("live"))
	if k := db.RandomKey(); k != nil {
		t.Fatalf("RandomKey = %q, want nil", k)
	}
	if db.Len() != 0 {
		t.Fatalf("Len = %d after RandomKey met only stale keys", db.Len())
	}
}

// TestScanLocked: ScanLocked, for callers holding every shard (SCAN in
// MULTI/EXEC), walks the same keys without taking locks.
func TestScanLocked(t *testing.T) {
	ks, _ := newTestKS(8)
	db := ks.DB(0)
	ks.LockAll()
	defer ks.ReleaseAll()
	for i := 0; i < 500; i++ {
		db.SetString([]byte(fmt.Sprint("k", i)), []byte("v"), NoExpire, false)
	}
	seen := map[string]bool{}
	for cursor := uint64(0); ; {
		cursor = db.ScanLocked(cursor, 10, nil, func(k []byte, _ Entry) { seen[string(k)] = true })
		if cursor == 0 {
			break
		}
	}
	if len(seen) != 500 {
		t.Fatalf("ScanLocked saw %d keys", len(seen))
	}
}
