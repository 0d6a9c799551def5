package command_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the keyspace, expire and OBJECT commands (keys.go,
// expire.go, object.go). Expected replies follow Redis 7.0.15's db.c,
// expire.c and object.c and were checked against redis-server 7.0.15;
// tests/diff/keys_test.go compares random command streams with it.

// ksEpoch is the manual clock's start, in unix ms.
const ksEpoch = 1700000000000

// ksConn is one client connection (go-redis, RESP2, one pooled
// connection so that SELECT sticks).
type ksConn struct {
	t   *testing.T
	s   *servertest.Server
	rdb *redis.Client
}

// ksStart starts a server on a manual clock with active expiry off, so
// that stale keys stay until a command meets them.
func ksStart(t *testing.T, args ...string) *ksConn {
	t.Helper()
	s := servertest.Start(t, args, servertest.WithClock(servertest.NewClock(time.UnixMilli(ksEpoch))))
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2, PoolSize: 1, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	k := &ksConn{t: t, s: s, rdb: rdb}
	k.want("OK", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	return k
}

// do runs a command and renders its reply: an int as "1", a bulk string
// as itself, null as "(nil)", an error as "-ERR ...", an array as
// "[a b c]".
func (k *ksConn) do(args ...string) string {
	k.t.Helper()
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	v, err := k.rdb.Do(context.Background(), a...).Result()
	if errors.Is(err, redis.Nil) {
		return "(nil)"
	}
	if err != nil {
		var re redis.Error
		if errors.As(err, &re) {
			return "-" + re.Error()
		}
		k.t.Fatalf("%q: %v", args, err)
	}
	return ksRender(v)
}

func ksRender(v any) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return v
	case nil:
		return "(nil)"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = ksRender(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// want checks a command's rendered reply.
func (k *ksConn) want(want string, args ...string) {
	k.t.Helper()
	if got := k.do(args...); got != want {
		k.t.Errorf("%q: got %q, want %q", args, got, want)
	}
}

// script runs lines of "want <- COMMAND args" (fields split on spaces).
func (k *ksConn) script(lines string) {
	k.t.Helper()
	for _, l := range strings.Split(lines, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		want, cmd, ok := strings.Cut(l, " <- ")
		if !ok {
			k.t.Fatalf("bad script line %q", l)
		}
		k.want(want, strings.Fields(cmd)...)
	}
}

func (k *ksConn) advance(d time.Duration) { k.s.Clock.Advance(d) }

// keyList renders a sorted key list.
func keyList(keys []string) string {
	sort.Strings(keys)
	return "[" + strings.Join(keys, " ") + "]"
}

func TestDelExistsTouchType(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET a 1
		OK <- SET b 2
		2 <- DEL a b c
		0 <- EXISTS a
		OK <- SET x v
		2 <- EXISTS x x nokey
		2 <- TOUCH x x nokey
		1 <- DEL x x
		OK <- SET y v
		1 <- UNLINK y
		0 <- UNLINK y
		none <- TYPE y
		OK <- SET s v
		string <- TYPE s
		1 <- RPUSH l a
		list <- TYPE l
		2 <- DEL s l
	`)
	for typ, name := range map[keyspace.Type]string{keyspace.TypeSet: "set", keyspace.TypeZSet: "zset",
		keyspace.TypeHash: "hash", keyspace.TypeStream: "stream"} {
		k.seed(0, "obj", typ, &fakeColl{})
		k.want(name, "TYPE", "obj")
	}
}

// seed stores a collection value through the keyspace, so that the tests
// do not depend on the commands of each type.
func (k *ksConn) seed(db int, key string, typ keyspace.Type, obj any) {
	eng := k.s.Engine()
	sh := []int{eng.KS.ShardOf([]byte(key))}
	eng.KS.Lock(sh)
	eng.KS.DB(db).SetObject([]byte(key), typ, obj, keyspace.NoExpire)
	eng.KS.Release(sh)
}

// TestStaleNeverServed checks that no command of this file serves a key
// whose expire has passed, and that a key is still valid during the
// millisecond of its expire (db.c keyIsExpired: now > when).
func TestStaleNeverServed(t *testing.T) {
	cases := [][]string{
		{"0", "EXISTS", "k"},
		{"0", "TOUCH", "k"},
		{"none", "TYPE", "k"},
		{"-2", "TTL", "k"},
		{"-2", "PTTL", "k"},
		{"-2", "EXPIRETIME", "k"},
		{"-2", "PEXPIRETIME", "k"},
		{"0", "PERSIST", "k"},
		{"0", "EXPIRE", "k", "100"},
		{"0", "PEXPIREAT", "k", "9999999999999"},
		{"0", "DEL", "k"},
		{"0", "UNLINK", "k"},
		{"-ERR no such key", "RENAME", "k", "k2"},
		{"-ERR no such key", "RENAMENX", "k", "k2"},
		{"0", "MOVE", "k", "1"},
		{"0", "COPY", "k", "k2"},
		{"(nil)", "OBJECT", "ENCODING", "k"},
		{"(nil)", "OBJECT", "REFCOUNT", "k"},
		{"(nil)", "OBJECT", "IDLETIME", "k"},
		{"[]", "KEYS", "*"},
		{"[]", "KEYS", "k*"},
		{"[0 []]", "SCAN", "0"},
		{"[0 []]", "SCAN", "0", "TYPE", "string"},
		{"(nil)", "RANDOMKEY"},
		{"(nil)", "GET", "k2"}, // nothing was renamed, moved or copied
	}
	for _, c := range cases {
		t.Run(strings.Join(c[1:], "_"), func(t *testing.T) {
			k := ksStart(t)
			k.want("OK", "SET", "k", "v")
			k.want("1", "PEXPIRE", "k", "100")
			k.advance(100 * time.Millisecond)
			k.want("0", "PTTL", "k") // valid during its last millisecond
			k.advance(time.Millisecond)
			k.want(c[0], c[1:]...)
			k.want("0", "EXISTS", "k")
			k.want("0", "EXISTS", "k2")
		})
	}
}

// TestStaleDestination checks that a stale key in the way of RENAME,
// RENAMENX, MOVE and COPY counts as missing.
func TestStaleDestination(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET src v
		OK <- SET dst old
		1 <- PEXPIRE dst 10
		OK <- SELECT 1
		OK <- SET src old
		1 <- PEXPIRE src 10
		OK <- SELECT 0
	`)
	k.advance(11 * time.Millisecond)
	k.script(`
		1 <- RENAMENX src dst
		v <- GET dst
		-1 <- PTTL dst
		1 <- MOVE dst 1
		OK <- SELECT 1
		OK <- SET cp old
		1 <- PEXPIRE cp 10
	`)
	k.advance(11 * time.Millisecond)
	k.script(`
		1 <- COPY dst cp
		v <- GET cp
		-1 <- TTL cp
	`)
}

func TestRename(t *testing.T) {
	k := ksStart(t)
	// Sources: tests/unit/keyspace.tcl (RENAME ...), db.c renameGenericCommand.
	k.script(`
		OK <- SET mykey hello
		OK <- RENAME mykey mykey1
		hello <- GET mykey1
		0 <- EXISTS mykey
		OK <- SET mykey a
		OK <- SET mykey2 b
		OK <- RENAME mykey2 mykey
		b <- GET mykey
		OK <- SET n1 a
		OK <- SET n2 b
		0 <- RENAMENX n1 n2
		1 <- RENAMENX n1 n3
		a <- GET n3
		-ERR no such key <- RENAME nokey x
		-ERR no such key <- RENAME nokey nokey
		OK <- RENAME n3 n3
		0 <- RENAMENX n3 n3
		a <- GET n3
		# the TTL moves with the key; a replaced key's TTL does not survive
		1 <- EXPIRE n3 100
		OK <- SET n4 x
		OK <- RENAME n3 n4
		100 <- TTL n4
		OK <- SET t1 x
		1 <- EXPIRE t1 100
		OK <- SET t2 y
		OK <- RENAME t2 t1
		-1 <- TTL t1
		# encodings are kept
		OK <- SET i 12
		OK <- RENAME i i2
		int <- OBJECT ENCODING i2
		OK <- SET r a
		2 <- APPEND r b
		raw <- OBJECT ENCODING r
		OK <- RENAME r r2
		raw <- OBJECT ENCODING r2
		OK <- SET e abc
		OK <- RENAME e e2
		embstr <- OBJECT ENCODING e2
		# collections move as they are
		3 <- RPUSH l a b c
		OK <- RENAME l l2
		[a b c] <- LRANGE l2 0 -1
		0 <- EXISTS l
	`)
	big := strings.Repeat("x", 70000) // kept outside the record slabs
	k.want("OK", "SET", "big", big)
	k.want("OK", "RENAME", "big", "big2")
	k.want(big, "GET", "big2")
}

func TestMove(t *testing.T) {
	k := ksStart(t)
	// Sources: tests/unit/keyspace.tcl (MOVE ...), db.c moveCommand.
	k.script(`
		OK <- SET mykey foobar
		1 <- MOVE mykey 9
		0 <- EXISTS mykey
		0 <- MOVE mykey 9
		OK <- SET mykey x
		0 <- MOVE mykey 9
		x <- GET mykey
		-ERR source and destination objects are the same <- MOVE mykey 0
		-ERR DB index is out of range <- MOVE mykey 16
		-ERR DB index is out of range <- MOVE mykey -1
		-ERR value is not an integer or out of range <- MOVE mykey notanumber
		-ERR value is out of range, value must between -2147483648 and 2147483647 <- MOVE mykey 2147483648
		1 <- EXPIRE mykey 100
		1 <- MOVE mykey 1
		OK <- SELECT 1
		100 <- TTL mykey
		OK <- SET nottl y
		1 <- MOVE nottl 0
		OK <- SELECT 9
		foobar <- GET mykey
	`)
	// MOVE to the same DB is an error even when the key is missing.
	k.want("-ERR source and destination objects are the same", "MOVE", "nokey", "9")
}

func TestCopy(t *testing.T) {
	k := ksStart(t)
	// Sources: tests/unit/keyspace.tcl (COPY ...), db.c copyCommand.
	k.script(`
		OK <- SET mykey foobar
		1 <- COPY mykey mynewkey
		foobar <- GET mynewkey
		OK <- SET other x
		0 <- COPY mykey other
		x <- GET other
		1 <- COPY mykey other REPLACE
		foobar <- GET other
		OK <- SET mykey changed
		foobar <- GET other
		1 <- COPY mykey mykey DB 3
		-ERR source and destination objects are the same <- COPY mykey mykey
		-ERR source and destination objects are the same <- COPY mykey mykey DB 0
		-ERR value is not an integer or out of range <- COPY mykey x DB notanumber
		-ERR DB index is out of range <- COPY mykey x DB 16
		-ERR syntax error <- COPY mykey x DB
		-ERR syntax error <- COPY mykey x foo
		0 <- COPY nokey x
		1 <- PEXPIRE mykey 100000
		1 <- COPY mykey ttlcopy
		100000 <- PTTL ttlcopy
		OK <- SET noexp v
		1 <- COPY noexp noexp2
		-1 <- TTL noexp2
		OK <- SET i 42
		1 <- COPY i i2 REPLACE
		int <- OBJECT ENCODING i2
		OK <- SET r a
		2 <- APPEND r b
		1 <- COPY r r2
		raw <- OBJECT ENCODING r2
		OK <- SELECT 3
		changed <- GET mykey
	`)
}

// TestCopyCollection checks COPY of a collection through dupValue, with a
// value type of its own (the real ones get Dup methods separately).
func TestCopyCollection(t *testing.T) {
	k := ksStart(t)
	orig := &fakeColl{items: []string{"a"}}
	k.seed(0, "c", keyspace.TypeList, orig)
	k.want("fake", "OBJECT", "ENCODING", "c")
	k.want("1", "COPY", "c", "c2", "DB", "1")
	// The copy is a different value.
	eng := k.s.Engine()
	eng.KS.LockAll()
	e, ok := eng.KS.DB(1).Peek([]byte("c2"))
	if !ok || e.Type != keyspace.TypeList {
		t.Fatalf("copy missing: %v %+v", ok, e)
	}
	if cp, _ := e.Obj.(*fakeColl); cp == nil || cp == orig || len(cp.items) != 1 {
		t.Errorf("copy is %#v", e.Obj)
	}
	eng.KS.ReleaseAll()
}

type fakeColl struct{ items []string }

func (f *fakeColl) Encoding() string { return "fake" }
func (f *fakeColl) DupValue() any    { return &fakeColl{items: append([]string(nil), f.items...)} }

func TestKeysAndDBSize(t *testing.T) {
	k := ksStart(t)
	for _, key := range []string{"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"} {
		k.want("OK", "SET", key, "hello")
	}
	// tests/unit/keyspace.tcl: KEYS with pattern, KEYS to get all keys.
	if got := k.keys("foo*"); got != "[foo_a foo_b foo_c]" {
		t.Errorf("KEYS foo*: %s", got)
	}
	if got := k.keys("*"); got != "[foo_a foo_b foo_c key_x key_y key_z]" {
		t.Errorf("KEYS *: %s", got)
	}
	if got := k.keys("key_[xz]"); got != "[key_x key_z]" {
		t.Errorf("KEYS key_[xz]: %s", got)
	}
	k.want("6", "DBSIZE")
	// KEYS skips a stale key without deleting it; DBSIZE still counts it.
	k.want("1", "PEXPIRE", "key_x", "5")
	k.advance(6 * time.Millisecond)
	if got := k.keys("key*"); got != "[key_y key_z]" {
		t.Errorf("KEYS key*: %s", got)
	}
	k.want("6", "DBSIZE")
	k.want("[]", "KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b")
}

func (k *ksConn) keys(pat string) string {
	k.t.Helper()
	v, err := k.rdb.Keys(context.Background(), pat).Result()
	if err != nil {
		k.t.Fatal(err)
	}
	return keyList(v)
}

func TestFlushAndSwapDB(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET a 1
		OK <- SELECT 1
		OK <- SET b 2
		OK <- SET c 3
		2 <- DBSIZE
		OK <- SWAPDB 0 1
		1 <- DBSIZE
		1 <- EXISTS a
		OK <- SWAPDB 1 1
		OK <- SWAPDB 1 0
		2 <- EXISTS b c
		-ERR invalid first DB index <- SWAPDB x 0
		-ERR invalid second DB index <- SWAPDB 0 x
		-ERR invalid first DB index <- SWAPDB 2147483648 0
		-ERR DB index is out of range <- SWAPDB 0 16
		-ERR DB index is out of range <- SWAPDB -1 0
		-ERR syntax error <- FLUSHDB foo
		-ERR syntax error <- FLUSHDB SYNC ASYNC
		-ERR syntax error <- FLUSHALL foo
		OK <- FLUSHDB ASYNC
		0 <- DBSIZE
		OK <- SELECT 0
		1 <- DBSIZE
		OK <- FLUSHALL SYNC
		0 <- DBSIZE
		(nil) <- RANDOMKEY
		OK <- SET x 1
		OK <- FLUSHDB sync
		OK <- SET x 1
		OK <- FLUSHALL
		0 <- EXISTS x
	`)
}

func TestRandomKey(t *testing.T) {
	k := ksStart(t)
	k.want("(nil)", "RANDOMKEY")
	// Many stale keys and one live one: RANDOMKEY skips (and expires) the
	// stale ones until it finds the live key (db.c dbRandomKey).
	for i := 0; i < 300; i++ {
		key := "stale:" + strconv.Itoa(i)
		k.want("OK", "SET", key, "v")
		k.want("1", "PEXPIRE", key, "10")
	}
	k.want("OK", "SET", "live", "v")
	k.advance(11 * time.Millisecond)
	for i := 0; i < 5; i++ {
		k.want("live", "RANDOMKEY")
	}
	k.want("OK", "SET", "x", "1")
	k.want("1", "DEL", "x")
	k.want("1", "DEL", "live")
	k.want("(nil)", "RANDOMKEY") // tests/unit/keyspace.tcl: RANDOMKEY regression 1
}

func TestExpireCommands(t *testing.T) {
	k := ksStart(t)
	// Sources: tests/unit/expire.tcl, expire.c expireGenericCommand and
	// ttlGenericCommand.
	k.script(`
		OK <- SET foo bar
		1 <- EXPIRE foo 100
		100 <- TTL foo
		100000 <- PTTL foo
		1700000100 <- EXPIRETIME foo
		1700000100000 <- PEXPIRETIME foo
		1 <- EXPIRE foo 200 XX
		0 <- EXPIRE foo 300 NX
		0 <- EXPIRE foo 100 GT
		1 <- EXPIRE foo 300 GT
		0 <- EXPIRE foo 400 LT
		1 <- EXPIRE foo 50 LT
		1 <- EXPIRE foo 40 xx lt
		40 <- TTL foo
		1 <- PERSIST foo
		0 <- PERSIST foo
		-1 <- TTL foo
		-1 <- PTTL foo
		-1 <- EXPIRETIME foo
		-1 <- PEXPIRETIME foo
		0 <- EXPIRE foo 100 XX
		0 <- EXPIRE foo 100 GT
		1 <- EXPIRE foo 100 LT
		OK <- SET foo bar
		1 <- EXPIRE foo 100 NX
		-2 <- TTL nokey
		-2 <- PTTL nokey
		-2 <- EXPIRETIME nokey
		-2 <- PEXPIRETIME nokey
		0 <- PERSIST nokey
		0 <- EXPIRE nokey 100 NX
		0 <- EXPIRE nokey 100 XX
		0 <- EXPIRE nokey 100 GT
		0 <- EXPIRE nokey 100 LT
		1 <- EXPIREAT foo 1700000200
		200 <- TTL foo
		1 <- PEXPIREAT foo 1700000200123
		200123 <- PTTL foo
		1700000200 <- EXPIRETIME foo
		-ERR GT and LT options at the same time are not compatible <- EXPIRE foo 200 LT GT
		-ERR NX and XX, GT or LT options at the same time are not compatible <- EXPIRE foo 200 NX GT
		-ERR NX and XX, GT or LT options at the same time are not compatible <- EXPIRE foo 200 NX LT
		-ERR NX and XX, GT or LT options at the same time are not compatible <- EXPIRE foo 200 NX XX
		-ERR Unsupported option AB <- EXPIRE foo 200 AB
		-ERR Unsupported option AB <- EXPIRE foo 200 XX AB
		-ERR Unsupported option AB <- EXPIRE foo notanint AB
		-ERR value is not an integer or out of range <- EXPIRE foo notanint
		-ERR value is not an integer or out of range <- EXPIRE foo 1.5
		-ERR invalid expire time in 'expire' command <- EXPIRE foo 9223370399119966
		-ERR invalid expire time in 'expire' command <- EXPIRE foo 9223372036854776
		-ERR invalid expire time in 'expire' command <- EXPIRE foo -9223372036854776
		-ERR invalid expire time in 'pexpire' command <- PEXPIRE foo 9223372036854770000
		-ERR invalid expire time in 'expireat' command <- EXPIREAT foo 9223372036854776
		1700000200 <- EXPIRETIME foo
		1 <- PEXPIREAT foo 9223372036854770000
		9223372036854770000 <- PEXPIRETIME foo
		1 <- PEXPIREAT foo -9223372036854770000
		-2 <- TTL foo
		OK <- SET foo bar
		1 <- EXPIRE foo -10 LT
		0 <- EXISTS foo
		OK <- SET foo bar
		1 <- EXPIRE foo 0
		0 <- EXISTS foo
	`)
	if got := k.do("EXPIRE", "foo", ""); !strings.Contains(got, "not an integer") {
		t.Errorf("EXPIRE with empty TTL: %s", got)
	}
}

// TestExpireBoundary: an expire set to now deletes the key at once
// (checkAlreadyExpired: when <= now), one set to now+1 leaves the key for
// a millisecond more, then lookups expire it (keyIsExpired: now > when).
func TestExpireBoundary(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "SET", "k", "v")
	k.want("1", "PEXPIREAT", "k", strconv.Itoa(ksEpoch))
	k.want("0", "EXISTS", "k")
	k.want("0", "DBSIZE")
	k.want("OK", "SET", "k", "v")
	k.want("1", "PEXPIRE", "k", "1")
	k.want("1", "PTTL", "k")
	k.advance(time.Millisecond)
	k.want("0", "PTTL", "k")
	k.want("0", "TTL", "k")
	k.want("1", "EXISTS", "k")
	k.advance(time.Millisecond)
	k.want("-2", "PTTL", "k")
	k.want("0", "DBSIZE") // the lookup deleted it
}

// TestTTLRounding: TTL and EXPIRETIME round to the nearest second,
// (ms+500)/1000 (expire.c ttlGenericCommand).
func TestTTLRounding(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET k v
		1 <- PEXPIRE k 1499
		1 <- TTL k
		1 <- PEXPIRE k 1500
		2 <- TTL k
		1 <- PEXPIRE k 499
		0 <- TTL k
		1 <- PEXPIREAT k 1700000010499
		1700000010 <- EXPIRETIME k
		1 <- PEXPIREAT k 1700000010500
		1700000011 <- EXPIRETIME k
	`)
}

func TestScanBasics(t *testing.T) {
	k := ksStart(t)
	for i := 0; i < 1000; i++ {
		k.want("OK", "SET", "key:"+strconv.Itoa(i), "v")
	}
	for i := 0; i < 10; i++ {
		k.want("1", "RPUSH", "list:"+strconv.Itoa(i), "v")
	}
	// tests/unit/scan.tcl: SCAN basic, COUNT, MATCH, TYPE.
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 1010},
		{[]string{"COUNT", "5"}, 1010},
		{[]string{"COUNT", "1000000"}, 1010},
		{[]string{"MATCH", "key:1??"}, 100},
		{[]string{"MATCH", "*"}, 1010},
		{[]string{"TYPE", "list"}, 10},
		{[]string{"type", "STRING"}, 1000},
		{[]string{"TYPE", "string", "MATCH", "key:*", "COUNT", "10"}, 1000},
		{[]string{"TYPE", "nosuchtype"}, 0},
	} {
		if got := k.scanAll(c.args...); len(got) != c.want {
			t.Errorf("SCAN %v: %d keys, want %d", c.args, len(got), c.want)
		}
	}
	k.script(`
		-ERR invalid cursor <- SCAN x
		-ERR invalid cursor <- SCAN 18446744073709551616
		-ERR invalid cursor <- SCAN 1x
		-ERR syntax error <- SCAN 0 COUNT 0
		-ERR syntax error <- SCAN 0 COUNT -1
		-ERR value is not an integer or out of range <- SCAN 0 COUNT x
		-ERR syntax error <- SCAN 0 MATCH
		-ERR syntax error <- SCAN 0 TYPE
		-ERR syntax error <- SCAN 0 FOO bar
	`)
	// strtoul: a sign is allowed and a negative cursor wraps; the empty
	// string is cursor 0; a leading space is not allowed.
	for _, cur := range []string{"", "+0", "-0", "-1", "18446744073709551615"} {
		if got := k.do("SCAN", cur, "COUNT", "1"); strings.HasPrefix(got, "-") {
			t.Errorf("SCAN %q: %s", cur, got)
		}
	}
	k.want("-ERR invalid cursor", "SCAN", " 1")
}

// scanAll runs a full SCAN with options and returns the keys, checking
// that each call returns a valid cursor.
func (k *ksConn) scanAll(opts ...string) map[string]int {
	k.t.Helper()
	seen := map[string]int{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 100000 {
			k.t.Fatal("SCAN does not terminate")
		}
		args := append([]any{"SCAN", cursor}, toAny(opts)...)
		v, err := k.rdb.Do(context.Background(), args...).Slice()
		if err != nil {
			k.t.Fatalf("SCAN: %v", err)
		}
		cursor = v[0].(string)
		for _, key := range v[1].([]any) {
			seen[key.(string)]++
		}
		if cursor == "0" {
			return seen
		}
	}
}

func toAny(s []string) []any {
	a := make([]any, len(s))
	for i, x := range s {
		a[i] = x
	}
	return a
}

// TestScanGuarantee checks SCAN's guarantee (redis.io/commands/scan, "Scan
// guarantees"): a key present for the whole iteration is returned, while
// the keyspace grows between calls and then while it shrinks.
func TestScanGuarantee(t *testing.T) {
	k := ksStart(t)
	const orig = 2000
	for i := 0; i < orig; i++ {
		k.want("OK", "SET", "orig:"+strconv.Itoa(i), "v")
	}
	check := func(seen map[string]bool, phase string) {
		for i := 0; i < orig; i++ {
			if !seen["orig:"+strconv.Itoa(i)] {
				t.Fatalf("%s: orig:%d not returned", phase, i)
			}
		}
	}
	// Growth: 40 new keys per call (the tables double several times).
	seen := map[string]bool{}
	extra := 0
	cursor := "0"
	for {
		v, err := k.rdb.Do(context.Background(), "SCAN", cursor, "COUNT", "20").Slice()
		if err != nil {
			t.Fatal(err)
		}
		cursor = v[0].(string)
		for _, key := range v[1].([]any) {
			seen[key.(string)] = true
		}
		if cursor == "0" {
			break
		}
		pipe := k.rdb.Pipeline()
		for j := 0; j < 40; j++ {
			pipe.Set(context.Background(), "new:"+strconv.Itoa(extra), "v", 0)
			extra++
		}
		if _, err := pipe.Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	check(seen, "growing")
	if extra < 1000 {
		t.Fatalf("only %d keys added during the scan", extra)
	}
	// Shrinking: delete the added keys while scanning.
	seen = map[string]bool{}
	cursor = "0"
	next := 0
	for {
		v, err := k.rdb.Do(context.Background(), "SCAN", cursor, "COUNT", "20").Slice()
		if err != nil {
			t.Fatal(err)
		}
		cursor = v[0].(string)
		for _, key := range v[1].([]any) {
			seen[key.(string)] = true
		}
		if cursor == "0" {
			break
		}
		pipe := k.rdb.Pipeline()
		for j := 0; j < 200 && next < extra; j++ {
			pipe.Del(context.Background(), "new:"+strconv.Itoa(next))
			next++
		}
		if _, err := pipe.Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	check(seen, "shrinking")
}

// TestScanExpired: SCAN never returns a stale key; it expires the stale
// keys that match its pattern and leaves the others (db.c
// scanGenericCommand filters by pattern before expireIfNeeded).
func TestScanExpired(t *testing.T) {
	k := ksStart(t)
	for i := 0; i < 100; i++ {
		k.want("OK", "SET", "live:"+strconv.Itoa(i), "v")
		k.want("OK", "SET", "gone:"+strconv.Itoa(i), "v")
		k.want("1", "PEXPIRE", "gone:"+strconv.Itoa(i), "1")
		k.want("OK", "SET", "left:"+strconv.Itoa(i), "v")
		k.want("1", "PEXPIRE", "left:"+strconv.Itoa(i), "1")
	}
	k.advance(2 * time.Millisecond)
	k.want("300", "DBSIZE")
	seen := k.scanAll("MATCH", "[lg]?[vn]e:*")
	if len(seen) != 100 {
		t.Errorf("SCAN returned %d keys, want the 100 live ones", len(seen))
	}
	for key := range seen {
		if !strings.HasPrefix(key, "live:") {
			t.Errorf("SCAN returned %q", key)
		}
	}
	k.want("200", "DBSIZE") // the left:* keys are stale but were not met
	if seen := k.scanAll("TYPE", "string"); len(seen) != 100 {
		t.Errorf("SCAN TYPE string returned %d keys", len(seen))
	}
	k.want("100", "DBSIZE")
}

func TestObject(t *testing.T) {
	k := ksStart(t)
	k.script(`
		OK <- SET i 123
		int <- OBJECT ENCODING i
		OK <- SET e hello
		embstr <- OBJECT ENCODING e
		OK <- SET e2 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
		embstr <- OBJECT ENCODING e2
		OK <- SET r aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
		raw <- OBJECT ENCODING r
		1 <- RPUSH l a
		quicklist <- OBJECT ENCODING l
		(nil) <- OBJECT ENCODING nokey
		(nil) <- OBJECT REFCOUNT nokey
		(nil) <- OBJECT IDLETIME nokey
		(nil) <- OBJECT FREQ nokey
		2147483647 <- OBJECT REFCOUNT i
		OK <- SET n -1
		1 <- OBJECT REFCOUNT n
		OK <- SET big 10000
		1 <- OBJECT REFCOUNT big
		OK <- SET small 9999
		2147483647 <- OBJECT REFCOUNT small
		1 <- OBJECT REFCOUNT e
		1 <- OBJECT REFCOUNT l
		-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust. <- OBJECT FREQ i
		-ERR unknown subcommand 'foo'. Try OBJECT HELP. <- OBJECT foo i
	`)
	help := k.do("OBJECT", "HELP")
	if !strings.HasPrefix(help, "[OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are: ENCODING <key>") ||
		!strings.HasSuffix(help, "HELP     Prints this help.]") {
		t.Errorf("OBJECT HELP: %s", help)
	}
	// tests/unit/maxmemory.tcl: with maxmemory and an LRU policy integers
	// are not shared; with another policy they are.
	k.script(`
		OK <- CONFIG SET maxmemory 1073741824
		OK <- CONFIG SET maxmemory-policy allkeys-random
		2147483647 <- OBJECT REFCOUNT i
		OK <- CONFIG SET maxmemory-policy volatile-lru
		1 <- OBJECT REFCOUNT i
		OK <- CONFIG SET maxmemory-policy allkeys-lfu
		1 <- OBJECT REFCOUNT i
		-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust. <- OBJECT IDLETIME i
	`)
	if got := k.do("OBJECT", "FREQ", "i"); strings.HasPrefix(got, "-") {
		t.Errorf("OBJECT FREQ under LFU: %s", got)
	}
	k.want("OK", "CONFIG", "SET", "maxmemory", "0")
	k.want("2147483647", "OBJECT", "REFCOUNT", "i")
}

// TestObjectIdletime: tests/unit/introspection-2.tcl ("TTL, TYPE and
// EXISTS do not alter the last access time of a key", "TOUCH alters the
// last access time of a key"), on the manual clock.
func TestObjectIdletime(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "SET", "foo", "bar")
	k.want("0", "OBJECT", "IDLETIME", "foo")
	k.advance(10 * time.Second)
	k.script(`
		-1 <- TTL foo
		string <- TYPE foo
		1 <- EXISTS foo
		10 <- OBJECT IDLETIME foo
		embstr <- OBJECT ENCODING foo
		10 <- OBJECT IDLETIME foo
		1 <- TOUCH foo
		0 <- OBJECT IDLETIME foo
	`)
	k.advance(5 * time.Second)
	k.want("5", "OBJECT", "IDLETIME", "foo")
	k.want("1", "EXPIRE", "foo", "100") // a write lookup touches the key
	k.want("0", "OBJECT", "IDLETIME", "foo")
}

// TestKeyspaceHitsMisses: EXISTS, TYPE, TTL, TOUCH and OBJECT count
// keyspace hits and misses (lookupKeyRead*); DEL, EXPIRE, RENAME do not.
func TestKeyspaceHitsMisses(t *testing.T) {
	k := ksStart(t)
	k.want("OK", "SET", "a", "1")
	ks := k.s.Engine().KS
	h0, m0 := ks.KeyspaceHits.Load(), ks.KeyspaceMisses.Load()
	k.script(`
		1 <- EXISTS a
		0 <- EXISTS b
		string <- TYPE a
		-1 <- TTL a
		-2 <- TTL b
		1 <- TOUCH a b
		int <- OBJECT ENCODING a
		1 <- EXPIRE a 100
		OK <- RENAME a c
		1 <- DEL c
	`)
	if h, m := ks.KeyspaceHits.Load()-h0, ks.KeyspaceMisses.Load()-m0; h != 5 || m != 3 {
		t.Errorf("hits %d misses %d, want 5 and 3", h, m)
	}
}

// TestKeysHotPathAllocs: the per-key commands allocate no more than PING
// (STYLE.md: no per-call allocation on hot paths).
func TestKeysHotPathAllocs(t *testing.T) {
	e, err := command.New(command.Options{Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
	w := resp.NewWriter()
	run := func(args ...string) float64 {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		for i := 0; i < 10; i++ {
			w.Reset()
			e.Exec(cl, argv, w)
		}
		return testing.AllocsPerRun(200, func() {
			w.Reset()
			e.Exec(cl, argv, w)
		})
	}
	base := run("PING")
	run("SET", "k", "v")
	run("SET", "k2", "v")
	for _, args := range [][]string{
		{"EXISTS", "k", "missing"},
		{"TYPE", "k"},
		{"TTL", "k"},
		{"PTTL", "k"},
		{"EXPIRE", "k", "100"},
		{"PEXPIRE", "k", "100000", "GT"},
		{"EXPIRETIME", "k"},
		{"PERSIST", "k"},
		{"TOUCH", "k", "k2"},
		{"DEL", "missing"},
		{"OBJECT", "ENCODING", "k"},
		{"RENAME", "k", "k"},
	} {
		if got := run(args...); got > base {
			t.Errorf("%q: %v allocations per call (PING: %v)", args, got, base)
		}
	}
}
