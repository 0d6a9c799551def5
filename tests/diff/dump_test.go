package diff

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of DUMP, RESTORE, FUNCTION DUMP and FUNCTION RESTORE
// (Redis 7.0.15's cluster.c dumpCommand/restoreCommand and functions.c).
// Payloads cross between the servers: what real Redis dumps Cinnabar must
// restore, and the other way round, with equal contents and encodings.

// bulkBody returns the payload of a raw bulk-string reply.
func bulkBody(t *testing.T, raw []byte) string {
	t.Helper()
	if len(raw) == 0 || raw[0] != '$' {
		t.Fatalf("not a bulk reply: %q", raw)
	}
	i := bytes.IndexByte(raw, '\n')
	return string(raw[i+1 : len(raw)-2])
}

// sortedElems normalises a flat array reply of bulk strings by sorting its
// elements (or, with pairs, its consecutive pairs).
func sortedElems(pairs bool) func([]byte) []byte {
	return func(raw []byte) []byte {
		lines := strings.Split(string(raw), "\r\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "*") {
			return raw
		}
		var elems []string
		step := 2
		if pairs {
			step = 4
		}
		body := lines[1 : len(lines)-1]
		for i := 0; i+step <= len(body); i += step {
			elems = append(elems, strings.Join(body[i:i+step], "\r\n"))
		}
		slices.Sort(elems)
		return []byte(lines[0] + "\r\n" + strings.Join(elems, "\r\n"))
	}
}

// fillAllTypes writes the same keys, in every encoding, to both servers.
func fillAllTypes(t *testing.T, h *Harness) []string {
	h.Both(t, "FLUSHALL")
	h.Do(t, "SET", "str:short", "hello")
	h.Do(t, "SET", "str:int", "12345")
	h.Do(t, "SET", "str:bigint", "-5000000000")
	h.Do(t, "SET", "str:long", strings.Repeat("compressible ", 40))
	h.Do(t, "SET", "str:empty", "")
	h.Do(t, "RPUSH", "list:small", "a", "b", "1", "-70000", "5000000000", "hello world")
	big := []string{"RPUSH", "list:big"}
	for i := range 1000 {
		big = append(big, "e"+strconv.Itoa(i%13)+strings.Repeat("x", i%50))
	}
	h.Do(t, big...)
	h.Do(t, "SADD", "set:intset", "1", "2", "3", "-100000", "9000000000")
	ms := []string{"SADD", "set:ht"}
	for i := range 300 {
		ms = append(ms, "m"+strconv.Itoa(i))
	}
	h.Do(t, ms...)
	is := []string{"SADD", "set:bigintset"}
	for i := range 700 {
		is = append(is, strconv.Itoa(i*3))
	}
	h.Do(t, is...)
	h.Do(t, "HSET", "hash:lp", "f1", "v1", "f2", "22", "f3", "-3")
	hs := []string{"HSET", "hash:ht"}
	for i := range 300 {
		hs = append(hs, "f"+strconv.Itoa(i), strings.Repeat("v", i%80))
	}
	h.Do(t, hs...)
	h.Do(t, "HSET", "hash:longval", "f", strings.Repeat("y", 100))
	h.Do(t, "ZADD", "zset:lp", "1", "a", "2.5", "b", "-3", "c", "1e20", "d", "inf", "e", "0.1", "f", "-inf", "g")
	zs := []string{"ZADD", "zset:sl"}
	for i := range 300 {
		zs = append(zs, strconv.FormatFloat(float64(i)/7, 'g', -1, 64), "m"+strconv.Itoa(i))
	}
	h.Do(t, zs...)
	return []string{"str:short", "str:int", "str:bigint", "str:long", "str:empty", "list:small", "list:big",
		"set:intset", "set:ht", "set:bigintset", "hash:lp", "hash:ht", "hash:longval", "zset:lp", "zset:sl"}
}

// compareKey compares a key's type, encoding and contents on both servers.
func compareKey(t *testing.T, h *Harness, k string) {
	t.Helper()
	typ := bulkOrStatus(h.Do(t, "TYPE", k))
	h.Do(t, "OBJECT", "ENCODING", k)
	h.DoNorm(t, ttlSign, "PTTL", k)
	switch typ {
	case "string":
		h.Do(t, "GET", k)
	case "list":
		h.Do(t, "LRANGE", k, "0", "-1")
	case "set":
		h.DoNorm(t, sortedElems(false), "SMEMBERS", k)
	case "hash":
		h.DoNorm(t, sortedElems(true), "HGETALL", k)
	case "zset":
		h.Do(t, "ZRANGE", k, "0", "-1", "WITHSCORES")
	default:
		t.Errorf("%s: unexpected type %q", k, typ)
	}
}

// ttlSign reduces a PTTL reply to its sign: the servers' clocks differ by
// the milliseconds between the two commands.
func ttlSign(raw []byte) []byte {
	if len(raw) > 1 && raw[0] == ':' && raw[1] != '-' && raw[1] != '0' {
		return []byte(":positive")
	}
	return raw
}

func bulkOrStatus(raw []byte) string {
	return strings.TrimSuffix(strings.TrimPrefix(string(raw), "+"), "\r\n")
}

func TestDumpRestoreCrossServers(t *testing.T) {
	h := Start(t)
	keys := fillAllTypes(t, h)
	for _, k := range keys {
		rp := bulkBody(t, h.Redis.Send(t, Encode(nil, "DUMP", k), 1)[0])
		cp := bulkBody(t, h.Cinnabar.Send(t, Encode(nil, "DUMP", k), 1)[0])
		// Redis's payload into Cinnabar, Cinnabar's into Redis, under the
		// same new name, so that both servers then hold the same key.
		if r := h.Cinnabar.Send(t, Encode(nil, "RESTORE", k+":copy", "0", rp), 1)[0]; string(r) != "+OK\r\n" {
			t.Errorf("cinnabar RESTORE of redis's %s: %q", k, r)
		}
		if r := h.Redis.Send(t, Encode(nil, "RESTORE", k+":copy", "0", cp), 1)[0]; string(r) != "+OK\r\n" {
			t.Errorf("redis RESTORE of cinnabar's %s: %q", k, r)
		}
		compareKey(t, h, k+":copy")
		// And with a TTL and REPLACE.
		h.Do(t, "RESTORE", k+":copy", "100000", rp, "REPLACE")
		compareKey(t, h, k+":copy")
	}
	// Payloads are byte-identical (LZF included) where the layout is not
	// an accident of history: strings and small (listpack/intset) values.
	// A quicklist's node split and a hashtable's order may differ.
	for _, k := range []string{"str:short", "str:int", "str:bigint", "str:long", "str:empty", "list:small",
		"set:intset", "hash:lp", "hash:longval", "zset:lp"} {
		h.Do(t, "DUMP", k)
	}
}

// Restored collections convert at the configured thresholds.
func TestRestoreFollowsConfig(t *testing.T) {
	h := Start(t)
	fillAllTypes(t, h)
	for _, k := range []string{"hash:lp", "zset:lp", "set:intset", "list:small"} {
		p := bulkBody(t, h.Redis.Send(t, Encode(nil, "DUMP", k), 1)[0])
		h.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "1")
		h.Do(t, "CONFIG", "SET", "zset-max-listpack-entries", "1")
		h.Do(t, "CONFIG", "SET", "set-max-intset-entries", "1")
		h.Do(t, "RESTORE", k+":small", "0", p)
		compareKey(t, h, k+":small")
		h.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "128")
		h.Do(t, "CONFIG", "SET", "zset-max-listpack-entries", "128")
		h.Do(t, "CONFIG", "SET", "set-max-intset-entries", "512")
	}
}

// A loaded listpack converts only on its entry count, not on the length
// of its values (rdbLoadObject); a plain-encoded hash checks both.
func TestRestoreListpackValueLimit(t *testing.T) {
	h := Start(t)
	fillAllTypes(t, h)
	h.Do(t, "HSET", "hash:plain", "f", "0123456789")
	h.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "0")
	h.Do(t, "HSET", "hash:plain2", "f", "0123456789")
	h.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "128")
	for _, k := range []string{"hash:lp", "zset:lp", "hash:plain", "hash:plain2"} {
		p := bulkBody(t, h.Redis.Send(t, Encode(nil, "DUMP", k), 1)[0])
		h.Do(t, "CONFIG", "SET", "hash-max-listpack-value", "1")
		h.Do(t, "CONFIG", "SET", "zset-max-listpack-value", "1")
		h.Do(t, "RESTORE", k+":v", "0", p)
		compareKey(t, h, k+":v")
		h.Do(t, "CONFIG", "SET", "hash-max-listpack-value", "64")
		h.Do(t, "CONFIG", "SET", "zset-max-listpack-value", "64")
	}
}

func TestRestoreErrors(t *testing.T) {
	h := Start(t)
	fillAllTypes(t, h)
	p := bulkBody(t, h.Do(t, "DUMP", "list:small"))
	flipped := []byte(p)
	flipped[3] ^= 1
	newer := []byte(p)
	newer[len(p)-10] = 11
	cases := [][]string{
		{"DUMP", "nokey"},
		{"RESTORE", "str:short", "0", p},
		{"RESTORE", "new", "-1", p},
		{"RESTORE", "new", "abc", p},
		{"RESTORE", "new", "0", "short"},
		{"RESTORE", "new", "0", string(flipped)},
		{"RESTORE", "new", "0", string(newer)},
		{"RESTORE", "new", "0", "\x00\x05abc" + "\x0a\x00" + "12345678"},
		{"RESTORE", "new", "0", p, "IDLETIME", "-1"},
		{"RESTORE", "new", "0", p, "IDLETIME", "x"},
		{"RESTORE", "new", "0", p, "IDLETIME"},
		{"RESTORE", "new", "0", p, "FREQ", "256"},
		{"RESTORE", "new", "0", p, "FREQ", "-1"},
		{"RESTORE", "new", "0", p, "FREQ", "1", "IDLETIME", "1"},
		{"RESTORE", "new", "0", p, "IDLETIME", "1", "FREQ", "1"},
		{"RESTORE", "new", "0", p, "BOGUS"},
		{"RESTORE", "new", "0", p, "REPLACE", "ABSTTL", "FREQ", "5"},
		{"EXISTS", "new"},
		{"RESTORE", "new2", "1", p, "ABSTTL"},
		{"EXISTS", "new2"},
		{"RESTORE", "str:short", "1", p, "ABSTTL", "REPLACE"},
		{"EXISTS", "str:short"},
		{"RESTORE", "str:int", "0", p, "REPLACE"},
		{"TYPE", "str:int"},
		{"RESTORE", "x", "0"},
		{"DUMP"},
	}
	// A value whose checksum is right but whose data is not.
	for _, bad := range []string{"\x12\x05", "\x01\x00", "\x08", "\x0b\x03abc"} {
		cases = append(cases, []string{"RESTORE", "bad", "0", withFooter(bad)})
	}
	for _, c := range cases {
		h.Do(t, c...)
	}
}

// withFooter frames v as a DUMP payload (RDB version 10 + CRC64), using
// Redis itself-free arithmetic: the CRC is computed here with the Jones
// polynomial as in Redis's crc64.c.
func withFooter(v string) string {
	b := append([]byte(v), 10, 0)
	var crc uint64
	for _, c := range b {
		crc ^= uint64(c)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0x95ac9329ac4bc9b5
			} else {
				crc >>= 1
			}
		}
	}
	for i := range 8 {
		b = append(b, byte(crc>>(8*i)))
	}
	return string(b)
}

func TestFunctionDumpRestore(t *testing.T) {
	h := Start(t)
	lib1 := "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"
	lib2 := "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() return 2 end, flags={'no-writes'}}"
	h.Do(t, "FUNCTION", "LOAD", lib1)
	rp := bulkBody(t, h.Redis.Send(t, Encode(nil, "FUNCTION", "DUMP"), 1)[0])
	cp := bulkBody(t, h.Cinnabar.Send(t, Encode(nil, "FUNCTION", "DUMP"), 1)[0])
	if rp != cp {
		t.Errorf("FUNCTION DUMP of one library differs:\n redis %q\n ours  %q", rp, cp)
	}
	h.Do(t, "FUNCTION", "RESTORE", rp) // library exists
	h.Do(t, "FUNCTION", "RESTORE", rp, "APPEND")
	h.Do(t, "FUNCTION", "RESTORE", rp, "REPLACE")
	h.Do(t, "FUNCTION", "RESTORE", rp, "FLUSH")
	h.Do(t, "FUNCTION", "RESTORE", rp, "BAD")
	h.Do(t, "FUNCTION", "RESTORE", rp, "FLUSH", "extra")
	h.Do(t, "FUNCTION", "RESTORE", "garbage")
	h.Do(t, "FUNCTION", "RESTORE", withFooter("\x00\x01a"))
	h.Do(t, "FUNCTION", "RESTORE", withFooter("\xf5\x05abc"))
	h.Do(t, "FUNCTION", "RESTORE", withFooter("\xf5\x05#!lua"))
	h.Do(t, "FCALL", "f1", "0")

	// Cross: Redis's two-library dump into Cinnabar and back.
	h.Do(t, "FUNCTION", "LOAD", lib2)
	rp = bulkBody(t, h.Redis.Send(t, Encode(nil, "FUNCTION", "DUMP"), 1)[0])
	cp = bulkBody(t, h.Cinnabar.Send(t, Encode(nil, "FUNCTION", "DUMP"), 1)[0])
	h.Do(t, "FUNCTION", "FLUSH")
	h.Cinnabar.Send(t, Encode(nil, "FUNCTION", "RESTORE", rp), 1)
	h.Redis.Send(t, Encode(nil, "FUNCTION", "RESTORE", cp), 1)
	h.Do(t, "FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib1")
	h.Do(t, "FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib2")
	h.Do(t, "FCALL", "f2", "0")
	h.Do(t, "FUNCTION", "DELETE", "lib1")
	h.Do(t, "FUNCTION", "RESTORE", rp, "APPEND") // lib2 exists
	h.Do(t, "FUNCTION", "LIST", "LIBRARYNAME", "lib1")
}
