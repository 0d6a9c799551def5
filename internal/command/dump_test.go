package command_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of DUMP, RESTORE, FUNCTION DUMP and FUNCTION RESTORE
// (dump.go). Expected replies follow Redis 7.0.15's cluster.c
// restoreCommand and functions.c functionRestoreCommand and were checked
// against redis-server 7.0.15; tests/diff/dump_test.go crosses payloads
// between the two servers.

func (k *ksConn) dump(key string) string {
	k.t.Helper()
	v, err := k.rdb.Dump(context.Background(), key).Result()
	if err != nil {
		k.t.Fatalf("DUMP %s: %v", key, err)
	}
	return v
}

func TestDumpRestoreRoundTrip(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET s hello
		OK <- SET n 12345
		4 <- RPUSH l a b 1 -2
		3 <- SADD st 1 2 3
		2 <- SADD sh x y
		2 <- HSET h f v g 1
		2 <- ZADD z 1 a 2.5 b
	`)
	for _, key := range []string{"s", "n", "l", "st", "sh", "h", "z"} {
		p := k.dump(key)
		k.want("OK", "RESTORE", key+"2", "0", p)
		k.want(k.do("TYPE", key), "TYPE", key+"2")
		k.want(k.do("OBJECT", "ENCODING", key), "OBJECT", "ENCODING", key+"2")
		k.want(p, "DUMP", key+"2")
	}
	k.script(`
		[a b 1 -2] <- LRANGE l2 0 -1
		[1 2 3] <- SMEMBERS st2
		[f v g 1] <- HGETALL h2
		[a 1 b 2.5] <- ZRANGE z2 0 -1 WITHSCORES
		int <- OBJECT ENCODING n2
		(nil) <- DUMP nokey
	`)
}

func TestRestoreOptionsAndErrors(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "SET", "s", "v")
	p := k.dump("s")
	k.want("-BUSYKEY Target key name already exists.", "RESTORE", "s", "0", p)
	k.want("-ERR Invalid TTL value, must be >= 0", "RESTORE", "x", "-1", p)
	k.want("-ERR value is not an integer or out of range", "RESTORE", "x", "1.5", p)
	k.want("-ERR DUMP payload version or checksum are wrong", "RESTORE", "x", "0", "short")
	bad := []byte(p)
	bad[1] ^= 1
	k.want("-ERR DUMP payload version or checksum are wrong", "RESTORE", "x", "0", string(bad))
	k.want("-ERR Invalid IDLETIME value, must be >= 0", "RESTORE", "x", "0", p, "IDLETIME", "-1")
	k.want("-ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "x", "0", p, "FREQ", "256")
	k.want("-ERR syntax error", "RESTORE", "x", "0", p, "FREQ", "1", "IDLETIME", "1")
	k.want("-ERR syntax error", "RESTORE", "x", "0", p, "NOPE")
	// BUSYKEY is checked before the TTL and the payload.
	k.want("-BUSYKEY Target key name already exists.", "RESTORE", "s", "-1", "garbage")

	// A relative TTL, then an absolute one, then one already past.
	k.want("OK", "RESTORE", "t1", "5000", p)
	k.want("5000", "PTTL", "t1")
	k.want("OK", "RESTORE", "t2", "1700000009000", p, "ABSTTL")
	k.want("9000", "PTTL", "t2")
	k.want("OK", "RESTORE", "t3", "1000", p, "ABSTTL")
	k.want("0", "EXISTS", "t3")
	// REPLACE with a past TTL deletes the old key.
	k.want("OK", "RESTORE", "s", "1000", p, "ABSTTL", "REPLACE")
	k.want("0", "EXISTS", "s")
	k.advance(6 * time.Second)
	k.want("0", "EXISTS", "t1")
}

// Bad data with a correct footer is "Bad data format" (rdbLoadObject
// failing), and a restored big collection converts like Redis's.
func TestRestoreBadDataAndConversion(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "RESTORE", "x", "0", helloPayload)
	k.want("hello", "GET", "x")
	// Type 8 does not exist.
	k.want("-ERR Bad data format", "RESTORE", "y", "0", "\x08\x0a\x00"+crcOf("\x08\x0a\x00"))
	k.script(`
		2 <- HSET h a 1 b 2
		OK <- CONFIG SET hash-max-listpack-entries 1
	`)
	p := k.dump("h")
	k.want("OK", "RESTORE", "h2", "0", p)
	k.want("hashtable", "OBJECT", "ENCODING", "h2")
}

// helloPayload is DUMP of the string "hello".
var helloPayload = "\x00\x05hello\x0a\x00" + crcOf("\x00\x05hello\x0a\x00")

// crcOf returns the 8-byte little-endian CRC64 (Jones) of s.
func crcOf(s string) string {
	var crc uint64
	for i := 0; i < len(s); i++ {
		crc ^= uint64(s[i])
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0x95ac9329ac4bc9b5
			} else {
				crc >>= 1
			}
		}
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(crc >> (8 * i))
	}
	return string(b[:])
}

// unit/pubsub.tcl-style: RESTORE fires the generic "restore" event.
func TestRestoreNotification(t *testing.T) {
	s := servertest.Start(t, nil)
	sub, c := srvDial(t, s), srvDial(t, s)
	sub.send(t, "PSUBSCRIBE", "*")
	sub.read(t)
	c.expect(t, "+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Eg")
	c.expect(t, "+OK\r\n", "RESTORE", "k", "0", helloPayload)
	sub.expectRead(t, psPMsg("*", "__keyevent@0__:restore", "k"))
}

func TestFunctionDumpRestore(t *testing.T) {
	k := ksStart(t)
	lib := "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)"
	k.want("mylib", "FUNCTION", "LOAD", lib)
	p := k.dump0("FUNCTION", "DUMP")
	k.want("-ERR Library mylib already exists", "FUNCTION", "RESTORE", p)
	k.want("OK", "FUNCTION", "RESTORE", p, "REPLACE")
	k.want("OK", "FUNCTION", "FLUSH")
	k.want("OK", "FUNCTION", "RESTORE", p)
	k.want("1", "FCALL", "f1", "0")
	k.want("-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.", "FUNCTION", "RESTORE", p, "X")
	k.want("-ERR DUMP payload version or checksum are wrong", "FUNCTION", "RESTORE", "junk")
	body := "\x00\x01a\x0a\x00"
	k.want("-ERR given type is not a function", "FUNCTION", "RESTORE", body+crcOf(body))
	// A second library joins with APPEND; FLUSH replaces everything.
	other := "#!lua name=other\nredis.register_function('f2', function() return 2 end)"
	k.want("OK", "FUNCTION", "FLUSH")
	k.want("other", "FUNCTION", "LOAD", other)
	k.want("OK", "FUNCTION", "RESTORE", p, "APPEND")
	k.want("2", "FCALL", "f2", "0")
	k.want("OK", "FUNCTION", "RESTORE", p, "FLUSH")
	k.want("-ERR Function not found", "FCALL", "f2", "0")
	if empty := k.dump0("FUNCTION", "DUMP"); !bytes.Equal([]byte(empty), []byte(p)) {
		t.Fatalf("FUNCTION DUMP after FLUSH restore differs")
	}
}

func (k *ksConn) dump0(args ...string) string {
	k.t.Helper()
	return k.do(args...)
}

// RESTORE's IDLETIME sets the LRU idle time, FREQ the LFU counter under an
// LFU policy (objectSetLRUOrLFU; Redis's dump.tcl "RESTORE can set LRU/LFU").
func TestRestoreIdletimeAndFreq(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "SET", "s", "v")
	p := k.dump("s")
	k.want("OK", "RESTORE", "idle", "0", p, "IDLETIME", "1000")
	idle, err := k.rdb.ObjectIdleTime(context.Background(), "idle").Result()
	if err != nil || idle.Seconds() < 1000 || idle.Seconds() > 1010 {
		t.Fatalf("OBJECT IDLETIME after RESTORE IDLETIME 1000 = %v, %v", idle, err)
	}
	k.want("OK", "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	k.want("OK", "RESTORE", "freq", "0", p, "FREQ", "100")
	k.want("100", "OBJECT", "FREQ", "freq")
}
