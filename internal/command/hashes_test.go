package command_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Hash command tests, in the script format of zsets_test.go ("COMMAND args
// => reply"). Expected replies are redis-server 7.0.15's (t_hash.c);
// CINNABAR_ZSET_REFERENCE=host:port runs the scripts against a real Redis.

// collStart is zsStart that also restores, on a reference server, the
// config parameters the collection tests change.
func collStart(t *testing.T, args ...string) *zsConn {
	t.Helper()
	zc := zsStart(t, args...)
	if zc.ref {
		t.Cleanup(func() {
			for _, kv := range [][2]string{
				{"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"},
				{"set-max-intset-entries", "512"}, {"list-max-listpack-size", "-2"},
			} {
				zc.do(t, "CONFIG", "SET", kv[0], kv[1])
			}
		})
	}
	return zc
}

// Source: hsetCommand, hsetnxCommand, hgetCommand, hmgetCommand, hdelCommand,
// genericHgetallCommand in t_hash.c; hash.tcl "HSET/HLEN - Small hash
// creation", "HMSET wrong number of args", "HDEL - hash becomes empty before
// deleting all specified fields", "Is a ziplist encoded Hash promoted on big
// payload?".
func TestHashBasics(t *testing.T) {
	collStart(t).run(t, `
HSET h a 1 b 2 => :2
HSET h a 10 c 3 => :1
HSET h a => -ERR wrong number of arguments for 'hset' command
HSET h => -ERR wrong number of arguments for 'hset' command
HMSET h a => -ERR wrong number of arguments for 'hmset' command
HMSET h d 4 => +OK
HGET h a => "10"
HGET h nope => (nil)
HGET nokey a => (nil)
HMGET h a nope b => ["10", (nil), "2"]
HMGET nokey a b => [(nil), (nil)]
HGETALL h => ["a", "10", "b", "2", "c", "3", "d", "4"]
HKEYS h => ["a", "b", "c", "d"]
HVALS h => ["10", "2", "3", "4"]
HGETALL nokey => []
HKEYS nokey => []
HLEN h => :4
HLEN nokey => :0
HSTRLEN h a => :2
HSTRLEN h nope => :0
HSTRLEN nokey a => :0
HEXISTS h a => :1
HEXISTS h nope => :0
HEXISTS nokey a => :0
HSETNX h a 99 => :0
HSETNX h e 5 => :1
HSETNX fresh f v => :1
HGET h a => "10"
HDEL h a nope => :1
HDEL nokey a => :0
HDEL h b c d e e => :4
EXISTS h => :0
HSET h "" "" => :1
HGET h "" => ""
HSTRLEN h "" => :0
OBJECT ENCODING h => "listpack"
SET str x => +OK
HSET str a 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
HGET str a => -WRONGTYPE Operation against a key holding the wrong kind of value
HMGET str a => -WRONGTYPE Operation against a key holding the wrong kind of value
HGETALL str => -WRONGTYPE Operation against a key holding the wrong kind of value
HDEL str a => -WRONGTYPE Operation against a key holding the wrong kind of value
HLEN str => -WRONGTYPE Operation against a key holding the wrong kind of value
HSTRLEN str a => -WRONGTYPE Operation against a key holding the wrong kind of value
HEXISTS str a => -WRONGTYPE Operation against a key holding the wrong kind of value
HSETNX str a 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
HINCRBY str a 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
HINCRBYFLOAT str a 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
HRANDFIELD str => -WRONGTYPE Operation against a key holding the wrong kind of value
HSCAN str 0 => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// Source: hgetallCommand replies with addReplyMapLen, HGET/HMGET with
// shared.null[c->resp]; checked against redis-server 7.0.15 with HELLO 3.
func TestHashResp3(t *testing.T) {
	collStart(t).run(t, `
HELLO 3 => *
HSET h a 1 b 2 => :2
HGETALL h => {"a": "1", "b": "2"}
HGETALL nokey => {}
HKEYS h => ["a", "b"]
HGET h nope => _
HMGET h a nope => ["1", _]
HRANDFIELD nokey => _
HRANDFIELD h 5 WITHVALUES => [["a", "1"], ["b", "2"]]
HRANDFIELD h 5 => ["a", "b"]
HRANDFIELD nokey 5 WITHVALUES => []
HSCAN h 0 => ["0", ["a", "1", "b", "2"]]
HELLO 2 => *
HRANDFIELD h 5 WITHVALUES => ["a", "1", "b", "2"]
`)
}

// Source: hincrbyCommand and hincrbyfloatCommand in t_hash.c; hash.tcl
// "HINCRBY over 32bit value", "HINCRBY fails against hash value with
// spaces", "HINCRBY can detect overflows", "HINCRBYFLOAT does not allow NaN
// or Infinity", "Test HINCRBYFLOAT for correct float representation".
func TestHashIncr(t *testing.T) {
	collStart(t).run(t, `
HINCRBY h n 5 => :5
HINCRBY h n -7 => :-2
HINCRBY h n x => -ERR value is not an integer or out of range
HINCRBY h n 1.5 => -ERR value is not an integer or out of range
HSET h s "1 " big 9223372036854775807 neg -9223372036854775808 f 1.5 => :4
HINCRBY h s 1 => -ERR hash value is not an integer
HINCRBY h f 1 => -ERR hash value is not an integer
HINCRBY h big 1 => -ERR increment or decrement would overflow
HINCRBY h neg -1 => -ERR increment or decrement would overflow
HINCRBY h big -1 => :9223372036854775806
HINCRBY nokey x 17179869184 => :17179869184
HINCRBYFLOAT h f 0.1 => "1.6"
HINCRBYFLOAT h n 2.5 => "0.5"
HINCRBYFLOAT h new 1e1 => "10"
HINCRBYFLOAT h s 1 => -ERR hash value is not a float
HINCRBYFLOAT h f x => -ERR value is not a valid float
HINCRBYFLOAT h f nan => -ERR value is not a valid float
HINCRBYFLOAT h f inf => -ERR value is NaN or Infinity
HINCRBYFLOAT h f -inf => -ERR value is NaN or Infinity
HSET h inf inf => :1
HINCRBYFLOAT h inf 1 => -ERR increment would produce NaN or Infinity
HINCRBYFLOAT h big 1 => "9223372036854775807"
HINCRBYFLOAT nokey2 x 10.50 => "10.5"
HINCRBYFLOAT h f 0x10 => "17.6"
HGET h f => "17.6"
HINCRBYFLOAT h z -0.0 => "0"
`)
}

// Source: hashTypeTryConversion and hashTypeSet in t_hash.c: more than
// hash-max-listpack-entries fields, or a field or value longer than
// hash-max-listpack-value bytes, convert the hash for good; HINCRBY and
// HINCRBYFLOAT check the field and the new value too.
func TestHashEncoding(t *testing.T) {
	collStart(t,
		"--hash-max-listpack-entries", "3", "--hash-max-listpack-value", "4",
	).run(t, `
HSET h a 1 b 2 c 3 => :3
OBJECT ENCODING h => "listpack"
HSET h a 1234 => :0
OBJECT ENCODING h => "listpack"
HSET h d 4 => :1
OBJECT ENCODING h => "hashtable"
HDEL h a b c => :3
OBJECT ENCODING h => "hashtable"
HSET v a 12345 => :1
OBJECT ENCODING v => "hashtable"
HSET k abcde 1 => :1
OBJECT ENCODING k => "hashtable"
HSETNX nx abcde 1 => :1
OBJECT ENCODING nx => "hashtable"
HINCRBY i abcd 1 => :1
OBJECT ENCODING i => "listpack"
HINCRBY i abcd 9999 => :10000
OBJECT ENCODING i => "hashtable"
HINCRBY j abcde 1 => :1
OBJECT ENCODING j => "hashtable"
HINCRBYFLOAT f x 1.5 => "1.5"
OBJECT ENCODING f => "listpack"
HINCRBYFLOAT f x 0.25 => "1.75"
OBJECT ENCODING f => "listpack"
HINCRBYFLOAT f x 0.005 => "1.755"
OBJECT ENCODING f => "hashtable"
HSET m a 1 b 2 => :2
HMSET m c 3 d 4 => +OK
OBJECT ENCODING m => "hashtable"
HGETALL nokey => []
`)
}

// Source: hrandfieldCommand and hrandfieldWithCountCommand in t_hash.c;
// hash.tcl "HRANDFIELD count of 0 is handled correctly", "HRANDFIELD with
// <count> against non existing key", "HRANDFIELD count overflow".
func TestHrandfieldErrors(t *testing.T) {
	collStart(t).run(t, `
HSET h a 1 => :1
HRANDFIELD h 0 => []
HRANDFIELD nokey 3 => []
HRANDFIELD nokey -3 WITHVALUES => []
HRANDFIELD h x => -ERR value is not an integer or out of range
HRANDFIELD h 1 x => -ERR syntax error
HRANDFIELD h 1 WITHVALUES x => -ERR syntax error
HRANDFIELD h -9223372036854775808 => -ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
HRANDFIELD h -9223372036854770000 WITHVALUES => -ERR value is out of range
HRANDFIELD h 4611686018427387904 WITHVALUES => -ERR value is out of range
HRANDFIELD nokey x => -ERR value is not an integer or out of range
HRANDFIELD h => "a"
HRANDFIELD h -3 => ["a", "a", "a"]
HRANDFIELD h -2 WITHVALUES => ["a", "1", "a", "1"]
`)
}

// TestHrandfieldPicks checks what HRANDFIELD leaves to chance, for both
// encodings: a positive count gives that many distinct fields (the whole
// hash, in HGETALL order, when count >= HLEN), a negative count that many
// fields that may repeat, each with its own value.
func TestHrandfieldPicks(t *testing.T) {
	zc := collStart(t, "--hash-max-listpack-entries", "16")
	for _, n := range []int{10, 100} {
		key := "h" + strconv.Itoa(n)
		want := map[string]string{}
		for i := range n {
			f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i)
			want[f] = v
			zc.do(t, "HSET", key, f, v)
		}
		all := zc.do(t, "HGETALL", key)
		if got := zc.do(t, "HRANDFIELD", key, strconv.Itoa(n), "WITHVALUES"); got != all {
			t.Errorf("HRANDFIELD %s %d WITHVALUES = %s, want HGETALL's %s", key, n, got, all)
		}
		for _, count := range []int{1, 3, n / 2, n - 1, -5, -2 * n} {
			got := parseFlat(t, zc.do(t, "HRANDFIELD", key, strconv.Itoa(count), "WITHVALUES"))
			wantLen := count
			if count < 0 {
				wantLen = -count
			}
			if len(got) != 2*wantLen {
				t.Fatalf("HRANDFIELD %s %d WITHVALUES: %d strings", key, count, len(got))
			}
			seen := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				f, v := got[i], got[i+1]
				if want[f] != v {
					t.Errorf("HRANDFIELD %s %d: field %q with value %q", key, count, f, v)
				}
				if count > 0 && seen[f] {
					t.Errorf("HRANDFIELD %s %d: %q twice", key, count, f)
				}
				seen[f] = true
			}
		}
	}
}

// parseFlat turns a rendered flat array of bulk strings into its strings.
func parseFlat(t *testing.T, r string) []string {
	t.Helper()
	if !strings.HasPrefix(r, "[") || !strings.HasSuffix(r, "]") {
		t.Fatalf("not an array: %s", r)
	}
	body := r[1 : len(r)-1]
	if body == "" {
		return nil
	}
	var out []string
	for _, q := range strings.Split(body, ", ") {
		s, err := strconv.Unquote(q)
		if err != nil {
			t.Fatalf("element %s of %s: %v", q, r, err)
		}
		out = append(out, s)
	}
	return out
}

// Source: hscanCommand and scanGenericCommand in db.c; scan.tcl "HSCAN with
// encoding listpack/hashtable", "HSCAN with PATTERN".
func TestHscan(t *testing.T) {
	zc := collStart(t, "--hash-max-listpack-entries", "8")
	zc.run(t, `
HSCAN nokey 0 => ["0", []]
HSCAN nokey x => -ERR invalid cursor
HSCAN nokey 0 COUNT 0 => ["0", []]
HSET h a 1 b 2 ab 3 => :3
HSCAN h 0 => ["0", ["a", "1", "b", "2", "ab", "3"]]
HSCAN h 0 MATCH a* => ["0", ["a", "1", "ab", "3"]]
HSCAN h 0 MATCH * COUNT 1 => ["0", ["a", "1", "b", "2", "ab", "3"]]
HSCAN h 0 COUNT 0 => -ERR syntax error
HSCAN h 0 COUNT x => -ERR value is not an integer or out of range
HSCAN h 0 MATCH => -ERR syntax error
HSCAN h 0 TYPE string => -ERR syntax error
HSCAN h -1x => -ERR invalid cursor
`)
	// A hashtable: a full scan returns every field with its value.
	want := map[string]string{}
	for i := range 500 {
		f, v := "field:"+strconv.Itoa(i), strconv.Itoa(i)
		want[f] = v
		zc.do(t, "HSET", "big", f, v)
	}
	if enc := zc.do(t, "OBJECT", "ENCODING", "big"); enc != `"hashtable"` {
		t.Fatalf("encoding %s", enc)
	}
	got := map[string]string{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatal("HSCAN does not end")
		}
		r := zc.do(t, "HSCAN", "big", cursor, "COUNT", "20", "MATCH", "field:1*")
		cur, items := splitScan(t, r)
		for i := 0; i+1 < len(items); i += 2 {
			got[items[i]] = items[i+1]
		}
		if cursor = cur; cursor == "0" {
			break
		}
	}
	for f, v := range want {
		if strings.HasPrefix(f, "field:1") && got[f] != v {
			t.Errorf("HSCAN missed %s (got %q)", f, got[f])
		}
	}
	for f := range got {
		if !strings.HasPrefix(f, "field:1") {
			t.Errorf("HSCAN MATCH returned %s", f)
		}
	}
}

// splitScan splits a rendered SCAN reply into its cursor and strings.
func splitScan(t *testing.T, r string) (cursor string, items []string) {
	t.Helper()
	head, rest, ok := strings.Cut(r, ", ")
	if !ok || !strings.HasPrefix(head, "[") || !strings.HasSuffix(rest, "]") {
		t.Fatalf("not a scan reply: %s", r)
	}
	cursor, err := strconv.Unquote(head[1:])
	if err != nil {
		t.Fatalf("cursor of %s: %v", r, err)
	}
	return cursor, parseFlat(t, rest[:len(rest)-1])
}

// Source: copyCommand in db.c with hashTypeDup, setTypeDup, listTypeDup and
// zsetDup: the copy keeps the encoding and is independent of the source.
func TestCopyCollections(t *testing.T) {
	collStart(t).run(t, `
HSET h a 1 => :1
COPY h h2 => :1
HSET h2 b 2 => :1
HGETALL h => ["a", "1"]
HGETALL h2 => ["a", "1", "b", "2"]
OBJECT ENCODING h2 => "listpack"
HSET big f 01234567890123456789012345678901234567890123456789012345678901234 => :1
COPY big big2 => :1
OBJECT ENCODING big2 => "hashtable"
HDEL big f => :1
HLEN big2 => :1
SADD s 3 1 2 => :3
COPY s s2 => :1
SREM s2 1 => :1
SMEMBERS s => ["1", "2", "3"]
OBJECT ENCODING s2 => "intset"
SADD t a => :1
COPY t t2 => :1
SADD t2 b => :1
SCARD t => :1
OBJECT ENCODING t2 => "hashtable"
RPUSH l a b => :2
COPY l l2 => :1
RPUSH l2 c => :3
LRANGE l 0 -1 => ["a", "b"]
ZADD z 1 a => :1
COPY z z2 => :1
ZADD z2 2 b => :1
ZRANGE z 0 -1 => ["a"]
ZRANGE z2 0 -1 => ["a", "b"]
`)
}

// TestHashEmptyDeleted checks that an emptied hash is deleted and that HSET
// after it starts a new listpack.
func TestHashEmptyDeleted(t *testing.T) {
	zc := collStart(t, "--hash-max-listpack-entries", "2")
	zc.run(t, `
HSET h a 1 b 2 c 3 => :3
OBJECT ENCODING h => "hashtable"
HDEL h a b c => :3
EXISTS h => :0
HSET h a 1 => :1
OBJECT ENCODING h => "listpack"
`)
	got := parseFlat(t, zc.do(t, "HKEYS", "h"))
	if !slices.Equal(got, []string{"a"}) {
		t.Errorf("HKEYS = %q", got)
	}
}
