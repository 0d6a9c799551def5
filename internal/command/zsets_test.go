package command_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
)

// The sorted set tests are scripts of "COMMAND args => reply" lines sent
// over raw RESP. Arguments are separated by spaces; an argument may be a
// Go-quoted string. Replies render as: +OK, -ERR text, :1, ,1.5 (RESP3
// double), "bulk" (Go-quoted), (nil) for $-1, (nil*) for *-1, _ for the
// RESP3 null, [a, b] for arrays, {k: v} for maps. "HELLO 3 => *" ignores
// the reply. "@set key m1 m2 ..." makes key a plain set (through the
// keyspace, or SADD against a reference server).
//
// Expected replies come from redis-server 7.0.15 (t_zset.c); set
// CINNABAR_ZSET_REFERENCE=host:port to run the scripts against a real
// Redis and check them again.

type zsConn struct {
	c   net.Conn
	r   *bufio.Reader
	s   *servertest.Server // nil against a reference server
	ref bool
}

// zsStart starts a server (or connects to the reference) and returns a
// connection to it on a flushed keyspace.
func zsStart(t *testing.T, args ...string) *zsConn {
	t.Helper()
	if addr := os.Getenv("CINNABAR_ZSET_REFERENCE"); addr != "" {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		zc := &zsConn{c: c, r: bufio.NewReader(c), ref: true}
		zc.do(t, "FLUSHALL")
		for i := 0; i+1 < len(args); i += 2 {
			zc.do(t, "CONFIG", "SET", strings.TrimPrefix(args[i], "--"), args[i+1])
		}
		t.Cleanup(func() {
			zc.do(t, "HELLO", "2")
			zc.do(t, "CONFIG", "SET", "zset-max-listpack-entries", "128")
			zc.do(t, "CONFIG", "SET", "zset-max-listpack-value", "64")
		})
		return zc
	}
	s := servertest.Start(t, args)
	c := s.Dial(t)
	return &zsConn{c: c, r: bufio.NewReader(c), s: s}
}

func (zc *zsConn) do(t *testing.T, args ...string) string {
	t.Helper()
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	_ = zc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := zc.c.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
	r, err := zsRender(zc.r)
	if err != nil {
		t.Fatalf("%q: read reply: %v", args, err)
	}
	return r
}

// zsRender reads one reply and renders it (see the top of the file).
func zsRender(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return "", errors.New("bad reply line " + strconv.Quote(line))
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '#', '(':
		return line[:len(line)-2], nil
	case '_':
		return "_", nil
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil)", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return strconv.Quote(string(buf[:n])), nil
	case '*', '%', '~':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil*)", nil
		}
		open, end := "[", "]"
		switch line[0] {
		case '%':
			open, end = "{", "}"
			n *= 2
		case '~':
			open = "~["
		}
		var sb strings.Builder
		sb.WriteString(open)
		for i := 0; i < n; i++ {
			if i > 0 {
				if line[0] == '%' && i%2 == 1 {
					sb.WriteString(": ")
				} else {
					sb.WriteString(", ")
				}
			}
			e, err := zsRender(r)
			if err != nil {
				return "", err
			}
			sb.WriteString(e)
		}
		sb.WriteString(end)
		return sb.String(), nil
	}
	return "", errors.New("unknown reply type " + strconv.Quote(line))
}

func zsSplit(t *testing.T, line string) []string {
	t.Helper()
	var args []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				t.Fatalf("bad quoted argument in %q: %v", line, err)
			}
			a, _ := strconv.Unquote(q)
			args = append(args, a)
			line = line[len(q):]
			continue
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		args = append(args, line[:i])
		line = line[i:]
	}
	return args
}

// seedSet makes key a plain set holding members.
func (zc *zsConn) seedSet(t *testing.T, key string, members []string) {
	t.Helper()
	if zc.ref {
		zc.do(t, append([]string{"SADD", key}, members...)...)
		return
	}
	var st set.Set
	for _, m := range members {
		st.Add([]byte(m), set.DefaultMaxIntsetEntries)
	}
	e := zc.s.Engine()
	shard := []int{e.KS.ShardOf([]byte(key))}
	e.KS.Lock(shard)
	e.KS.DB(0).SetObject([]byte(key), keyspace.TypeSet, &st, keyspace.NoExpire)
	e.KS.Release(shard)
}

// run runs a script (see the top of the file).
func (zc *zsConn) run(t *testing.T, script string) {
	t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "@set "); ok {
			args := zsSplit(t, rest)
			zc.seedSet(t, args[0], args[1:])
			continue
		}
		cmd, want, ok := strings.Cut(line, " => ")
		if !ok {
			t.Fatalf("script line without ' => ': %q", line)
		}
		got := zc.do(t, zsSplit(t, cmd)...)
		if want != "*" && got != want {
			t.Errorf("%s\n got: %s\nwant: %s", cmd, got, want)
		}
	}
}

// Source: zaddGenericCommand and zsetAdd in t_zset.c; zset.tcl "ZADD XX
// option without key", "ZADD GT/LT", "ZADD INCR works like ZINCRBY",
// "ZADD - Variadic version".
func TestZaddOptions(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c => :3
ZADD z 1 a => :0
ZADD z CH 1 a 5 b 4 d => :2
ZADD z XX 10 a 10 nope => :0
ZSCORE z a => "10"
ZSCORE z nope => (nil)
ZADD z NX 20 a 7 e => :1
ZSCORE z a => "10"
ZADD z XX CH 11 a 12 nope => :1
ZADD z GT CH 5 a 50 b 1 f => :2
ZSCORE z a => "11"
ZSCORE z b => "50"
ZADD z LT CH 5 a 50 b => :1
ZADD z XX LT 100 a => :0
ZADD z xx gt ch 100 a => :1
ZADD z NX XX 1 a => -ERR XX and NX options at the same time are not compatible
ZADD z GT LT 1 a => -ERR GT, LT, and/or NX options at the same time are not compatible
ZADD z NX GT 1 a => -ERR GT, LT, and/or NX options at the same time are not compatible
ZADD z NX LT 1 a => -ERR GT, LT, and/or NX options at the same time are not compatible
ZADD z INCR 1 a 1 b => -ERR INCR option supports a single increment-element pair
ZADD z => -ERR wrong number of arguments for 'zadd' command
ZADD z 1 => -ERR wrong number of arguments for 'zadd' command
ZADD z 1 a 2 => -ERR syntax error
ZADD z NX 1 => -ERR syntax error
ZADD z x a => -ERR value is not a valid float
ZADD z 1 a x b => -ERR value is not a valid float
ZSCORE z a => "100"
ZADD z INCR 5 a => "105"
ZADD z INCR NX 5 a => (nil)
ZADD z INCR XX 5 nope => (nil)
ZADD z INCR GT -1 a => (nil)
ZADD z INCR LT -1 a => "104"
ZADD z INCR +inf inf => "inf"
ZADD z INCR -inf inf => -ERR resulting score is not a number (NaN)
ZINCRBY z -inf inf => -ERR resulting score is not a number (NaN)
ZSCORE z inf => "inf"
ZINCRBY z 2.5 a => "106.5"
ZINCRBY z 1 new => "1"
ZINCRBY z x a => -ERR value is not a valid float
ZINCRBY z nx a => -ERR syntax error
ZINCRBY z 1 a b => -ERR wrong number of arguments for 'zincrby' command
ZADD missing XX 1 a => :0
EXISTS missing => :0
ZADD missing XX INCR 1 a => (nil)
EXISTS missing => :0
ZADD missing GT 1 a => :1
ZADD missing2 NX CH 1 a 1 a => :1
SET str x => +OK
ZADD str 1 a => -WRONGTYPE Operation against a key holding the wrong kind of value
ZINCRBY str 1 a => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// Source: string2d and zslParseRange (strtod) in Redis's util.c and
// t_zset.c: ZADD takes exactly what string2d accepts; ranges accept
// strtod's prefix up to the end of the C string.
func TestZsetScoreParsing(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 0x10 hex => :1
ZSCORE z hex => "16"
ZADD z 0X1.8P1 hex => :0
ZSCORE z hex => "3"
ZADD z -Infinity ninf +inf pinf INF inf2 => :3
ZSCORE z ninf => "-inf"
ZADD z 1e-310 tiny => :1
ZSCORE z tiny => "9.9999999999999694e-311"
ZADD z 0e-400 zero => :1
ZADD z .5 half 1. one +2 two => :3
ZRANGE z 0 -1 WITHSCORES => ["ninf", "-inf", "zero", "0", "tiny", "9.9999999999999694e-311", "half", "0.5", "one", "1", "two", "2", "hex", "3", "inf2", "inf", "pinf", "inf"]
ZADD z nan a => -ERR value is not a valid float
ZADD z "nan(123)" a => -ERR value is not a valid float
ZADD z " 1" a => -ERR value is not a valid float
ZADD z "1 " a => -ERR value is not a valid float
ZADD z "" a => -ERR value is not a valid float
ZADD z 1e400 a => -ERR value is not a valid float
ZADD z 1e-400 a => -ERR value is not a valid float
ZADD z . a => -ERR value is not a valid float
ZADD z 0x a => -ERR value is not a valid float
ZADD z 1e a => -ERR value is not a valid float
ZADD z 0x1p a => -ERR value is not a valid float
ZADD z 1_0 a => -ERR value is not a valid float
ZADD z infinit a => -ERR value is not a valid float
ZADD z "1\x00" a => -ERR value is not a valid float
ZADD z 0.1 a 0.30000000000000004 b 123456789012345678 c 1e17 d => :4
ZRANGE z 0.1 1e17 BYSCORE WITHSCORES => ["a", "0.10000000000000001", "b", "0.30000000000000004", "half", "0.5", "one", "1", "two", "2", "hex", "3", "d", "1e+17"]
ZRANGE z (1e17 +inf BYSCORE WITHSCORES => ["c", "1.2345678901234568e+17", "inf2", "inf", "pinf", "inf"]
DEL z => :1
ZADD z 1 a 2 b 3 c => :3
ZCOUNT z "" +inf => :3
ZCOUNT z -inf "(" => :0
ZCOUNT z " 1" " 2" => :2
ZCOUNT z "( 1" 3 => :2
ZCOUNT z "2\x00junk" 3 => :2
ZCOUNT z 1e400 (1e400 => :0
ZCOUNT z 0x1p1 inf => :2
ZCOUNT z -inf 1e-400 => :0
ZCOUNT z (1 (3 => :1
ZCOUNT z 3 1 => :0
ZCOUNT z (2 2 => :0
ZCOUNT z nan 1 => -ERR min or max is not a float
ZCOUNT z 1 (nan => -ERR min or max is not a float
ZCOUNT z 1x 2 => -ERR min or max is not a float
ZCOUNT z "  " 2 => -ERR min or max is not a float
ZCOUNT z - 2 => -ERR min or max is not a float
ZCOUNT z 0x 2 => -ERR min or max is not a float
ZCOUNT nokey x 1 => -ERR min or max is not a float
ZCOUNT nokey 1 2 => :0
`)
}

// Source: zrangeGenericCommand, genericZrangebyrankCommand,
// genericZrangebyscoreCommand, genericZrangebylexCommand in t_zset.c;
// zset.tcl "ZRANGE basics", "ZRANGEBYSCORE with LIMIT", "ZRANGEBYLEX with
// LIMIT", "ZRANGE invalid syntax".
func TestZrange(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c 4 d 5 e => :5
ZRANGE z 0 -1 => ["a", "b", "c", "d", "e"]
ZRANGE z 1 2 WITHSCORES => ["b", "2", "c", "3"]
ZRANGE z -2 100 => ["d", "e"]
ZRANGE z -100 0 => ["a"]
ZRANGE z 3 1 => []
ZRANGE z 5 10 => []
ZRANGE z 0 1 REV => ["e", "d"]
ZREVRANGE z 0 1 WITHSCORES => ["e", "5", "d", "4"]
ZREVRANGE z 0 1 REV => -ERR syntax error
ZREVRANGE z 0 1 LIMIT 0 1 => -ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX
ZRANGE z 0 1 LIMIT 0 1 => -ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX
ZRANGE z 0 1 LIMIT 0 -1 => ["a", "b"]
ZRANGE z 0 1 LIMIT 0 => -ERR syntax error
ZRANGE z 0 1 REV REV => -ERR syntax error
ZRANGE z 0 1 BYSCORE BYLEX => -ERR syntax error
ZRANGE z a 1 => -ERR value is not an integer or out of range
ZRANGE z 0 1 LIMIT x 1 => -ERR value is not an integer or out of range
ZRANGE z (1 4 BYSCORE => ["b", "c", "d"]
ZRANGE z 4 (1 BYSCORE REV WITHSCORES => ["d", "4", "c", "3", "b", "2"]
ZRANGE z -inf +inf BYSCORE LIMIT 1 2 => ["b", "c"]
ZRANGE z -inf +inf BYSCORE LIMIT 3 -1 => ["d", "e"]
ZRANGE z -inf +inf BYSCORE LIMIT -1 2 => []
ZRANGE z -inf +inf BYSCORE LIMIT 5 1 => []
ZRANGE z -inf +inf BYSCORE LIMIT 0 0 => []
ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 => ["d", "c"]
ZRANGE z - + BYLEX WITHSCORES => -ERR syntax error, WITHSCORES not supported in combination with BYLEX
ZRANGE z [b (d BYLEX => ["b", "c"]
ZRANGE z (d [b BYLEX REV => ["c", "b"]
ZRANGE z [a + BYLEX LIMIT 1 2 => ["b", "c"]
ZRANGE z b d BYLEX => -ERR min or max not valid string range item
ZRANGEBYSCORE z 2 4 => ["b", "c", "d"]
ZRANGEBYSCORE z (2 4 WITHSCORES LIMIT 1 1 => ["d", "4"]
ZRANGEBYSCORE z 4 2 => []
ZRANGEBYSCORE z 2 4 REV => -ERR syntax error
ZRANGEBYSCORE z x 4 => -ERR min or max is not a float
ZREVRANGEBYSCORE z 4 2 => ["d", "c", "b"]
ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2 WITHSCORES => ["d", "4", "c", "3"]
ZREVRANGEBYSCORE z 2 4 => []
ZRANGE nokey 0 -1 => []
ZRANGE nokey x y BYSCORE => -ERR min or max is not a float
ZRANGE nokey 0 1 BYSCORE => []
SET str x => +OK
ZRANGE str 0 -1 => -WRONGTYPE Operation against a key holding the wrong kind of value
ZRANGEBYSCORE str 0 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g => :7
ZRANGEBYLEX lex - + => ["a", "b", "c", "d", "e", "f", "g"]
ZRANGEBYLEX lex - + LIMIT 2 3 => ["c", "d", "e"]
ZRANGEBYLEX lex [b (e => ["b", "c", "d"]
ZRANGEBYLEX lex (b [e => ["c", "d", "e"]
ZRANGEBYLEX lex + - => []
ZRANGEBYLEX lex [z + => []
ZRANGEBYLEX lex - [ => []
ZRANGEBYLEX lex ( + => ["a", "b", "c", "d", "e", "f", "g"]
ZRANGEBYLEX lex "+\x00x" - => []
ZRANGEBYLEX lex - "+\x00x" LIMIT 0 1 => ["a"]
ZRANGEBYLEX lex +x + => -ERR min or max not valid string range item
ZRANGEBYLEX lex "" + => -ERR min or max not valid string range item
ZRANGEBYLEX lex a + => -ERR min or max not valid string range item
ZRANGEBYLEX lex - + WITHSCORES => -ERR syntax error, WITHSCORES not supported in combination with BYLEX
ZREVRANGEBYLEX lex + - LIMIT 0 2 => ["g", "f"]
ZREVRANGEBYLEX lex [e (b => ["e", "d", "c"]
ZREVRANGEBYLEX lex - + => []
ZLEXCOUNT lex - + => :7
ZLEXCOUNT lex [b (e => :3
ZLEXCOUNT lex (g + => :0
ZLEXCOUNT lex b e => -ERR min or max not valid string range item
ZLEXCOUNT nokey - + => :0
ZLEXCOUNT str - + => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// Source: zrangestoreCommand and zrangeResultBeginStore/FinalizeStore in
// t_zset.c; zset.tcl "ZRANGESTORE basic", "ZRANGESTORE BYLEX", "ZRANGESTORE
// - empty range", "ZRANGESTORE invalid syntax".
func TestZrangestore(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c 4 d => :4
ZRANGESTORE dst z 0 -1 => :4
ZRANGE dst 0 -1 WITHSCORES => ["a", "1", "b", "2", "c", "3", "d", "4"]
ZRANGESTORE dst z 1 2 REV => :2
ZRANGE dst 0 -1 WITHSCORES => ["b", "2", "c", "3"]
ZRANGESTORE dst z (1 +inf BYSCORE LIMIT 1 5 => :2
ZRANGE dst 0 -1 => ["c", "d"]
ZRANGESTORE dst z [b [c BYLEX => :2
ZRANGE dst 0 -1 WITHSCORES => ["b", "2", "c", "3"]
ZRANGESTORE dst z 0 1 WITHSCORES => -ERR syntax error
ZRANGESTORE dst z 5 10 => :0
EXISTS dst => :0
SET dst x => +OK
ZRANGESTORE dst nokey 0 -1 => :0
EXISTS dst => :0
SET str x => +OK
ZRANGESTORE dst str 0 -1 => -WRONGTYPE Operation against a key holding the wrong kind of value
ZRANGESTORE str z 0 0 => :1
TYPE str => +zset
ZRANGESTORE z z 1 2 => :2
ZRANGE z 0 -1 => ["b", "c"]
`)
}

// Source: zremCommand and zremrangeGenericCommand in t_zset.c; zset.tcl
// "ZREM removes key after last element is removed", "ZREMRANGEBYSCORE
// basics", "ZREMRANGEBYRANK basics", "ZREMRANGEBYLEX basics".
func TestZrem(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f => :6
ZREM z a nope b => :2
ZREM z nope => :0
ZREM nokey a => :0
ZREMRANGEBYRANK z 0 0 => :1
ZREMRANGEBYRANK z -1 -1 => :1
ZREMRANGEBYRANK z 5 1 => :0
ZREMRANGEBYRANK z x 1 => -ERR value is not an integer or out of range
ZREMRANGEBYRANK nokey 0 1 => :0
ZRANGE z 0 -1 => ["d", "e"]
ZREM z d e f => :2
EXISTS z => :0
ZADD z 1 a 2 b 3 c 4 d => :4
ZREMRANGEBYSCORE z (1 3 => :2
ZREMRANGEBYSCORE z x 3 => -ERR min or max is not a float
ZREMRANGEBYSCORE z 10 20 => :0
ZREMRANGEBYSCORE z -inf +inf => :2
EXISTS z => :0
ZADD z 0 a 0 b 0 c 0 d => :4
ZREMRANGEBYLEX z [b (d => :2
ZREMRANGEBYLEX z b d => -ERR min or max not valid string range item
ZREMRANGEBYLEX z - + => :2
EXISTS z => :0
SET str x => +OK
ZREM str a => -WRONGTYPE Operation against a key holding the wrong kind of value
ZREMRANGEBYRANK str 0 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
ZREMRANGEBYRANK str x 1 => -ERR value is not an integer or out of range
`)
}

// Source: zcardCommand, zscoreCommand, zmscoreCommand, zrankGenericCommand
// in t_zset.c; zset.tcl "ZMSCORE retrieve", "ZRANK - after deletion".
func TestZsetReads(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c => :3
ZCARD z => :3
ZCARD nokey => :0
ZSCORE z b => "2"
ZSCORE z x => (nil)
ZSCORE nokey x => (nil)
ZMSCORE z a x c => ["1", (nil), "3"]
ZMSCORE nokey a b => [(nil), (nil)]
ZMSCORE z => -ERR wrong number of arguments for 'zmscore' command
ZRANK z a => :0
ZRANK z c => :2
ZREVRANK z a => :2
ZRANK z x => (nil)
ZRANK nokey a => (nil)
ZCOUNT z 2 3 => :2
SET str x => +OK
ZCARD str => -WRONGTYPE Operation against a key holding the wrong kind of value
ZSCORE str a => -WRONGTYPE Operation against a key holding the wrong kind of value
ZMSCORE str a => -WRONGTYPE Operation against a key holding the wrong kind of value
ZRANK str a => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// Source: genericZpopCommand, zpopMinMaxCommand, zmpopGenericCommand in
// t_zset.c; zset.tcl "ZPOPMIN/ZPOPMAX with count", "ZMPOP with illegal
// argument", "ZMPOP propagate as pop with count command to replica".
func TestZpop(t *testing.T) {
	zsStart(t).run(t, `
ZADD z 1 a 2 b 3 c 4 d 5 e => :5
ZPOPMIN z => ["a", "1"]
ZPOPMAX z => ["e", "5"]
ZPOPMIN z 0 => []
ZPOPMIN z 2 => ["b", "2", "c", "3"]
ZPOPMAX z 10 => ["d", "4"]
EXISTS z => :0
ZPOPMIN z => []
ZPOPMIN z -1 => -ERR value is out of range, must be positive
ZPOPMIN z x => -ERR value is out of range, must be positive
ZPOPMIN z 1 2 => -ERR syntax error
ZADD z 1 a 2 b 3 c => :3
ZMPOP 1 z MIN => ["z", [["a", "1"]]]
ZMPOP 2 nokey z max COUNT 5 => ["z", [["c", "3"], ["b", "2"]]]
EXISTS z => :0
ZMPOP 2 nokey z MIN => (nil*)
ZMPOP 0 z MIN => -ERR numkeys should be greater than 0
ZMPOP x z MIN => -ERR numkeys should be greater than 0
ZMPOP 1 z => -ERR wrong number of arguments for 'zmpop' command
ZMPOP 1 z z => -ERR syntax error
ZMPOP 2 z MIN => -ERR syntax error
ZMPOP 1 z FOO => -ERR syntax error
ZMPOP 1 z MIN COUNT 0 => -ERR count should be greater than 0
ZMPOP 1 z MIN COUNT x => -ERR count should be greater than 0
ZMPOP 1 z MIN COUNT 1 COUNT 1 => -ERR syntax error
ZMPOP 1 z MIN COUNT => -ERR syntax error
SET str x => +OK
ZPOPMIN str => -WRONGTYPE Operation against a key holding the wrong kind of value
ZADD z 1 a => :1
ZMPOP 2 str z MIN => -WRONGTYPE Operation against a key holding the wrong kind of value
ZMPOP 2 z str MIN => ["z", [["a", "1"]]]
`)
}

// Source: RESP3 replies of t_zset.c: addReplyDouble, zrangeResultBeginClient
// ("nested arrays in RESP3"), zpopMinMaxCommand (nested with a count),
// zrandmemberWithCountCommand; zset.tcl runs the same tests with "HELLO 3".
func TestZsetRESP3(t *testing.T) {
	zsStart(t).run(t, `
HELLO 3 => *
ZADD z 1 a 2.5 b -0 c => :3
ZSCORE z b => ,2.5
ZSCORE z x => _
ZSCORE nokey x => _
ZMSCORE z a x => [,1, _]
ZRANK z x => _
ZINCRBY z 1 a => ,2
ZADD z INCR 1e17 a => ,1e+17
ZADD z INCR XX 1 x => _
ZADD z INCR +inf i => ,inf
ZADD z INCR -inf ni => ,-inf
ZRANGE z 0 -1 => ["ni", "c", "b", "a", "i"]
ZRANGE z 0 1 WITHSCORES => [["ni", ,-inf], ["c", ,0]]
ZRANGEBYSCORE z 2 3 WITHSCORES => [["b", ,2.5]]
ZRANGE z 0 -1 WITHSCORES LIMIT 0 0 => -ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX
ZPOPMIN z => ["ni", ,-inf]
ZPOPMAX z 1 => [["i", ,inf]]
ZPOPMIN z 0 => []
ZPOPMIN nokey => []
ZMPOP 1 z MIN COUNT 1 => ["z", [["c", ,0]]]
ZMPOP 1 nokey MIN => _
ZUNION 1 z WITHSCORES => [["b", ,2.5], ["a", ,1e+17]]
ZRANDMEMBER z 5 WITHSCORES => [["a", ,1e+17], ["b", ,2.5]]
ZRANDMEMBER nokey => _
ZRANDMEMBER nokey 1 => []
ZSCAN z 0 => ["0", ["b", "2.5", "a", "100000000000000000"]]
`)
}

// Source: zunionInterDiffGenericCommand, zunionInterAggregate, zdiff in
// t_zset.c; zset.tcl "ZUNIONSTORE with weights", "ZINTERSTORE with
// AGGREGATE MIN", "ZUNIONSTORE with +inf/-inf scores", "ZINTERCARD basics",
// "ZDIFF basics", "ZUNIONSTORE against non-existing key doesn't set
// destination", "$cmd with a regular set and weights".
func TestZsetSetOps(t *testing.T) {
	zsStart(t).run(t, `
ZADD u1 1 a 2 b 3 c => :3
ZADD u2 10 b 20 c 30 d => :3
ZADD u3 100 c 200 d 300 e => :3
ZUNION 2 u1 u2 => ["a", "b", "c", "d"]
ZUNION 2 u1 u2 WITHSCORES => ["a", "1", "b", "12", "c", "23", "d", "30"]
ZUNION 3 u1 u2 u3 WEIGHTS 1 2 3 WITHSCORES => ["a", "1", "b", "22", "c", "343", "d", "660", "e", "900"]
ZUNION 3 u1 u2 u3 AGGREGATE MIN WITHSCORES => ["a", "1", "b", "2", "c", "3", "d", "30", "e", "300"]
ZUNION 3 u1 u2 u3 aggregate max WEIGHTS 1 -1 0 WITHSCORES => ["d", "0", "e", "0", "a", "1", "b", "2", "c", "3"]
ZUNION 2 u1 nokey => ["a", "b", "c"]
ZUNION 2 u1 u2 WEIGHTS 1 => -ERR syntax error
ZUNION 2 u1 u2 WEIGHTS 1 x => -ERR weight value is not a float
ZUNION 2 u1 u2 AGGREGATE foo => -ERR syntax error
ZUNION 2 u1 u2 AGGREGATE => -ERR syntax error
ZUNION 0 u1 => -ERR at least 1 input key is needed for 'zunion' command
ZUNION x u1 => -ERR value is not an integer or out of range
ZUNION 3 u1 u2 => -ERR syntax error
ZUNIONSTORE out 0 u1 => -ERR at least 1 input key is needed for 'zunionstore' command
ZINTER 2 u1 u2 WITHSCORES => ["b", "12", "c", "23"]
ZINTER 3 u1 u2 u3 => ["c"]
ZINTER 2 u2 u3 WEIGHTS 2 3 AGGREGATE MAX WITHSCORES => ["c", "300", "d", "600"]
ZINTER 2 u1 nokey => []
ZINTER 2 u1 u1 WITHSCORES => ["a", "2", "b", "4", "c", "6"]
ZINTERCARD 2 u1 u2 => :2
ZINTERCARD 2 u2 u3 LIMIT 1 => :1
ZINTERCARD 2 u2 u3 LIMIT 0 => :2
ZINTERCARD 2 u2 u3 LIMIT -1 => -ERR LIMIT can't be negative
ZINTERCARD 2 u2 u3 LIMIT x => -ERR LIMIT can't be negative
ZINTERCARD 2 u2 u3 WITHSCORES => -ERR syntax error
ZINTERCARD 0 u1 => -ERR at least 1 input key is needed for 'zintercard' command
ZDIFF 2 u1 u2 => ["a"]
ZDIFF 2 u3 u2 WITHSCORES => ["e", "300"]
ZDIFF 2 u1 u1 => []
ZDIFF 2 nokey u1 => []
ZDIFF 2 u1 u2 WEIGHTS 1 1 => -ERR syntax error
ZDIFF 1 u1 AGGREGATE SUM => -ERR syntax error
ZUNIONSTORE out 3 u1 u2 u3 WEIGHTS 0.5 0.25 2 => :5
ZRANGE out 0 -1 WITHSCORES => ["a", "0.5", "b", "3.5", "c", "206.5", "d", "407.5", "e", "600"]
ZUNIONSTORE out 2 u1 u2 WITHSCORES => -ERR syntax error
ZINTERSTORE out 2 u1 u2 AGGREGATE MIN => :2
ZRANGE out 0 -1 WITHSCORES => ["b", "2", "c", "3"]
ZINTERSTORE out 2 u1 nokey => :0
EXISTS out => :0
ZDIFFSTORE out 2 u3 u1 => :2
ZRANGE out 0 -1 WITHSCORES => ["d", "200", "e", "300"]
ZUNIONSTORE u1 2 u1 u2 => :4
ZRANGE u1 0 -1 WITHSCORES => ["a", "1", "b", "12", "c", "23", "d", "30"]
ZADD i1 +inf a -inf b 1 c => :3
ZADD i2 -inf a +inf b => :2
ZUNION 2 i1 i2 WITHSCORES => ["a", "0", "b", "0", "c", "1"]
ZUNION 2 i1 i2 WEIGHTS 0 1 WITHSCORES => ["a", "-inf", "c", "0", "b", "inf"]
ZINTER 2 i1 i2 AGGREGATE MAX WITHSCORES => ["a", "inf", "b", "inf"]
@set s1 a b x 1
@set s2 7 8
ZUNION 2 u2 s1 WITHSCORES => ["1", "1", "a", "1", "x", "1", "b", "11", "c", "20", "d", "30"]
ZINTER 2 s1 u1 WEIGHTS 10 1 WITHSCORES => ["a", "11", "b", "22"]
ZDIFF 2 s2 u1 WITHSCORES => ["7", "1", "8", "1"]
ZINTERCARD 2 s1 s2 => :0
ZUNIONSTORE out 2 s2 s1 => :6
ZRANGE out 0 -1 => ["1", "7", "8", "a", "b", "x"]
SET str x => +OK
ZUNION 2 u1 str => -WRONGTYPE Operation against a key holding the wrong kind of value
ZINTERSTORE out 2 str nokey => -WRONGTYPE Operation against a key holding the wrong kind of value
ZUNION 2 u1 str WEIGHTS => -WRONGTYPE Operation against a key holding the wrong kind of value
ZUNIONSTORE str 1 u2 => :3
TYPE str => +zset
`)
}

// Source: zrandmemberCommand and zrandmemberWithCountCommand in t_zset.c;
// zset.tcl "ZRANDMEMBER count overflow", "ZRANDMEMBER count of 0 is
// handled correctly", "ZRANDMEMBER with <count> against non existing key".
func TestZrandmember(t *testing.T) {
	zc := zsStart(t)
	zc.run(t, `
ZADD z 1 a 2 b 3 c => :3
ZRANDMEMBER z 0 => []
ZRANDMEMBER z 3 WITHSCORES => ["c", "3", "b", "2", "a", "1"]
ZRANDMEMBER z 100 => ["c", "b", "a"]
ZRANDMEMBER nokey => (nil)
ZRANDMEMBER nokey 5 => []
ZRANDMEMBER z x => -ERR value is not an integer or out of range
ZRANDMEMBER z 1 FOO => -ERR syntax error
ZRANDMEMBER z 1 WITHSCORES FOO => -ERR syntax error
ZRANDMEMBER z -9223372036854775808 => -ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
ZRANDMEMBER z -9223372036854775808 WITHSCORES => -ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
ZRANDMEMBER z -9223372036854770000 WITHSCORES => -ERR value is out of range
ZRANDMEMBER z 9223372036854770000 WITHSCORES => -ERR value is out of range
SET str x => +OK
ZRANDMEMBER str => -WRONGTYPE Operation against a key holding the wrong kind of value
ZRANDMEMBER str 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
	// Random picks: members with their scores; distinct for a positive
	// count below ZCARD, exactly -count picks for a negative one.
	for _, args := range [][]string{{"ZADD", "big"}, {"ZADD", "small"}} {
		n := 200
		if args[1] == "small" {
			n = 20
		}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
		}
		zc.do(t, args...)
		for _, count := range []int{1, 2, 5, n / 2, n - 1, -1, -5, -3 * n} {
			reply := zc.do(t, "ZRANDMEMBER", args[1], strconv.Itoa(count), "WITHSCORES")
			items := strings.Split(strings.Trim(reply, "[]"), ", ")
			want := count
			if count < 0 {
				want = -count
			}
			if len(items) != 2*want {
				t.Fatalf("ZRANDMEMBER %s %d WITHSCORES: %d items", args[1], count, len(items))
			}
			seen := map[string]bool{}
			for i := 0; i < len(items); i += 2 {
				m, _ := strconv.Unquote(items[i])
				s, _ := strconv.Unquote(items[i+1])
				if "m"+s != m {
					t.Fatalf("ZRANDMEMBER %s %d: %s with score %s", args[1], count, m, s)
				}
				if count > 0 && seen[m] {
					t.Fatalf("ZRANDMEMBER %s %d repeated %s", args[1], count, m)
				}
				seen[m] = true
			}
		}
		m := zc.do(t, "ZRANDMEMBER", args[1])
		if !strings.HasPrefix(m, `"m`) {
			t.Fatalf("ZRANDMEMBER %s = %s", args[1], m)
		}
	}
}

// Source: zscanCommand and scanGenericCommand in Redis's t_zset.c and
// db.c: a listpack is returned whole with cursor 0 and its scores as the
// listpack stores them (integers as integers); the skiplist is scanned by
// buckets with scores formatted "%.17g". zset.tcl "ZSCAN with encoding
// listpack/skiplist", "SCAN guarantees check under write load".
func TestZscan(t *testing.T) {
	zc := zsStart(t)
	zc.run(t, `
ZADD z 1 a 2.5 b 1e17 c -0 d 4611686018427387904 e 1e19 f -4611686018427387904 g => :7
ZSCAN z 0 => ["0", ["g", "-4611686018427387904", "d", "0", "a", "1", "b", "2.5", "c", "100000000000000000", "e", "4611686018427387904", "f", "1e+19"]]
ZSCAN z 123 COUNT 1 => ["0", ["g", "-4611686018427387904", "d", "0", "a", "1", "b", "2.5", "c", "100000000000000000", "e", "4611686018427387904", "f", "1e+19"]]
ZSCAN z 0 MATCH [ab] => ["0", ["a", "1", "b", "2.5"]]
ZSCAN z 0 MATCH * COUNT 100 => ["0", ["g", "-4611686018427387904", "d", "0", "a", "1", "b", "2.5", "c", "100000000000000000", "e", "4611686018427387904", "f", "1e+19"]]
ZSCAN z 0 COUNT 0 => -ERR syntax error
ZSCAN z 0 COUNT x => -ERR value is not an integer or out of range
ZSCAN z 0 MATCH => -ERR syntax error
ZSCAN z 0 TYPE zset => -ERR syntax error
ZSCAN z x => -ERR invalid cursor
ZSCAN z " 0" => -ERR invalid cursor
ZSCAN nokey 0 => ["0", []]
ZSCAN nokey 0 COUNT x => ["0", []]
SET str x => +OK
ZSCAN str 0 => -WRONGTYPE Operation against a key holding the wrong kind of value
ZADD big 1e17 c => :1
`)
	// The large encoding: a full scan returns every member once (nothing
	// changes during it), scores formatted as addReplyDouble does.
	args := []string{"ZADD", "big"}
	for i := 0; i < 300; i++ {
		args = append(args, strconv.Itoa(i)+".5", "m"+strconv.Itoa(i))
	}
	zc.do(t, args...)
	for _, count := range []string{"1", "7", "1000"} {
		seen := map[string]string{}
		cursor := "0"
		for calls := 0; ; calls++ {
			reply := zc.do(t, "ZSCAN", "big", cursor, "COUNT", count)
			cur, rest, _ := strings.Cut(strings.TrimPrefix(reply, "["), ", ")
			cursor, _ = strconv.Unquote(cur)
			rest = strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]]")
			if rest != "" {
				items := strings.Split(rest, ", ")
				for i := 0; i < len(items); i += 2 {
					seen[items[i]] = items[i+1]
				}
			}
			if cursor == "0" || calls > 10000 {
				break
			}
		}
		if len(seen) != 301 || seen[`"c"`] != `"1e+17"` || seen[`"m7"`] != `"7.5"` {
			t.Fatalf("full ZSCAN with COUNT %s: %d members, c=%s m7=%s", count, len(seen), seen[`"c"`], seen[`"m7"`])
		}
	}
}

// Source: zsetAdd's conversion (zset-max-listpack-entries/-value checked
// before the insert), zaddGenericCommand's creation rule,
// zrangeResultBeginStore, zsetConvertToListpackIfNeeded; zset.tcl "ZSETs
// skiplist implementation backlink consistency test", "ZSCORE after a DEBUG
// RELOAD", "ZSET element can't be set to NaN with ZADD" ... and the
// encoding checks of "zunionInterDiffGenericCommand acts on SET and ZSET".
func TestZsetEncodings(t *testing.T) {
	zc := zsStart(t, "--zset-max-listpack-entries", "4", "--zset-max-listpack-value", "5")
	zc.run(t, `
ZADD z 1 a 2 b 3 c 4 d => :4
OBJECT ENCODING z => "listpack"
ZADD z 5 e => :1
OBJECT ENCODING z => "skiplist"
ZREMRANGEBYRANK z 0 3 => :4
OBJECT ENCODING z => "skiplist"
ZADD long 1 abcdef => :1
OBJECT ENCODING long => "skiplist"
ZADD z2 1 abcde => :1
OBJECT ENCODING z2 => "listpack"
ZADD z2 1 abcdef => :1
OBJECT ENCODING z2 => "skiplist"
ZADD big 1 a 2 b 3 c 4 d 5 e 6 f => :6
ZRANGESTORE d big 0 3 => :4
OBJECT ENCODING d => "listpack"
ZRANGESTORE d big 0 4 => :5
OBJECT ENCODING d => "skiplist"
ZRANGESTORE d big -inf +inf BYSCORE LIMIT 0 4 => :4
OBJECT ENCODING d => "listpack"
ZRANGESTORE d z2 0 0 => :1
OBJECT ENCODING d => "listpack"
ZUNIONSTORE d 1 z => :1
OBJECT ENCODING d => "listpack"
ZUNIONSTORE d 1 big => :6
OBJECT ENCODING d => "skiplist"
ZINTERSTORE d 2 big z => :1
OBJECT ENCODING d => "listpack"
ZDIFFSTORE d 1 z2 => :2
OBJECT ENCODING d => "skiplist"
CONFIG SET zset-max-ziplist-entries 0 => +OK
ZADD e 1 a => :1
OBJECT ENCODING e => "skiplist"
ZADD e -0 nz => :1
ZSCORE e nz => "-0"
CONFIG SET zset-max-listpack-entries 128 => +OK
ZADD f -0 nz => :1
ZSCORE f nz => "0"
ZINCRBY f -0 n2 => "-0"
ZSCORE f n2 => "0"
ZUNIONSTORE g 1 e => :2
OBJECT ENCODING g => "listpack"
ZSCORE g nz => "0"
ZUNION 1 e WITHSCORES => ["nz", "-0", "a", "1"]
`)
}
