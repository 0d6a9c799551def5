package diff

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of MULTI/EXEC/DISCARD/WATCH/UNWATCH (Redis's multi.c
// and processCommand in server.c; Cinnabar's internal/command/multi.go).
// Two connections per server: A runs the transactions, B writes in
// between to conflict with A's WATCHes. Replies are compared byte for byte.

// txDuo holds connection A and B to each server.
type txDuo struct {
	h  *Harness
	rb *Peer // B to redis-server
	cb *Peer // B to Cinnabar
}

func txStartDuo(t *testing.T) *txDuo {
	t.Helper()
	h := Start(t)
	d := &txDuo{h: h, rb: Dial(t, h.Redis.Addr), cb: Dial(t, h.Cinnabar.Addr)}
	for _, p := range []*Peer{h.Redis, h.Cinnabar} {
		p.Send(t, Encode(nil, "CLIENT", "SETNAME", "A"), 1)
	}
	for _, p := range []*Peer{d.rb, d.cb} {
		p.Send(t, Encode(nil, "CLIENT", "SETNAME", "B"), 1)
	}
	return d
}

// a sends a command on A to both servers and compares the replies.
func (d *txDuo) a(t *testing.T, args ...string) []byte {
	t.Helper()
	return d.h.Do(t, args...)
}

// b sends a command on B to both servers and compares the replies.
func (d *txDuo) b(t *testing.T, args ...string) []byte {
	t.Helper()
	raw := Encode(nil, args...)
	want := d.rb.Send(t, raw, 1)[0]
	got := d.cb.Send(t, raw, 1)[0]
	if !bytes.Equal(want, got) {
		t.Errorf("B %q:\n redis:    %q\n cinnabar: %q", args, want, got)
	}
	return want
}

// txArgs splits a command written as one string; "" stands for an empty
// argument.
func txArgs(s string) []string {
	f := strings.Fields(s)
	for i, a := range f {
		if a == `""` {
			f[i] = ""
		}
	}
	return f
}

// TestMultiDiffFixed: queueing errors, runtime errors, state errors,
// SELECT and blocking commands inside MULTI, RESP3 replies.
func TestMultiDiffFixed(t *testing.T) {
	d := txStartDuo(t)
	script := []string{
		"FLUSHALL",
		// State errors (not aborting the transaction).
		"EXEC", "DISCARD", "EXEC x", "DISCARD x", "MULTI x", "WATCH",
		"MULTI", "MULTI", "WATCH x", "SET a 1", "UNWATCH", "EXEC",
		// Queueing errors abort EXEC.
		"MULTI", "SET foo1 bar1", "NON-EXISTING-COMMAND a b", "SET foo2 bar2", "EXEC", "EXISTS foo1 foo2", "PING",
		"MULTI", "SET foo1 bar1", "GET", "EXEC", "EXISTS foo1",
		"MULTI", "OBJECT NOSUCH", "CONFIG GET", "CLIENT", "EXEC",
		"MULTI", "SET foo bar", "SHUTDOWN", "EXEC", "GET foo",
		"MULTI", "SET foo bar", "EXEC x", "GET foo", "PING",
		// Runtime errors fail alone; no rollback.
		"SET str x",
		"MULTI", "SET a 1", "LPUSH str v", "INCR str", "SET b 2", "SET a 1 EX -5", "INCRBYFLOAT a 1e400", "EXEC", "MGET a b str",
		// SELECT inside MULTI.
		"MULTI", "SET k db0", "SELECT 3", "SET k db3", "GET k", "SELECT 99", "GET k", "EXEC", "GET k", "SELECT 0", "GET k",
		// Blocking commands do not block in MULTI.
		"MULTI", "BLPOP empty 0", "BRPOP empty 0", "BRPOPLPUSH empty1 empty2 0", "BLMOVE empty1 empty2 LEFT LEFT 0",
		"BLMPOP 0 1 empty LEFT", "BZPOPMIN emptyz 0", "BZPOPMAX emptyz 0", "BZMPOP 0 1 emptyz MIN",
		"RPUSH l a b", "BLPOP l 0", "BLMOVE l l2 LEFT RIGHT 0", "BZPOPMIN l 0", "EXEC", "EXISTS empty2",
		// Empty transaction; DISCARD.
		"MULTI", "EXEC", "MULTI", "DEL l2", "DISCARD", "LLEN l2",
		// Commands that queue rather than run.
		"MULTI", "PING", "ECHO hi", "CLIENT SETNAME X", "CLIENT GETNAME", "CLIENT SETNAME A", "DBSIZE", "KEYS *a*", "EXEC",
		"MULTI", "FLUSHDB", "SET a 1", "SWAPDB 0 1", "GET a", "SELECT 1", "GET a", "SELECT 0", "EXEC",
	}
	for _, c := range script {
		d.a(t, txArgs(c)...)
	}
	// RESET leaves MULTI and forgets the WATCHes.
	for _, c := range []string{"MULTI", "SET r 1", "RESET", "EXEC", "GET r", "WATCH x", "B:SET x 1", "RESET", "MULTI", "PING", "EXEC"} {
		if strings.HasPrefix(c, "B:") {
			d.b(t, txArgs(c[2:])...)
		} else {
			d.a(t, txArgs(c)...)
		}
	}
	// RESP3.
	d.h.Both(t, "HELLO", "3")
	for _, c := range []string{
		"FLUSHALL", "HSET h f v g w",
		"MULTI", "HGETALL h", "GET nokey", "SMEMBERS noset", "INCRBYFLOAT fl 1.5", "ZADD z 1.5 m", "ZSCORE z m",
		"ZRANGE z 0 -1 WITHSCORES", "BLPOP empty 0", "BLMOVE a b LEFT LEFT 0", "ZPOPMIN z", "NOSUCH", "EXEC",
		"MULTI", "HGETALL h", "LPUSH h x", "EXEC",
		"WATCH h",
	} {
		d.a(t, txArgs(c)...)
	}
	d.b(t, "DEL", "h")
	for _, c := range []string{"MULTI", "PING", "EXEC"} {
		d.a(t, txArgs(c)...)
	}
}

// txTouchCases are WATCH conflicts: "watched-key | write on B". Each runs
// on the txTouchFixture data; A watches the key, B writes, A runs MULTI
// PING EXEC: a nil EXEC means the write touched the key (Redis's
// signalModifiedKey). Both directions matter: a missed touch breaks
// optimistic locking, an extra one fails transactions Redis runs.
var txTouchCases = []string{
	// strings (t_string.c)
	"s | SET s x", "s | SET s hello", "s | SETNX s x", "s | SET s x NX", "s | SET s x XX", "nk | SET nk x XX",
	"nk | SETNX nk x", "s | GETSET s x", "s | GETDEL s", "nk | GETDEL nk", "s | GETEX s", "s | GETEX s PERSIST",
	"e | GETEX e PERSIST", "s | GETEX s EX 100", "s | GETEX s PXAT 1", "s | APPEND s x", `s | APPEND s ""`,
	`nk | APPEND nk ""`, `s | SETRANGE s 0 ""`, `nk | SETRANGE nk 0 ""`, "s | SETRANGE s 1 x", "n | INCR n",
	"n | DECR n", "n | INCRBY n 0", "n | DECRBY n 5", "n | INCRBYFLOAT n 0", "s | INCR s", "s | MSET s x n 1",
	"s | MSETNX s x nk 1", "nk | MSETNX nk 1 nk2 2", "s | PSETEX s 100000 x", "s | SETEX s 100 x",
	"s | SET s x EX 100 GET", "s | SET s x PXAT 1", "nk | SET nk x PXAT 1", "s | SET s x KEEPTTL", "s | GET s",
	"s | STRLEN s", "s | GETRANGE s 0 1", "s | MGET s n",
	// bits (bitops.c)
	"s | SETBIT s 0 1", "s | SETBIT s 1 1", "nk | SETBIT nk 0 0", "s | BITFIELD s SET u8 0 1", "s | BITFIELD s GET u8 0",
	"s | BITFIELD s INCRBY u8 0 0", "dst | BITOP AND dst s s", "s | BITOP AND s nk nk", "nk | BITOP AND nk nk2 nk3",
	"s | BITCOUNT s", "s | BITPOS s 1", "s | GETBIT s 0",
	// keyspace (db.c, expire.c)
	"s | DEL s", "nk | DEL nk", "s | UNLINK s", "s | EXPIRE s 100", "e | EXPIRE e 100 NX", "s | EXPIRE s 100 XX",
	"s | EXPIRE s -1", "s | PEXPIRE s 100000", "s | EXPIREAT s 1", "s | PEXPIREAT s 4000000000000", "e | PERSIST e",
	"s | PERSIST s", "nk | EXPIRE nk 100", "s | RENAME s s2", "s2 | RENAME s s2", "s | RENAME s s", "s | RENAMENX s n",
	"n | RENAMENX s n", "nk | RENAMENX s nk", "s | MOVE s 1", "s | COPY s s2", "s2 | COPY s s2", "n | COPY s n",
	"n | COPY s n REPLACE", "s | COPY s s DB 1", "s | TOUCH s", "s | EXISTS s", "s | TYPE s", "s | OBJECT ENCODING s",
	"s | TTL s", "s | FLUSHDB", "nk | FLUSHDB", "s | FLUSHALL", "s | FLUSHDB ASYNC", "s | SWAPDB 0 1", "nk | SWAPDB 0 1",
	"s | SWAPDB 1 2", "s | DBSIZE", "s | KEYS *", "s | SCAN 0", "s | RANDOMKEY",
	// lists (t_list.c)
	"l | LPUSH l x", "l | RPUSH l x", "nk | LPUSHX nk x", "l | LPUSHX l x", "l | LPOP l", "nk | LPOP nk", "l | RPOP l 0",
	"l | RPOP l 5", "l | LINSERT l BEFORE a x", "l | LINSERT l BEFORE zz x", "l | LREM l 0 a", "l | LREM l 0 zz",
	"l | LSET l 0 x", "l | LSET l 0 a", "l | LTRIM l 0 -1", "l | LTRIM l 5 10", "l | LMOVE l l2 LEFT RIGHT",
	"l2 | LMOVE l l2 LEFT RIGHT", "l | LMOVE l l LEFT RIGHT", "l | RPOPLPUSH l l", "l | LMPOP 1 l LEFT",
	"l | BLPOP l 0", "l | BRPOP l 0", "l | BLMOVE l l2 LEFT LEFT 0", "l2 | BRPOPLPUSH l l2 0", "l | BLMPOP 0 1 l RIGHT",
	"l | RPUSHX l x", "nk | RPUSHX nk x", "l | RPOP l", "st | SPOP st", "st | SMOVE st nk a", "h | HSET h new v",
	"l | LRANGE l 0 -1", "l | LINDEX l 0", "l | LPOS l a", "l | SORT l STORE dst", "dst | SORT l STORE dst",
	"l | SORT nk STORE l", "nk | SORT nk STORE nk", "l | SORT l", "l | SORT_RO l",
	// hashes (t_hash.c)
	"h | HSET h f 1", "h | HSET h f x", "h | HSETNX h f x", "h | HSETNX h new x", "h | HDEL h f", "h | HDEL h zz",
	"h | HINCRBY h f 1", "h | HINCRBYFLOAT h f 1.5", "h | HMSET h f 1", "h | HGET h f", "h | HGETALL h", "h | HLEN h",
	// sets (t_set.c)
	"st | SADD st a", "st | SADD st z", "st | SREM st a", "st | SREM st zz", "st | SPOP st 0", "st | SPOP st 5",
	"st | SMOVE st st2 a", "st2 | SMOVE st st2 a", "st | SMOVE st st2 zz", "st | SMOVE st st a",
	"dst | SINTERSTORE dst st st", "dst | SUNIONSTORE dst st", "dst | SDIFFSTORE dst st st", "nk | SDIFFSTORE nk st st",
	"st | SINTERSTORE st st nk", "st | SISMEMBER st a", "st | SCARD st", "st | SMEMBERS st",
	// sorted sets (t_zset.c)
	"z | ZADD z 1 a", "z | ZADD z 5 a", "z | ZADD z NX 5 a", "z | ZADD z XX 5 zz", "z | ZADD z INCR 0 a",
	"z | ZINCRBY z 1 a", "z | ZINCRBY z 0 a", "z | ZREM z a", "z | ZREM z zz", "z | ZREMRANGEBYSCORE z 10 20",
	"z | ZREMRANGEBYSCORE z 1 1", "z | ZREMRANGEBYRANK z 0 0", "z | ZREMRANGEBYRANK z 5 9", "z | ZREMRANGEBYLEX z [a [a",
	"z | ZREMRANGEBYLEX z [zz [zzz", "z | ZPOPMIN z", "z | ZPOPMAX z 0", "z | ZMPOP 1 z MIN", "z | BZPOPMIN z 0",
	"z | BZMPOP 0 1 z MAX", "z | BZPOPMAX z 0", "z | ZPOPMAX z", "z | ZPOPMIN z 0", "dst | ZUNIONSTORE dst 1 z", "dst | ZINTERSTORE dst 2 z nk", "nk | ZINTERSTORE nk 2 z nk",
	"dst | ZDIFFSTORE dst 1 z", "dst | ZRANGESTORE dst z 0 -1", "dst | ZRANGESTORE dst z 5 10",
	"nk | ZRANGESTORE nk z 5 10", "z | ZRANGE z 0 -1", "z | ZSCORE z a", "z | ZCARD z",
	// transactions of B
	"s | MULTI ; SET s y ; EXEC", "s | MULTI ; SET s y ; DISCARD", "s | MULTI ; GET s ; EXEC",
	"s | MULTI ; SET s y ; NOSUCH ; EXEC", "s | WATCH s ; MULTI ; SET s y ; EXEC",
}

// txTouchFixture is the data every touch case starts from (db 0, plus an
// "s" in db 1 for SWAPDB 1 2 and MOVE).
var txTouchFixture = []string{
	"FLUSHALL", "SELECT 1", "SET s other", "SELECT 0",
	"SET s hello", "SET n 10", "SET e v EX 1000", "RPUSH l a b c", "HSET h f 1 g 2", "SADD st a b c",
	"ZADD z 1 a 2 b 3 c", "SET dst old",
}

func TestMultiDiffWatchTouch(t *testing.T) {
	d := txStartDuo(t)
	for _, tc := range txTouchCases {
		key, ops, ok := strings.Cut(tc, "|")
		if !ok {
			t.Fatalf("bad case %q", tc)
		}
		key = strings.TrimSpace(key)
		for _, c := range txTouchFixture {
			d.a(t, txArgs(c)...)
		}
		d.a(t, "WATCH", key)
		for _, op := range strings.Split(ops, ";") {
			args := txArgs(op)
			switch strings.ToUpper(args[0]) {
			case "KEYS", "SCAN", "RANDOMKEY", "SPOP", "SMEMBERS":
				// hash-table order: not compared
				d.rb.Send(t, Encode(nil, args...), 1)
				d.cb.Send(t, Encode(nil, args...), 1)
			default:
				d.b(t, args...)
			}
		}
		d.b(t, "SELECT", "0")
		d.a(t, "MULTI")
		d.a(t, "PING")
		want, got := d.h.Both(t, "EXEC")
		if !bytes.Equal(want, got) {
			t.Errorf("WATCH %s, then %s: EXEC\n redis:    %q\n cinnabar: %q", key, ops, want, got)
		}
	}
}

// TestMultiDiffWatchServedBlocked: a client blocked on BLMOVE that is
// served by a push from B writes its destination: a WATCH of the
// destination (or of the source) sees it.
func TestMultiDiffWatchServedBlocked(t *testing.T) {
	d := txStartDuo(t)
	rc, cc := Dial(t, d.h.Redis.Addr), Dial(t, d.h.Cinnabar.Addr)
	for _, watched := range []string{"dst", "src"} {
		d.a(t, "FLUSHALL")
		d.a(t, "SET", "dst0", "x")
		for _, p := range []*Peer{rc, cc} {
			if _, err := p.Conn.Write(Encode(nil, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")); err != nil {
				t.Fatal(err)
			}
		}
		// Wait until both servers count the blocked client.
		deadline := time.Now().Add(5 * time.Second)
		for {
			r, c := d.rb.Send(t, Encode(nil, "INFO", "clients"), 1)[0], d.cb.Send(t, Encode(nil, "INFO", "clients"), 1)[0]
			if bytes.Contains(r, []byte("blocked_clients:1")) && bytes.Contains(c, []byte("blocked_clients:1")) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("BLMOVE did not block")
			}
			time.Sleep(5 * time.Millisecond)
		}
		d.a(t, "WATCH", watched)
		d.b(t, "RPUSH", "src", "a", "b")
		want, got := rc.Send(t, nil, 1)[0], cc.Send(t, nil, 1)[0]
		if !bytes.Equal(want, got) {
			t.Errorf("BLMOVE: redis %q, cinnabar %q", want, got)
		}
		d.a(t, "MULTI")
		d.a(t, "LRANGE", "dst", "0", "-1")
		if rep := d.a(t, "EXEC"); string(rep) != "*-1\r\n" {
			t.Errorf("WATCH %s: EXEC = %q, want a nil array", watched, rep)
		}
	}
}

// TestMultiDiffWatchExpiry: expiry against WATCH, on the wall clock (the
// real server has no other): keys with 1-30 ms TTLs, active expiry off.
func TestMultiDiffWatchExpiry(t *testing.T) {
	d := txStartDuo(t)
	sleep := func() { time.Sleep(40 * time.Millisecond) }
	d.a(t, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	steps := []func(){
		func() { // expires between WATCH and EXEC
			d.a(t, "SET", "key", "1", "PX", "30")
			d.a(t, "WATCH", "key")
			sleep()
			d.a(t, "MULTI")
			d.a(t, "INCR", "key")
		},
		func() { // stale when watched
			d.a(t, "SET", "x", "foo", "PX", "1")
			sleep()
			d.a(t, "WATCH", "x")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // stale when watched, then deleted by a lookup
			d.a(t, "SET", "x", "foo", "PX", "1")
			sleep()
			d.a(t, "WATCH", "x")
			d.a(t, "EXISTS", "x")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // stale when watched, then FLUSHDB
			d.a(t, "SET", "x", "foo", "PX", "1")
			sleep()
			d.a(t, "WATCH", "x")
			d.a(t, "FLUSHDB")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // live when watched, expired at FLUSHDB
			d.a(t, "SET", "x", "foo", "PX", "30")
			d.a(t, "WATCH", "x")
			sleep()
			d.a(t, "FLUSHDB")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // SWAPDB: no key replaced by a stale one
			d.a(t, "FLUSHALL")
			d.a(t, "SET", "x", "foo", "PX", "1")
			sleep()
			d.a(t, "SELECT", "1")
			d.a(t, "WATCH", "x")
			d.a(t, "SWAPDB", "0", "1")
			d.a(t, "SELECT", "0")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // SWAPDB: a live key replaced by one that expired since
			d.a(t, "FLUSHALL")
			d.a(t, "SET", "x", "foo", "PX", "30")
			d.a(t, "SELECT", "1")
			d.a(t, "SET", "x", "bar", "PX", "30")
			d.a(t, "WATCH", "x")
			sleep()
			d.a(t, "SWAPDB", "0", "1")
			d.a(t, "SELECT", "0")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
		func() { // B reads the expired key first (lazy expiry on B)
			d.a(t, "SET", "x", "foo", "PX", "30")
			d.a(t, "WATCH", "x")
			sleep()
			d.b(t, "GET", "x")
			d.a(t, "MULTI")
			d.a(t, "PING")
		},
	}
	for _, st := range steps {
		st()
		d.a(t, "EXEC")
		d.a(t, "UNWATCH")
	}
	d.a(t, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
}

// TestMultiDiffClientList: CLIENT LIST's flags, db, multi and cmd fields
// of A through a transaction, seen from B.
func TestMultiDiffClientList(t *testing.T) {
	d := txStartDuo(t)
	fields := func(raw []byte) string {
		for _, line := range strings.Split(string(raw), "\n") {
			if !strings.Contains(line, " name=A ") {
				continue
			}
			var out []string
			for _, f := range strings.Fields(line) {
				for _, n := range []string{"flags=", "db=", "multi=", "cmd="} {
					if strings.HasPrefix(f, n) {
						out = append(out, f)
					}
				}
			}
			return strings.Join(out, " ")
		}
		return "no client A"
	}
	check := func(step string) {
		t.Helper()
		raw := Encode(nil, "CLIENT", "LIST")
		want, got := fields(d.rb.Send(t, raw, 1)[0]), fields(d.cb.Send(t, raw, 1)[0])
		if want != got {
			t.Errorf("after %s: redis %q, cinnabar %q", step, want, got)
		}
	}
	for _, c := range []string{
		"PING", "MULTI", "SET a 1", "SELECT 2", "GET a", "NOSUCH x", "SET b 2", "EXEC",
		"WATCH w", "MULTI", "GET a", "DISCARD", "WATCH w", "B:SET w 1", "MULTI", "SET a 1", "GET a", "EXEC",
		"MULTI", "GET", "SET a 1", "EXEC",
	} {
		if strings.HasPrefix(c, "B:") {
			d.b(t, txArgs(c[2:])...)
		} else {
			d.a(t, txArgs(c)...)
		}
		check(c)
	}
}

// TestMultiDiffMonitor: what MONITOR shows of transactions: MULTI, the
// queued commands when EXEC runs them (in their database), EXEC; MULTI
// and EXEC only for an aborted one (introspection.tcl "MONITOR correctly
// handles multi-exec cases"; execCommandAbort feeds the rejected EXEC).
func TestMultiDiffMonitor(t *testing.T) {
	d := txStartDuo(t)
	rm, cm := Dial(t, d.h.Redis.Addr), Dial(t, d.h.Cinnabar.Addr)
	rm.Send(t, Encode(nil, "MONITOR"), 1)
	cm.Send(t, Encode(nil, "MONITOR"), 1)
	script := []string{
		"MULTI", "SET foo bar", "SELECT 2", "GET foo", "EXEC",
		"MULTI", "SYNTAX ERROR", "EXEC",
		"MULTI", "SET x y", "DISCARD",
		"WATCH foo", "MULTI", "INCR foo", "EXEC x",
		"SELECT 0", "WATCH foo", "B:SET foo 1", "MULTI", "INCR foo", "EXEC",
		"MULTI", "LPUSH l a", "BLPOP l 0", "BLPOP l 0", "EXEC",
		"ECHO done",
	}
	n := 0
	for _, c := range script {
		if strings.HasPrefix(c, "B:") {
			d.b(t, txArgs(c[2:])...)
		} else {
			d.a(t, txArgs(c)...)
		}
	}
	// Count the lines Redis wrote, up to the ECHO.
	norm := func(line []byte) string {
		s := string(line)
		// "+1700000000.123456 [0 127.0.0.1:1234] ..." -> "[0] ..."
		if sp := strings.IndexByte(s, ' '); sp > 0 {
			s = s[sp+1:]
		}
		if a, b := strings.IndexByte(s, ' '), strings.IndexByte(s, ']'); a > 0 && b > a {
			s = s[:a] + s[b:]
		}
		return strings.TrimSuffix(s, "\r\n")
	}
	for n = 0; n < 100; n++ {
		want := norm(rm.Send(t, nil, 1)[0])
		got := norm(cm.Send(t, nil, 1)[0])
		if want != got {
			t.Errorf("monitor line %d: redis %q, cinnabar %q", n, want, got)
		}
		if strings.Contains(want, `"ECHO" "done"`) || strings.Contains(got, `"ECHO" "done"`) {
			break
		}
	}
	if n < 20 {
		t.Errorf("only %d monitor lines", n)
	}
}

// TestMultiDiffRandom: seeded random transactions on A, with random writes
// from B between A's WATCH and EXEC, queueing errors now and then.
func TestMultiDiffRandom(t *testing.T) {
	d := txStartDuo(t)
	r := d.h.Rand()
	keys := []string{"k0", "k1", "k2", "k3", "k4"}
	key := func() string { return keys[r.IntN(len(keys))] }
	num := func() string { return strconv.Itoa(r.IntN(20) - 5) }
	cmd := func() []string {
		switch r.IntN(24) {
		case 0:
			return []string{"SET", key(), num()}
		case 1:
			return []string{"GET", key()}
		case 2:
			return []string{"INCR", key()}
		case 3:
			return []string{"DEL", key(), key()}
		case 4:
			return []string{"APPEND", key(), "x"}
		case 5:
			return []string{"LPUSH", key(), num()}
		case 6:
			return []string{"RPOP", key()}
		case 7:
			return []string{"LRANGE", key(), "0", "-1"}
		case 8:
			return []string{"SADD", key(), num()}
		case 9:
			return []string{"SCARD", key()}
		case 10:
			return []string{"HSET", key(), "f" + num(), num()}
		case 11:
			return []string{"HGET", key(), "f1"}
		case 12:
			return []string{"ZADD", key(), num(), "m" + num()}
		case 13:
			return []string{"ZRANGE", key(), "0", "-1", "WITHSCORES"}
		case 14:
			return []string{"EXISTS", key(), key()}
		case 15:
			return []string{"TYPE", key()}
		case 16:
			return []string{"RENAME", key(), key()}
		case 17:
			return []string{"EXPIRE", key(), "1000"}
		case 18:
			return []string{"PERSIST", key()}
		case 19:
			return []string{"MSET", key(), num(), key(), num()}
		case 20:
			return []string{"MGET", key(), key(), key()}
		case 21:
			return []string{"SELECT", strconv.Itoa(r.IntN(2))}
		case 22:
			return []string{"INCRBY", key(), num()}
		}
		return []string{"STRLEN", key()}
	}
	bad := func() []string {
		switch r.IntN(3) {
		case 0:
			return []string{"NOSUCHCMD", key()}
		case 1:
			return []string{"GET"}
		}
		return []string{"SET", key()}
	}
	ran, aborted, execAbort := 0, 0, 0
	for i := 0; i < 250; i++ {
		if r.IntN(30) == 0 {
			d.a(t, "FLUSHALL")
		}
		watched := r.IntN(2) == 0
		if watched {
			w := []string{"WATCH"}
			for j := r.IntN(3); j >= 0; j-- {
				w = append(w, key())
			}
			d.a(t, w...)
		}
		if r.IntN(2) == 0 { // B writes (or reads) before MULTI
			d.b(t, cmd()...)
		}
		d.a(t, "MULTI")
		for j := r.IntN(6); j >= 0; j-- {
			if r.IntN(25) == 0 {
				d.a(t, bad()...)
			} else {
				d.a(t, cmd()...)
			}
			if r.IntN(5) == 0 { // B interleaves while A queues
				d.b(t, cmd()...)
			}
		}
		switch r.IntN(10) {
		case 0:
			d.a(t, "DISCARD")
		default:
			switch rep := string(d.a(t, "EXEC")); {
			case rep == "*-1\r\n":
				aborted++
			case strings.HasPrefix(rep, "-EXECABORT"):
				execAbort++
			default:
				ran++
			}
		}
		if r.IntN(10) == 0 {
			d.a(t, "UNWATCH")
		}
	}
	t.Logf("%d transactions ran, %d aborted by WATCH, %d by queueing errors", ran, aborted, execAbort)
	// The final state, key by key in both databases.
	for _, db := range []string{"0", "1"} {
		d.a(t, "SELECT", db)
		for _, k := range keys {
			switch string(d.a(t, "TYPE", k)) {
			case "+string\r\n":
				d.a(t, "GET", k)
			case "+list\r\n":
				d.a(t, "LRANGE", k, "0", "-1")
			case "+zset\r\n":
				d.a(t, "ZRANGE", k, "0", "-1", "WITHSCORES")
			case "+hash\r\n":
				d.a(t, "HLEN", k)
			case "+set\r\n":
				d.a(t, "SCARD", k)
			}
		}
	}
}
