package command_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// HyperLogLog command tests. Expected replies are redis-server 7.0.15's
// (hyperloglog.c; tests/unit/hyperloglog.tcl).

func hllClient(t *testing.T, args ...string) *redis.Client {
	t.Helper()
	s := servertest.Start(t, args)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestPFAddCountBasics(t *testing.T) {
	ctx := context.Background()
	rdb := hllClient(t)
	// hyperloglog.tcl "PFADD without arguments creates an HLL value".
	if n := rdb.PFAdd(ctx, "hll").Val(); n != 1 {
		t.Fatalf("PFADD empty = %d", n)
	}
	if v := rdb.Get(ctx, "hll").Val(); v != "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff" {
		t.Fatalf("empty HLL = %q", v)
	}
	if n := rdb.PFAdd(ctx, "hll", "a", "b", "c").Val(); n != 1 {
		t.Fatalf("PFADD = %d", n)
	}
	if n := rdb.PFAdd(ctx, "hll", "a").Val(); n != 0 {
		t.Fatalf("PFADD existing = %d", n)
	}
	// "PFADD / PFCOUNT cache works": the MSB of byte 15 marks a stale cache.
	if v := rdb.GetRange(ctx, "hll", 15, 15).Val(); v != "\x80" {
		t.Fatalf("cache byte after PFADD = %q", v)
	}
	if n := rdb.PFCount(ctx, "hll").Val(); n != 3 {
		t.Fatalf("PFCOUNT = %d", n)
	}
	if v := rdb.GetRange(ctx, "hll", 8, 15).Val(); v != "\x03\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("cached card = %q", v)
	}
	if n := rdb.PFCount(ctx, "nokey").Val(); n != 0 {
		t.Fatalf("PFCOUNT nokey = %d", n)
	}
	if v := rdb.Do(ctx, "PFDEBUG", "DECODE", "hll").Val(); v != "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603" {
		t.Fatalf("DECODE = %q", v)
	}
	if v := rdb.Do(ctx, "OBJECT", "ENCODING", "hll").Val(); v != "raw" {
		t.Fatalf("encoding = %v", v)
	}
}

func TestPFErrors(t *testing.T) {
	ctx := context.Background()
	rdb := hllClient(t)
	rdb.Set(ctx, "str", "hello", 0)
	rdb.RPush(ctx, "lst", "a")
	rdb.PFAdd(ctx, "h", "a")
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{"PFADD", "str", "a"}, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{[]any{"PFCOUNT", "str"}, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{[]any{"PFCOUNT", "h", "str"}, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{[]any{"PFMERGE", "h", "str"}, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{[]any{"PFMERGE", "str", "h"}, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{[]any{"PFADD", "lst", "a"}, "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]any{"PFDEBUG", "ENCODING", "nokey"}, "ERR The specified key does not exist"},
		{[]any{"PFDEBUG", "FOO", "h"}, "ERR Unknown PFDEBUG subcommand 'FOO'"},
	} {
		err := rdb.Do(ctx, c.args...).Err()
		if err == nil || err.Error() != c.want {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
	// "Corrupted sparse HyperLogLogs are detected: Additional at tail".
	rdb.Append(ctx, "h", "hello")
	if err := rdb.PFCount(ctx, "h").Err(); err == nil || err.Error() != "INVALIDOBJ Corrupted HLL object detected" {
		t.Fatalf("corrupted PFCOUNT err %v", err)
	}
	rdb.PFAdd(ctx, "d", "a")
	rdb.Do(ctx, "PFDEBUG", "TODENSE", "d")
	if v := rdb.Do(ctx, "PFDEBUG", "DECODE", "d").Err(); v == nil || v.Error() != "ERR HLL encoding is not sparse" {
		t.Fatalf("DECODE dense err %v", v)
	}
}

func TestPFMergeAndPromotion(t *testing.T) {
	ctx := context.Background()
	rdb := hllClient(t, "--hll-sparse-max-bytes", "200")
	var a, b []any
	for i := 0; i < 500; i++ {
		a = append(a, "a"+strconv.Itoa(i))
		b = append(b, "b"+strconv.Itoa(i))
	}
	rdb.PFAdd(ctx, "ha", a...)
	rdb.PFAdd(ctx, "hb", b...)
	if v := rdb.Do(ctx, "PFDEBUG", "ENCODING", "ha").Val(); v != "dense" {
		t.Fatalf("ha encoding %v (sparse max 200)", v)
	}
	if n := rdb.StrLen(ctx, "ha").Val(); n != 12304 {
		t.Fatalf("dense length %d", n)
	}
	if err := rdb.PFMerge(ctx, "hc", "ha", "hb").Err(); err != nil {
		t.Fatal(err)
	}
	u := rdb.PFCount(ctx, "ha", "hb").Val()
	if c := rdb.PFCount(ctx, "hc").Val(); c != u || c < 950 || c > 1050 {
		t.Fatalf("merged %d, union %d", c, u)
	}
	regs := rdb.Do(ctx, "PFDEBUG", "GETREG", "hc").Val().([]any)
	if len(regs) != 16384 {
		t.Fatalf("GETREG len %d", len(regs))
	}
	rdb.PFAdd(ctx, "s", "x")
	if n := rdb.Do(ctx, "PFDEBUG", "TODENSE", "s").Val(); n != int64(1) {
		t.Fatalf("TODENSE = %v", n)
	}
	if n := rdb.Do(ctx, "PFDEBUG", "TODENSE", "s").Val(); n != int64(0) {
		t.Fatalf("TODENSE again = %v", n)
	}
}

func TestPFSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("PFSELFTEST adds ten million elements")
	}
	s := servertest.Start(t, nil)
	// Ten million adds take seconds under -race on a loaded machine: no
	// 3 s read timeout, and no retry (it would start over).
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true, ReadTimeout: 5 * time.Minute, MaxRetries: -1})
	defer rdb.Close()
	if err := rdb.Do(context.Background(), "PFSELFTEST").Err(); err != nil {
		t.Fatal(err)
	}
}
