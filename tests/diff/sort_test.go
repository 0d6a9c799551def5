package diff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of SORT and SORT_RO (Redis 7.0.15's sort.c). Replies
// are compared byte for byte except in the two cases where Redis's result
// depends on a hash table's iteration order: BY nosort of a hashtable set
// (without STORE), and ALPHA with a BY pattern (whose ties keep the
// loading order) on a hashtable set or a sorted set; those are compared
// sorted, or by length under LIMIT.
//
// No value in these streams makes strtod overflow or underflow: Redis
// tests errno for ERANGE after strtod without clearing it first, so one
// such value makes later, unrelated SORTs fail on the real server until
// some other call happens to reset errno.

// TestSortFixed runs fixed cases over RESP2 then RESP3.
func TestSortFixed(t *testing.T) {
	d := collDiffStart(t)
	script := `
RPUSH l 3 1 2 10 -5 1.5 " 4" 0x10 inf -inf
SORT l
SORT l DESC
SORT l ALPHA
SORT l ALPHA DESC
SORT_RO l LIMIT 2 3
SORT l LIMIT -1 3
SORT l LIMIT 8 10
SORT l LIMIT 10 1
SORT l LIMIT 3 0
SORT l LIMIT 3 -5
SORT l LIMIT 0 9223372036854775807
SORT l LIMIT x 1
SORT l LIMIT 1
SORT l BY nosort
SORT l BY nosort DESC
SORT l BY nosort LIMIT 2 3
SORT l BY nosort DESC LIMIT 2 3
SORT l BY nosort DESC LIMIT 20 3
MSET w_3 c w_1 a w_2 b w_10 10 w_-5 -5
HSET h_1 f 9 g one
HSET h_2 f 8 g two
HSET h_3 f 7
SORT l BY w_*
SORT l BY w_* ALPHA
SORT l BY w_* ALPHA DESC LIMIT 1 4
SORT l BY h_*->f
SORT l BY h_*->f DESC GET # GET h_*->g GET w_*
SORT l BY h_*->f GET h_*->g STORE dst
LRANGE dst 0 -1
SORT l BY w_*->f
SORT l BY nokey_* ALPHA LIMIT 2 5
SORT l GET nostar
SORT l GET #-> GET ## GET w_*->
SORT l BY nosort GET h_*->g
SORT l BY nosort BY w_* ALPHA
SORT l STORE dst
LRANGE dst 0 -1
SORT nokey STORE dst
EXISTS dst
SORT_RO l STORE dst
SORT l STORE
SORT l BY
SORT l GET
SORT l NOPE
SADD s 5 -1 3 100
SORT s
SORT s BY nosort
SORT s BY nosort DESC LIMIT 1 2
SORT s ALPHA
SORT s BY nosort STORE dst
LRANGE dst 0 -1
SADD t b a c
SORT t
SORT t ALPHA
SORT t BY nosort STORE dst
LRANGE dst 0 -1
ZADD z 3 c 1 a 2 b
SORT z ALPHA
SORT z BY nosort
SORT z BY nosort DESC LIMIT 1 1
SORT z
OBJECT ENCODING z
SET str x
SORT str
HSET hh a 1
SORT hh
SORT str LIMIT x 1
`
	for _, resp3 := range []bool{false, true} {
		h := d.on(resp3)
		for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
			h.Do(t, collFields(line)...)
		}
		h.Both(t, "FLUSHALL")
	}
}

// collHeader normalises a reply to its first line (an aggregate's length).
func collHeader(raw []byte) []byte {
	if i := strings.Index(string(raw), "\r\n"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// sortGen makes random SORTs and the writes that change their inputs.
type sortGen struct {
	r *rand.Rand
}

var (
	sortElems = []string{"0", "1", "2", "3", "7", "10", "-1", "-20", "1.5", "2.50", " 3", "4 ", "", "0x1A",
		"inf", "-inf", "a", "b", "B", "ab", "abc", "zz", "1e3", "1e-3", "007", "nan", "9223372036854775807"}
	sortWeights = []string{"1", "2", "3", "-1", "1.5", "10", "x", "y", "X", "", "2", "2", "inf"}
	sortSources = []string{"l0", "l1", "l2", "s0", "s1", "s2", "z0", "z1", "nokey", "str"}
)

func (g *sortGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// elem is an element; numeric ones are more frequent.
func (g *sortGen) elem() string {
	if g.r.IntN(3) == 0 {
		return strconv.Itoa(g.r.IntN(30) - 10)
	}
	return g.pick(sortElems)
}

func (g *sortGen) write() []string {
	switch g.r.IntN(9) {
	case 0, 1:
		return []string{g.pick([]string{"RPUSH", "LPUSH"}), g.pick([]string{"l0", "l1", "l2"}), g.elem(), g.elem()}
	case 2:
		return []string{"SADD", g.pick([]string{"s0", "s1", "s2"}), g.elem(), g.elem()}
	case 3:
		return []string{"ZADD", g.pick([]string{"z0", "z1"}), strconv.Itoa(g.r.IntN(5)), g.elem()}
	case 4, 5:
		return []string{"SET", "w_" + g.elem(), g.pick(sortWeights)}
	case 6:
		return []string{"HSET", "h_" + g.elem(), g.pick([]string{"f", "g"}), g.pick(sortWeights)}
	case 7:
		return []string{"DEL", g.pick([]string{"w_" + g.elem(), "h_" + g.elem(), "l2", "dst"})}
	default:
		if g.r.IntN(2) == 0 {
			return []string{"LPOP", "l1"}
		}
		return []string{"SREM", g.pick([]string{"s0", "s1", "s2"}), g.elem()}
	}
}

// sort makes a SORT with random options; it reports whether the result
// depends on the source's loading order (alpha with a BY pattern), and
// whether BY nosort applies.
func (g *sortGen) sort() (args []string, alphaBy, nosort bool) {
	cmd := "SORT"
	if g.r.IntN(4) == 0 {
		cmd = "SORT_RO"
	}
	args = []string{cmd, g.pick(sortSources)}
	alpha, byPattern := false, false
	for n := g.r.IntN(4); n > 0; n-- {
		switch g.r.IntN(8) {
		case 0:
			args = append(args, g.pick([]string{"ASC", "DESC"}))
		case 1:
			args = append(args, "ALPHA")
			alpha = true
		case 2:
			args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(8)-2), strconv.Itoa(g.r.IntN(10)-2))
		case 3, 4:
			by := g.pick([]string{"w_*", "h_*->f", "h_*->g", "nosort", "nokey_*", "w_*->f"})
			args = append(args, "BY", by)
			if by == "nosort" {
				nosort = true
			} else {
				byPattern = true
			}
		case 5, 6:
			args = append(args, "GET", g.pick([]string{"#", "w_*", "h_*->f", "h_*->g", "const"}))
		default:
			if cmd == "SORT" || g.r.IntN(10) == 0 {
				args = append(args, "STORE", "dst")
			}
		}
	}
	return args, alpha && byPattern && !nosort, nosort
}

// TestSortRandom sends seeded random SORTs over lists, intsets, hashtable
// sets and both sorted set encodings, with random weights, hash fields and
// GET patterns, to both servers.
func TestSortRandom(t *testing.T) {
	d := collDiffStart(t, "--zset-max-listpack-entries", "8")
	g := &sortGen{r: d.r}
	d.both(t, "SET", "str", "x")
	d.both(t, "SADD", "s1", "a", "b") // a hashtable from the start
	for range 60 {
		d.both(t, g.write()...)
	}
	for i := range 3000 {
		if g.r.IntN(3) == 0 {
			d.both(t, g.write()...)
			d.failed(t, i)
			continue
		}
		args, alphaBy, nosort := g.sort()
		d.log = append(d.log, strings.Join(args, " "))
		h := d.on(g.r.IntN(2) == 0)
		enc := string(d.redis(t, "OBJECT", "ENCODING", args[1]))
		hashOrder := strings.Contains(enc, "hashtable") || strings.Contains(enc, "skiplist") ||
			(strings.Contains(enc, "listpack") && strings.HasPrefix(args[1], "z"))
		store := strings.Contains(strings.Join(args, " "), "STORE")
		switch {
		case hashOrder && alphaBy,
			strings.Contains(enc, "hashtable") && nosort && !store:
			// Without LIMIT the same elements come in another order (each
			// with its GET values); with LIMIT only the count is known.
			gets := strings.Count(strings.Join(args, " "), " GET ")
			norm := collSorted(max(gets, 1))
			if strings.Contains(strings.Join(args, " "), " LIMIT ") {
				norm = collHeader
			}
			h.DoNorm(t, norm, args...)
			if store {
				d.both(t, "LLEN", "dst")
				d.h2.Both(t, "DEL", "dst")
			}
		default:
			h.Do(t, args...)
			if store {
				d.both(t, "LRANGE", "dst", "0", "-1")
			}
		}
		d.failed(t, i)
	}
	for _, k := range []string{"z0", "z1"} {
		d.encodingOf(t, k)
	}
}
