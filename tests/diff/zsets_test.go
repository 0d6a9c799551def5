package diff

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the sorted set commands (Redis's t_zset.c): every
// command goes to redis-server 7.0.15 and to Cinnabar over RESP2 and over
// RESP3 and the raw replies must be equal, except what Redis leaves
// random: ZRANDMEMBER picks (compared by shape, and checked to be members
// with their scores) and ZSCAN's split into calls (compared as the set of
// pairs a full scan returns).

// zsetPair is the same two servers seen over RESP2 (h2) and RESP3 (h3).
type zsetPair struct {
	h2, h3 *Harness
	rnd    *rand.Rand
	sets   bool // Cinnabar has SADD: plain sets can be inputs of ZUNION & co
	log    []string
}

func zsetStart(t *testing.T, args ...string) *zsetPair {
	t.Helper()
	h := Start(t, args...)
	h3 := &Harness{Redis: Dial(t, h.Redis.Addr), Cinnabar: Dial(t, h.Cinnabar.Addr)}
	h3.Both(t, "HELLO", "3") // the replies differ (server, version, id)
	p := &zsetPair{h2: h, h3: h3, rnd: h.Rand()}
	_, c := h.Both(t, "SADD", "zset-probe-set", "x")
	p.sets = bytes.Equal(c, []byte(":1\r\n"))
	if !p.sets {
		t.Logf("Cinnabar has no SADD yet (%q): plain sets are not used as inputs", c)
	}
	h.Both(t, "DEL", "zset-probe-set")
	return p
}

// do runs one command on both protocols, RESP2 first.
func (p *zsetPair) do(t *testing.T, args ...string) {
	t.Helper()
	p.do2(t, args...)
	p.do3(t, args...)
}

func (p *zsetPair) do2(t *testing.T, args ...string) { t.Helper(); p.doOn(t, p.h2, args) }
func (p *zsetPair) do3(t *testing.T, args ...string) { t.Helper(); p.doOn(t, p.h3, args) }

func (p *zsetPair) doOn(t *testing.T, h *Harness, args []string) {
	t.Helper()
	p.log = append(p.log, strings.Join(args, " "))
	switch strings.ToUpper(args[0]) {
	case "ZRANDMEMBER":
		p.zrandmember(t, h, args)
	case "ZSCAN":
		p.zscan(t, h, args)
	default:
		h.Do(t, args...)
	}
}

// zrandmember compares the shape of the replies (lengths, types) and
// checks Cinnabar's picks: members of the key, with their scores, distinct
// for a positive count.
func (p *zsetPair) zrandmember(t *testing.T, h *Harness, args []string) {
	t.Helper()
	if len(args) >= 3 {
		// A count of at least ZCARD returns the whole set in a fixed
		// (descending) order: compare exactly.
		count, err := strconv.Atoi(args[2])
		card, _ := zsetParse(h.Redis.Send(t, Encode(nil, "ZCARD", args[1]), 1)[0])
		if n, cerr := strconv.Atoi(card.str); err == nil && cerr == nil && card.kind == ':' && count >= n {
			h.Do(t, args...)
			return
		}
	}
	want, got := h.Both(t, args...)
	w, err1 := zsetParse(want)
	g, err2 := zsetParse(got)
	if err1 != nil || err2 != nil {
		t.Fatalf("%q: cannot parse replies %q / %q", args, want, got)
	}
	if w.shape() != g.shape() {
		t.Errorf("%q: shapes differ:\n redis:    %q\n cinnabar: %q", args, want, got)
		return
	}
	if g.kind != '*' {
		if g.kind == '$' && g.n >= 0 {
			p.checkMember(t, h, args[1], g.str, "")
		}
		return
	}
	withScores := len(args) == 4
	count, _ := strconv.Atoi(args[2])
	seen := map[string]bool{}
	elems := g.kids
	for i := 0; i < len(elems); i++ {
		var m, s string
		switch {
		case withScores && elems[i].kind == '*': // RESP3 pair
			m, s = elems[i].kids[0].str, elems[i].kids[1].str
		case withScores:
			m, s = elems[i].str, elems[i+1].str
			i++
		default:
			m = elems[i].str
		}
		if count > 0 && seen[m] {
			t.Errorf("%q: Cinnabar repeated %q in %q", args, m, got)
		}
		seen[m] = true
		p.checkMember(t, h, args[1], m, s)
	}
}

// checkMember checks on Cinnabar that member is in key with score (if not
// empty), as ZSCORE formats it.
func (p *zsetPair) checkMember(t *testing.T, h *Harness, key, member, score string) {
	t.Helper()
	r := h.Cinnabar.Send(t, Encode(nil, "ZSCORE", key, member), 1)[0]
	n, err := zsetParse(r)
	if err != nil || n.n < 0 || n.kind == '_' {
		t.Errorf("ZRANDMEMBER %s returned %q, not a member (ZSCORE: %q)", key, member, r)
		return
	}
	if score != "" && n.str != score {
		t.Errorf("ZRANDMEMBER %s returned %q with score %q, ZSCORE says %q", key, member, score, n.str)
	}
}

// zscan runs a full scan with the given options on each server and
// compares the (member, score) pairs returned, duplicates removed.
func (p *zsetPair) zscan(t *testing.T, h *Harness, args []string) {
	t.Helper()
	scan := func(peer *Peer) ([]string, string) {
		cursor := "0"
		var out []string
		for calls := 0; ; calls++ {
			a := append([]string{args[0], args[1], cursor}, args[3:]...)
			raw := peer.Send(t, Encode(nil, a...), 1)[0]
			n, err := zsetParse(raw)
			if err != nil {
				t.Fatalf("%q: %v", a, err)
			}
			if n.kind != '*' {
				return nil, string(raw) // an error
			}
			cursor = n.kids[0].str
			items := n.kids[1].kids
			for i := 0; i+1 < len(items); i += 2 {
				out = append(out, strconv.Quote(items[i].str)+" "+items[i+1].str)
			}
			if cursor == "0" || calls > 100000 {
				break
			}
		}
		slices.Sort(out)
		return slices.Compact(out), ""
	}
	w, werr := scan(h.Redis)
	g, gerr := scan(h.Cinnabar)
	if werr != gerr || !slices.Equal(w, g) {
		t.Errorf("%q full scan differs:\n redis:    %q %s\n cinnabar: %q %s", args, w, werr, g, gerr)
	}
}

// zsetNode is a parsed RESP reply.
type zsetNode struct {
	kind byte
	str  string // simple/bulk string, number, double, error text
	n    int    // bulk length or aggregate size, -1 for null
	kids []zsetNode
}

func zsetParse(raw []byte) (zsetNode, error) {
	return zsetRead(bufio.NewReader(bytes.NewReader(raw)))
}

func zsetRead(r *bufio.Reader) (zsetNode, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return zsetNode{}, err
	}
	if len(line) < 3 {
		return zsetNode{}, errors.New("short line")
	}
	nd := zsetNode{kind: line[0], str: line[1 : len(line)-2]}
	switch nd.kind {
	case '$':
		nd.n, _ = strconv.Atoi(nd.str)
		nd.str = ""
		if nd.n >= 0 {
			buf := make([]byte, nd.n+2)
			if _, err := io.ReadFull(r, buf); err != nil {
				return zsetNode{}, err
			}
			nd.str = string(buf[:nd.n])
		}
	case '*', '~', '%':
		nd.n, _ = strconv.Atoi(nd.str)
		k := nd.n
		if nd.kind == '%' {
			k *= 2
		}
		for i := 0; i < k; i++ {
			kid, err := zsetRead(r)
			if err != nil {
				return zsetNode{}, err
			}
			nd.kids = append(nd.kids, kid)
		}
	}
	return nd, nil
}

// shape renders a reply without its strings and doubles.
func (nd zsetNode) shape() string {
	switch nd.kind {
	case '$':
		if nd.n < 0 {
			return "nil"
		}
		return "$"
	case ',':
		return ","
	case '*', '~', '%':
		parts := make([]string, len(nd.kids))
		for i, k := range nd.kids {
			parts[i] = k.shape()
		}
		return string(nd.kind) + "[" + strings.Join(parts, " ") + "]"
	}
	return string(nd.kind) + nd.str
}

// TestZsetCommandsDiff runs a fixed script of commands, each over RESP2
// then RESP3: replies, errors and edge cases of every command.
func TestZsetCommandsDiff(t *testing.T) {
	p := zsetStart(t)
	script := `
ZADD z 1 a 2 b 3 c 4 d 5 e
ZADD z
ZADD z 1
ZADD z NX XX 1 a
ZADD z GT LT 1 a
ZADD z GT NX 1 a
ZADD z LT NX 1 a
ZADD z INCR 1 a 2 b
ZADD z nan a
ZADD z 1x a
ZADD z "" a
ZADD z " 1" a
ZADD z 1e400 a
ZADD z 1e-400 a
ZADD z 1e-310 tiny
ZADD z 0x10 hex
ZADD z 0X1.8P1 hex2
ZADD z +inf pinf -Infinity ninf
ZADD z -0 negzero
ZSCORE z negzero
ZADD z 1e17 big 4611686018427387904 big2 4611686018427387905 big3
ZSCAN z 0
ZADD z CH 10 a 20 b 3 c 99 new
ZADD z XX CH 11 a 12 nope
ZADD z NX 100 a 7 f
ZADD z GT CH 5 a 50 b
ZADD z LT CH 5 a 50 b
ZADD z XX GT 1000 a
ZADD z INCR 5 a
ZADD z INCR NX 5 a
ZADD z INCR XX 5 nope
ZADD z INCR GT -1 a
ZADD z INCR +inf pinf
ZADD z INCR -inf pinf
ZINCRBY z -inf pinf
ZINCRBY z 2.5 a
ZINCRBY z x a
ZINCRBY z nx a
ZINCRBY nokey 3 m
ZRANGE z 0 -1 WITHSCORES
ZADD newkey XX 1 a
EXISTS newkey
ZADD newkey XX INCR 1 a
ZCARD z
ZCARD nokey
ZSCORE z a
ZSCORE z nope
ZSCORE nokey a
ZMSCORE z a nope b
ZMSCORE nokey a b
ZRANK z a
ZRANK z nope
ZREVRANK z a
ZRANK nokey a
SET str x
ZADD str 1 a
ZSCORE str a
ZMSCORE str a
ZRANGE str 0 1
ZRANGESTORE dst str 0 1
ZUNION 2 z str
ZRANGE z 0 -1
ZRANGE z 2 4 WITHSCORES
ZRANGE z -3 -1
ZRANGE z 5 2
ZRANGE z 0 100 REV WITHSCORES
ZRANGE z (1 5 BYSCORE WITHSCORES
ZRANGE z 5 (1 BYSCORE REV
ZRANGE z -inf +inf BYSCORE LIMIT 1 2
ZRANGE z -inf +inf BYSCORE LIMIT -1 2
ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
ZRANGE z -inf +inf BYSCORE LIMIT 100 1
ZRANGE z -inf +inf BYSCORE LIMIT 0 0
ZRANGE z +inf -inf BYSCORE REV LIMIT 2 3 WITHSCORES
ZRANGE z 0 1 LIMIT 0 1
ZRANGE z 0 1 LIMIT 0 -1
ZRANGE z 0 1 LIMIT 0
ZRANGE z - + BYLEX WITHSCORES
ZRANGE z 0 1 REV REV
ZRANGE z 0 1 BYSCORE BYLEX
ZRANGE z 0 1 FOO
ZRANGE z a 1
ZRANGE z 0 1 LIMIT x 1
ZRANGE z x 1 BYSCORE
ZRANGE z [a 1 BYLEX
ZRANGE nokey 0 -1
ZRANGE nokey x y BYSCORE
ZREVRANGE z 0 2 WITHSCORES
ZREVRANGE z 0 2 REV
ZREVRANGE z 0 2 LIMIT 0 1
ZRANGEBYSCORE z 2 5
ZRANGEBYSCORE z (2 (5 WITHSCORES
ZRANGEBYSCORE z "" "("
ZRANGEBYSCORE z " 1" " 5"
ZRANGEBYSCORE z 5 2
ZRANGEBYSCORE z (3 3
ZRANGEBYSCORE z -inf +inf LIMIT 2 2 WITHSCORES
ZRANGEBYSCORE z 1 5 REV
ZRANGEBYSCORE z nan 5
ZRANGEBYSCORE z 1e400 (1e400
ZREVRANGEBYSCORE z 5 2 WITHSCORES
ZREVRANGEBYSCORE z +inf -inf LIMIT 1 3
ZREVRANGEBYSCORE z 2 5
ZCOUNT z -inf +inf
ZCOUNT z (1 3
ZCOUNT z x 3
ZCOUNT nokey 1 2
ZCOUNT str 1 2
ZREM z a nope b
ZREM z nope
ZREM nokey a
ZREM str a
ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g
ZRANGEBYLEX lex - +
ZRANGEBYLEX lex [b (e
ZRANGEBYLEX lex (b [e LIMIT 1 2
ZRANGEBYLEX lex - + LIMIT -1 2
ZRANGEBYLEX lex + -
ZRANGEBYLEX lex a b
ZRANGEBYLEX lex "" +
ZRANGEBYLEX lex +x +
ZRANGEBYLEX lex - + WITHSCORES
ZREVRANGEBYLEX lex + -
ZREVRANGEBYLEX lex [e [b LIMIT 1 10
ZREVRANGEBYLEX lex - +
ZLEXCOUNT lex - +
ZLEXCOUNT lex [b (e
ZLEXCOUNT lex b e
ZLEXCOUNT nokey - +
ZRANGE lex [c + BYLEX LIMIT 0 2
ZRANGE lex + [c BYLEX REV LIMIT 1 2
ZRANGESTORE dst lex [b [f BYLEX
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 0 2 WITHSCORES
ZRANGESTORE dst z 1 3 REV
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z (3 +inf BYSCORE LIMIT 1 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst nokey 0 -1
EXISTS dst
ZRANGESTORE dst z 10 20
ZRANGESTORE z z 0 1
ZRANGE z 0 -1 WITHSCORES
ZREMRANGEBYRANK lex 1 2
ZREMRANGEBYRANK lex -2 -1
ZREMRANGEBYRANK lex 5 1
ZREMRANGEBYRANK lex x 1
ZREMRANGEBYRANK nokey 0 1
ZREMRANGEBYLEX lex [a [b
ZREMRANGEBYLEX lex a b
ZRANGE lex 0 -1
ZADD sc 1 a 2 b 3 c 4 d
ZREMRANGEBYSCORE sc (1 3
ZREMRANGEBYSCORE sc x 3
ZREMRANGEBYSCORE sc -inf +inf
EXISTS sc
ZADD p 1 a 2 b 3 c 4 d 5 e 6 f
ZPOPMIN p
ZPOPMAX p
ZPOPMIN p 0
ZPOPMIN p 2
ZPOPMAX p 1
ZPOPMIN p -1
ZPOPMIN p x
ZPOPMIN p 1 2
ZPOPMIN nokey
ZPOPMIN nokey 3
ZPOPMIN str
ZADD p 1 a 2 b 3 c 4 d 5 e 6 f
ZPOPMAX p 100
EXISTS p
ZADD p 1 a 2 b 3 c 4 d 5 e 6 f
ZMPOP 1 p MIN
ZMPOP 2 nokey p MAX COUNT 2
ZMPOP 2 nokey nokey2 MIN
ZMPOP 2 str p MIN
ZMPOP 0 p MIN
ZMPOP x p MIN
ZMPOP 1 p
ZMPOP 3 p MIN
ZMPOP 1 p FOO
ZMPOP 1 p MIN COUNT 0
ZMPOP 1 p MIN COUNT x
ZMPOP 1 p MIN COUNT 1 COUNT 1
ZMPOP 1 p MAX COUNT 100
EXISTS p
ZADD u1 1 a 2 b 3 c
ZADD u2 10 b 20 c 30 d
ZADD u3 100 c 200 d 300 e
ZUNION 2 u1 u2
ZUNION 2 u1 u2 WITHSCORES
ZUNION 3 u1 u2 u3 WEIGHTS 1 2 3 WITHSCORES
ZUNION 3 u1 u2 u3 AGGREGATE MIN WITHSCORES
ZUNION 3 u1 u2 u3 AGGREGATE MAX WITHSCORES
ZUNION 3 u1 u2 u3 AGGREGATE max WEIGHTS 1 -1 0 WITHSCORES
ZUNION 2 u1 nokey WITHSCORES
ZUNION 2 u1 u2 WEIGHTS 1
ZUNION 2 u1 u2 WEIGHTS 1 x
ZUNION 2 u1 u2 AGGREGATE foo
ZUNION 2 u1 u2 AGGREGATE
ZUNION 0 u1
ZUNION -1 u1
ZUNION x u1
ZUNION 3 u1 u2
ZUNION 2 u1 u2 FOO
ZINTER 2 u1 u2 WITHSCORES
ZINTER 3 u1 u2 u3 WITHSCORES
ZINTER 2 u2 u3 WEIGHTS 2 3 AGGREGATE MAX WITHSCORES
ZINTER 2 u1 nokey
ZINTER 2 u1 u1 WITHSCORES
ZINTERCARD 2 u1 u2
ZINTERCARD 3 u1 u2 u3
ZINTERCARD 2 u2 u3 LIMIT 1
ZINTERCARD 2 u2 u3 LIMIT 0
ZINTERCARD 2 u2 u3 LIMIT -1
ZINTERCARD 2 u2 u3 LIMIT x
ZINTERCARD 2 u2 u3 WITHSCORES
ZINTERCARD 0 u1
ZDIFF 2 u1 u2
ZDIFF 2 u3 u2 WITHSCORES
ZDIFF 1 u3 WITHSCORES
ZDIFF 2 u1 u1
ZDIFF 2 nokey u1
ZDIFF 2 u1 u2 WEIGHTS 1 1
ZDIFF 2 u1 u2 AGGREGATE SUM
ZUNIONSTORE out 3 u1 u2 u3 WEIGHTS 0.5 0.25 2
ZRANGE out 0 -1 WITHSCORES
ZUNIONSTORE out 2 u1 u2 WITHSCORES
ZINTERSTORE out 2 u1 u2 AGGREGATE MIN
ZRANGE out 0 -1 WITHSCORES
ZINTERSTORE out 2 u1 u3
EXISTS out
ZDIFFSTORE out 2 u3 u1
ZRANGE out 0 -1 WITHSCORES
ZDIFFSTORE out 2 u1 u1
EXISTS out
ZUNIONSTORE u1 2 u1 u2
ZRANGE u1 0 -1 WITHSCORES
ZADD infs +inf a -inf b
ZADD infs2 -inf a +inf b
ZUNION 2 infs infs2 WITHSCORES
ZUNION 2 infs infs2 WEIGHTS 0 1 WITHSCORES
ZINTER 2 infs infs2 WITHSCORES
ZUNIONSTORE str 1 u2
TYPE str
ZSCAN nokey 0
ZSCAN u2 0 COUNT 0
ZSCAN u2 0 COUNT x
ZSCAN u2 x
ZSCAN u2 -1
ZSCAN u2 0 MATCH
ZSCAN u2 0 TYPE zset
ZSCAN u2 0 MATCH [bc]
ZRANDMEMBER u2
ZRANDMEMBER nokey
ZRANDMEMBER nokey 3
ZRANDMEMBER u2 0
ZRANDMEMBER u2 1
ZRANDMEMBER u2 2 WITHSCORES
ZRANDMEMBER u2 10 WITHSCORES
ZRANDMEMBER u2 -5 WITHSCORES
ZRANDMEMBER u2 -5
ZRANDMEMBER u2 x
ZRANDMEMBER u2 1 FOO
ZRANDMEMBER u2 1 WITHSCORES FOO
ZRANDMEMBER u2 -9223372036854770000 WITHSCORES
ZRANDMEMBER u2 -9223372036854775808 WITHSCORES
ZRANDMEMBER u2 -9223372036854775808
ZRANDMEMBER str 1
`
	for _, line := range strings.Split(script, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			p.do(t, zsetSplitArgs(t, line)...)
		}
	}
}

// zsetSplitArgs splits a script line at spaces; "quoted" arguments are Go
// strings.
func zsetSplitArgs(t *testing.T, line string) []string {
	var args []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				t.Fatalf("bad quoted argument in %q", line)
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

// TestZsetEncodingsDiff checks OBJECT ENCODING along the conversions:
// entries and value limits, CONFIG SET, ZRANGESTORE and *STORE results.
func TestZsetEncodingsDiff(t *testing.T) {
	p := zsetStart(t)
	long := strings.Repeat("x", 65)
	p.do2(t, "ZADD", "e", "1", "a")
	p.do2(t, "OBJECT", "ENCODING", "e")
	p.do2(t, "ZADD", "e", "2", long)
	p.do2(t, "OBJECT", "ENCODING", "e")
	p.do2(t, "ZREM", "e", long)
	p.do2(t, "OBJECT", "ENCODING", "e") // no conversion back
	p.do2(t, "ZADD", "e2", "1", long)
	p.do2(t, "OBJECT", "ENCODING", "e2") // created large
	args := []string{"ZADD", "big"}
	for i := 0; i < 129; i++ {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	p.do2(t, args[:len(args)-2]...)
	p.do2(t, "OBJECT", "ENCODING", "big")
	p.do2(t, "ZADD", "big", "999", "last")
	p.do2(t, "OBJECT", "ENCODING", "big")
	for _, c := range [][]string{
		{"ZRANGESTORE", "d", "big", "0", "127"}, // rank range of 128: listpack
		{"ZRANGESTORE", "d", "big", "0", "128"}, // 129: large from the start
		{"ZRANGESTORE", "d", "big", "0", "5"},
		{"ZRANGESTORE", "d", "big", "-inf", "+inf", "BYSCORE"},
		{"ZRANGESTORE", "d", "big", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "128"},
		{"ZUNIONSTORE", "d", "1", "big"},
		{"ZINTERSTORE", "d", "2", "big", "e"},
		{"ZDIFFSTORE", "d", "2", "big", "e"},
		{"ZUNIONSTORE", "d", "2", "e", "e2"},
		{"ZUNIONSTORE", "d", "1", "e"},
	} {
		p.do2(t, c...)
		p.do2(t, "OBJECT", "ENCODING", "d")
		p.do(t, "ZRANGE", "d", "0", "3", "WITHSCORES")
	}
	p.do2(t, "CONFIG", "SET", "zset-max-ziplist-entries", "3")
	p.do2(t, "CONFIG", "SET", "zset-max-listpack-value", "4")
	p.do2(t, "ZADD", "s", "1", "a", "2", "b", "3", "c")
	p.do2(t, "OBJECT", "ENCODING", "s")
	p.do2(t, "ZADD", "s", "4", "d")
	p.do2(t, "OBJECT", "ENCODING", "s")
	p.do2(t, "ZADD", "s2", "1", "abcde")
	p.do2(t, "OBJECT", "ENCODING", "s2")
	p.do2(t, "ZUNIONSTORE", "d", "1", "s2")
	p.do2(t, "OBJECT", "ENCODING", "d")
	p.do2(t, "ZRANGESTORE", "d", "s", "0", "1")
	p.do2(t, "OBJECT", "ENCODING", "d")
	p.do2(t, "CONFIG", "SET", "zset-max-listpack-entries", "0")
	p.do2(t, "ZADD", "s3", "1", "a")
	p.do2(t, "OBJECT", "ENCODING", "s3")
	p.do2(t, "ZRANGESTORE", "d", "s", "0", "0")
	p.do2(t, "OBJECT", "ENCODING", "d")
	// -0 survives only in the large encoding (a listpack keeps integers).
	p.do(t, "ZADD", "s3", "-0", "negzero")
	p.do(t, "ZSCORE", "s3", "negzero")
	p.do(t, "ZSCAN", "s3", "0")
	p.do2(t, "CONFIG", "SET", "zset-max-listpack-entries", "128")
	p.do2(t, "CONFIG", "SET", "zset-max-listpack-value", "64")
	p.do(t, "ZADD", "s4", "-0", "negzero", "1e17", "big", "-3.5", "f")
	p.do(t, "ZSCORE", "s4", "negzero")
	p.do(t, "ZSCAN", "s4", "0")
	p.do(t, "ZINCRBY", "s4", "-0", "new")
	p.do(t, "ZRANGE", "s4", "0", "-1", "WITHSCORES")
}

// Random differential streams. Keys z0..z3 take any command; l0, l1 hold
// members that all score 0 and take the lex commands (Redis leaves lex
// ranges over mixed scores unspecified); "str" is a string.
var (
	zsetGenKeys = []string{"z0", "z1", "z2", "z3"}
	zsetLexKeys = []string{"l0", "l1"}
	zsetScores  = []string{"0", "1", "2", "3", "-1", "1.5", "-2.25", "0.1", "0.2", "0.3", "10", "100",
		"1e17", "-0", "inf", "-inf", "+inf", "3.0000000000000004", "0x1p3", "1e-5", "123456.789"}
)

type zsetGen struct {
	r      *rand.Rand
	long   bool // members around the 64-byte zset-max-listpack-value
	grow   bool // favour growth over removal
	setIns bool // plain sets as inputs of ZUNION & co
}

func (g *zsetGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *zsetGen) member() string {
	switch g.r.IntN(10) {
	case 0:
		return strconv.Itoa(g.r.IntN(300)) // integer-like: listpack stores them as integers
	case 1:
		if g.long {
			return strings.Repeat(string(rune('a'+g.r.IntN(3))), 60+g.r.IntN(10)) // around the 64-byte limit
		}
	case 2:
		return "m\x00" + strconv.Itoa(g.r.IntN(5))
	}
	return string(rune('a'+g.r.IntN(26))) + strconv.Itoa(g.r.IntN(20))
}

func (g *zsetGen) score() string {
	if g.r.IntN(3) == 0 {
		return g.pick(zsetScores)
	}
	return strconv.Itoa(g.r.IntN(40) - 10)
}

func (g *zsetGen) rangeScore() string {
	s := g.score()
	if g.r.IntN(3) == 0 {
		s = "(" + s
	}
	return s
}

func (g *zsetGen) lexItem() string {
	switch g.r.IntN(8) {
	case 0:
		return "-"
	case 1:
		return "+"
	}
	b := "["
	if g.r.IntN(2) == 0 {
		b = "("
	}
	return b + string(rune('a'+g.r.IntN(26))) + strconv.Itoa(g.r.IntN(20))
}

func (g *zsetGen) index() string { return strconv.Itoa(g.r.IntN(30) - 12) }

func (g *zsetGen) limit(args []string) []string {
	if g.r.IntN(3) == 0 {
		args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(8)-1), strconv.Itoa(g.r.IntN(10)-2))
	}
	return args
}

func (g *zsetGen) withScores(args []string) []string {
	if g.r.IntN(2) == 0 {
		args = append(args, "WITHSCORES")
	}
	return args
}

func (g *zsetGen) keys(n int) []string {
	var ks []string
	for i := 0; i < n; i++ {
		switch {
		case g.setIns && g.r.IntN(6) == 0:
			ks = append(ks, "s0")
		case g.r.IntN(12) == 0:
			ks = append(ks, "nokey")
		default:
			ks = append(ks, g.pick(zsetGenKeys))
		}
	}
	return ks
}

// command returns a random command. With grow set, most commands that
// remove elements are replaced by large ZADDs, so keys get past 128
// members.
func (g *zsetGen) command() []string {
	args := g.anyCommand()
	switch args[0] {
	case "ZREM", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX",
		"ZMPOP", "ZRANGESTORE", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "DEL":
		if g.grow && g.r.IntN(5) > 0 {
			args = []string{"ZADD", g.pick(zsetGenKeys)}
			for range 10 + g.r.IntN(30) {
				args = append(args, g.score(), g.member())
			}
		}
	}
	return args
}

func (g *zsetGen) anyCommand() []string {
	k := g.pick(zsetGenKeys)
	lk := g.pick(zsetLexKeys)
	switch g.r.IntN(40) {
	case 0, 1, 2, 3, 4, 5:
		args := []string{"ZADD", k}
		for _, f := range []string{"NX", "XX", "GT", "LT", "CH"} {
			if g.r.IntN(8) == 0 {
				args = append(args, f)
			}
		}
		n := 1 + g.r.IntN(6)
		if g.r.IntN(8) == 0 {
			args = append(args, "INCR")
			n = 1
		}
		for i := 0; i < n; i++ {
			args = append(args, g.score(), g.member())
		}
		return args
	case 6:
		args := []string{"ZADD", lk}
		for i := 0; i < 1+g.r.IntN(8); i++ {
			args = append(args, "0", g.member())
		}
		return args
	case 7:
		return []string{"ZINCRBY", k, g.score(), g.member()}
	case 8:
		args := []string{"ZREM", g.pick([]string{k, lk})}
		for i := 0; i < 1+g.r.IntN(4); i++ {
			args = append(args, g.member())
		}
		return args
	case 9:
		return []string{g.pick([]string{"ZCARD", "OBJECT"}), k}
	case 10:
		return []string{g.pick([]string{"ZSCORE", "ZRANK", "ZREVRANK"}), k, g.member()}
	case 11:
		return []string{"ZMSCORE", k, g.member(), g.member(), g.member()}
	case 12, 13:
		args := []string{"ZRANGE", k, g.index(), g.index()}
		if g.r.IntN(3) == 0 {
			args = append(args, "REV")
		}
		return g.withScores(args)
	case 14, 15:
		args := []string{"ZRANGE", k, g.rangeScore(), g.rangeScore(), "BYSCORE"}
		if g.r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		return g.limit(g.withScores(args))
	case 16:
		args := []string{"ZRANGE", lk, g.lexItem(), g.lexItem(), "BYLEX"}
		if g.r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		return g.limit(args)
	case 17:
		return g.limit(g.withScores([]string{g.pick([]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE"}), k, g.rangeScore(), g.rangeScore()}))
	case 18:
		return g.limit([]string{g.pick([]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"}), lk, g.lexItem(), g.lexItem()})
	case 19:
		return g.withScores([]string{"ZREVRANGE", k, g.index(), g.index()})
	case 20:
		return []string{"ZCOUNT", k, g.rangeScore(), g.rangeScore()}
	case 21:
		return []string{"ZLEXCOUNT", lk, g.lexItem(), g.lexItem()}
	case 22:
		return []string{"ZREMRANGEBYRANK", k, g.index(), g.index()}
	case 23:
		return []string{"ZREMRANGEBYSCORE", k, g.rangeScore(), g.rangeScore()}
	case 24:
		return []string{"ZREMRANGEBYLEX", lk, g.lexItem(), g.lexItem()}
	case 25:
		args := []string{g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), k}
		if g.r.IntN(2) == 0 {
			args = append(args, strconv.Itoa(g.r.IntN(5)))
		}
		return args
	case 26:
		ks := g.keys(1 + g.r.IntN(3))
		args := append([]string{"ZMPOP", strconv.Itoa(len(ks))}, ks...)
		args = append(args, g.pick([]string{"MIN", "MAX"}))
		if g.r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+g.r.IntN(6)))
		}
		return args
	case 27:
		dst := g.pick([]string{"dst", k})
		switch g.r.IntN(3) {
		case 0:
			return []string{"ZRANGESTORE", dst, k, g.index(), g.index()}
		case 1:
			return g.limit([]string{"ZRANGESTORE", dst, k, g.rangeScore(), g.rangeScore(), "BYSCORE"})
		}
		return g.limit([]string{"ZRANGESTORE", "dstlex", lk, g.lexItem(), g.lexItem(), "BYLEX"})
	case 28, 29, 30:
		op := g.pick([]string{"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"})
		ks := g.keys(1 + g.r.IntN(3))
		args := []string{op}
		store := strings.HasSuffix(op, "STORE")
		if store {
			args = append(args, g.pick([]string{"dst", ks[0]}))
		}
		args = append(args, strconv.Itoa(len(ks)))
		args = append(args, ks...)
		if op != "ZDIFF" && op != "ZDIFFSTORE" && op != "ZINTERCARD" {
			if g.r.IntN(3) == 0 {
				args = append(args, "WEIGHTS")
				for range ks {
					args = append(args, g.pick([]string{"1", "2", "-1", "0.5", "0", "inf"}))
				}
			}
			if g.r.IntN(3) == 0 {
				args = append(args, "AGGREGATE", g.pick([]string{"SUM", "MIN", "MAX"}))
			}
		}
		if op == "ZINTERCARD" && g.r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(4)))
		}
		if !store && op != "ZINTERCARD" {
			args = g.withScores(args)
		}
		return args
	case 31:
		args := []string{"ZRANDMEMBER", g.pick([]string{k, lk})}
		if g.r.IntN(4) > 0 {
			args = append(args, strconv.Itoa(g.r.IntN(20)-8))
			args = g.withScores(args)
		}
		return args
	case 32:
		args := []string{"ZSCAN", g.pick([]string{k, lk}), "0"}
		if g.r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+g.r.IntN(20)))
		}
		if g.r.IntN(3) == 0 {
			args = append(args, "MATCH", g.pick([]string{"a*", "*1*", "[a-f]?", "*"}))
		}
		return args
	case 33:
		return []string{g.pick([]string{"EXISTS", "TYPE"}), g.pick([]string{k, lk, "dst"})}
	case 34:
		return []string{"ZADD", "str", "1", "a"} // WRONGTYPE
	case 35:
		if g.r.IntN(4) == 0 {
			return []string{"DEL", k}
		}
	}
	return []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
}

func zsetRandomStream(t *testing.T, p *zsetPair, n int, long bool) {
	g := &zsetGen{r: p.rnd, long: long, setIns: p.sets}
	grow := 0
	p.h2.Both(t, "SET", "str", "x")
	if p.sets {
		p.do2(t, "SADD", "s0", "a1", "b2", "c3", "1", "2", "250")
	}
	for i := 0; i < n; i++ {
		// Alternate growth phases and mixed phases.
		if grow--; grow < 0 {
			g.grow = !g.grow
			grow = 200 + g.r.IntN(800)
		}
		args := g.command()
		if args[0] == "OBJECT" {
			args = []string{"OBJECT", "ENCODING", args[1]}
		}
		if g.r.IntN(2) == 0 {
			p.do2(t, args...)
		} else {
			p.do3(t, args...)
		}
		if t.Failed() {
			from := max(0, len(p.log)-15)
			t.Fatalf("stopped at command %d (seed %d); last commands:\n%s", i, p.h2.Seed, strings.Join(p.log[from:], "\n"))
		}
	}
	// Final state: every key, whole.
	for _, k := range append(append([]string{"dst", "dstlex"}, zsetGenKeys...), zsetLexKeys...) {
		p.do(t, "ZRANGE", k, "0", "-1", "WITHSCORES")
	}
}

// TestZsetRandomDiff runs seeded random streams with small conversion
// limits (so keys cross listpack -> skiplist often) and with Redis's
// defaults and members near the 64-byte limit.
func TestZsetRandomDiff(t *testing.T) {
	t.Run("small-limits", func(t *testing.T) {
		p := zsetStart(t, "--zset-max-listpack-entries", "8", "--zset-max-listpack-value", "8")
		zsetRandomStream(t, p, 4000, false)
	})
	t.Run("defaults", func(t *testing.T) {
		p := zsetStart(t)
		zsetRandomStream(t, p, 4000, true)
	})
}
