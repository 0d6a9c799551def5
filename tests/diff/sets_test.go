package diff

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the set commands (Redis 7.0.15's t_set.c). Replies
// are compared byte for byte, except where Redis leaves the order
// unspecified: the members of a hashtable set, and the results of SINTER,
// SUNION and SDIFF, are compared sorted (but the encoding of every stored
// result is compared, and an intset's members in order); SPOP and
// SRANDMEMBER picks are compared by shape and checked against the set;
// SSCAN over a hashtable is compared as a whole scan.

// setMembers returns the members of the set at key on the real server.
func (d *collDuo) setMembers(t *testing.T, key string) []string {
	t.Helper()
	raw := d.redis(t, "SMEMBERS", key)
	if raw[0] == '-' {
		return nil
	}
	return collStrings(t, raw)
}

// members compares SMEMBERS of key: in order for an intset.
func (d *collDuo) members(t *testing.T, h *Harness, key string) {
	t.Helper()
	if d.encodingOf(t, key) == "intset" {
		h.Do(t, "SMEMBERS", key)
		return
	}
	h.DoNorm(t, collSorted(1), "SMEMBERS", key)
}

// resync makes key the same set on both servers after a random pop: the
// members the real server kept, added back in its order on both.
func (d *collDuo) resync(t *testing.T, key string) {
	t.Helper()
	if typ := string(d.redis(t, "TYPE", key)); typ != "+set\r\n" && typ != "+none\r\n" {
		return
	}
	ms := d.setMembers(t, key)
	d.h2.Both(t, "DEL", key)
	for len(ms) > 0 {
		n := min(len(ms), 100)
		d.h2.Both(t, append([]string{"SADD", key}, ms[:n]...)...)
		ms = ms[n:]
	}
}

// picks compares SPOP/SRANDMEMBER by shape and checks Cinnabar's members:
// from the set (as it was before the command), distinct unless the count
// is negative.
func (d *collDuo) picks(t *testing.T, h *Harness, args []string) {
	t.Helper()
	before := d.setMembers(t, args[1])
	if len(args) == 3 {
		if n, err := strconv.Atoi(args[2]); err == nil && n >= len(before) && len(before) > 0 {
			// The whole set: its order is the set's (a new one for SPOP).
			h.DoNorm(t, collSorted(1), args...)
			return
		}
	}
	want, got := h.Both(t, args...)
	if collShape(want) != collShape(got) {
		t.Errorf("%q: shapes differ:\n redis:    %q\n cinnabar: %q", args, want, got)
		return
	}
	var items []string
	switch got[0] {
	case '$':
		if !strings.HasPrefix(string(got), "$-1") {
			items = collStrings(t, append([]byte("*1\r\n"), got...))
		}
	case '*', '~':
		items = collStrings(t, got)
	}
	seen := map[string]bool{}
	for _, m := range items {
		if !slices.Contains(before, m) {
			t.Errorf("%q: cinnabar picked %q, not a member", args, m)
		}
		if seen[m] && !(len(args) == 3 && strings.HasPrefix(args[2], "-")) {
			t.Errorf("%q: cinnabar picked %q twice", args, m)
		}
		seen[m] = true
	}
}

// TestSetsFixed runs fixed cases over RESP2 then RESP3.
func TestSetsFixed(t *testing.T) {
	d := collDiffStart(t)
	script := `
SADD s 3 1 2 -5 9223372036854775807 -9223372036854775808
SADD s 2
SADD s
SMEMBERS s
SMEMBERS nokey
SISMEMBER s 1
SISMEMBER s 01
SISMEMBER s a
SISMEMBER nokey a
SMISMEMBER s 1 a 3
SMISMEMBER nokey a
SCARD s
SCARD nokey
OBJECT ENCODING s
SADD t 3 4 5
SADD u 1 3 5 7
SINTER s t u
SINTER s t nokey
SINTER nokey s
SINTER s s
SUNION s t u
SUNION nokey
SDIFF s t u
SDIFF s nokey t
SDIFF nokey s
SDIFF s s
SINTERSTORE d s t u
SMEMBERS d
OBJECT ENCODING d
SINTERSTORE d s nokey
EXISTS d
SUNIONSTORE d s t u
SMEMBERS d
SDIFFSTORE d s t
SMEMBERS d
SDIFFSTORE d s s
EXISTS d
SINTERCARD 3 s t u
SINTERCARD 2 s u LIMIT 1
SINTERCARD 2 s u LIMIT 0
SINTERCARD 2 s u LIMIT -1
SINTERCARD 2 s u LIMIT x
SINTERCARD 2 s u LIMIT
SINTERCARD 2 s u FOO 1
SINTERCARD 0 s
SINTERCARD x s
SINTERCARD 5 s
SINTERCARD 1 nokey
SMOVE s t 1
SMOVE s t 1
SMOVE nokey t 1
SMOVE t t 3
SMOVE t t 99
SMOVE t fresh 3
SMEMBERS fresh
SPOP nokey
SPOP nokey 1
SPOP s 0
SPOP s -1
SPOP s x
SPOP s 1 2
SRANDMEMBER nokey
SRANDMEMBER nokey 2
SRANDMEMBER s 0
SRANDMEMBER s x
SRANDMEMBER s -9223372036854775808
SRANDMEMBER s 1 2
SRANDMEMBER s 100
SSCAN s 0
SSCAN s 0 MATCH 1* COUNT 1
SSCAN s 0 COUNT 0
SSCAN s 0 COUNT x
SSCAN s 0 MATCH
SSCAN s x
SSCAN s 18446744073709551616
SSCAN nokey 0
SET str x
SADD str a
SREM str a
SMOVE str s a
SMOVE s str 3
SMOVE nokey str 3
SISMEMBER str a
SMISMEMBER str a
SCARD str
SMEMBERS str
SINTER s str
SINTER nokey str
SINTERSTORE d s str
SUNION s str
SDIFF nokey str
SINTERCARD 2 s str
SPOP str
SPOP str 2
SRANDMEMBER str
SRANDMEMBER str 2
SSCAN str 0
SPOP t 100
EXISTS t
SREM u 1 3 5 7 9
EXISTS u
`
	for _, resp3 := range []bool{false, true} {
		h := d.on(resp3)
		for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
			h.Do(t, collFields(line)...)
		}
		h.Both(t, "FLUSHALL")
	}
}

// TestSetsEncodings compares OBJECT ENCODING across the intset ->
// hashtable conversions and for results built by the set algebra (SDIFF's
// two algorithms leave different encodings, SPOP rebuilds sets).
func TestSetsEncodings(t *testing.T) {
	d := collDiffStart(t, "--set-max-intset-entries", "5")
	steps := [][]string{
		{"SADD", "a", "1", "2", "3", "4", "5"},
		{"SADD", "a", "6"},
		{"SADD", "b", "x"},
		{"SADD", "c", "1", "x"},
		{"SADD", "c2", "x", "1"},
		{"SADD", "d", "007"},
		{"SADD", "e", "18446744073709551616"},
		{"SADD", "f", "1", "2", "3", "x"},
		{"SREM", "f", "x"},
		{"SUNIONSTORE", "g", "f"},
		{"SDIFFSTORE", "g", "c", "b"},
		{"SADD", "s2", "x"}, {"SADD", "s3", "x"}, {"SADD", "s4", "x"}, {"SADD", "s5", "x"},
		{"SDIFFSTORE", "g", "f", "s2", "s3", "s4", "s5"},
		{"SADD", "h", "1", "2", "3", "a", "b"},
		{"SDIFFSTORE", "g", "h", "s2", "s3", "s4", "s5"},
		{"SADD", "s6", "a"}, {"SADD", "s7", "a"},
		{"SDIFFSTORE", "g", "h", "b", "s6", "s7", "s2", "s3"},
		{"SDIFFSTORE", "g", "h", "b"},
		{"SADD", "k", "1", "2", "3", "a"},
		{"SDIFFSTORE", "g", "k", "s6", "s2", "s3", "s4", "s5"}, // second algorithm: a hashtable of integers
		{"SDIFFSTORE", "g", "k", "s6"},                         // first algorithm: an intset
		{"SINTERSTORE", "g", "h", "h"},
		{"SINTERSTORE", "g", "a", "c"},
		{"SUNIONSTORE", "g", "a", "c"},
		{"SMOVE", "c", "new", "1"},
		{"SMOVE", "c", "new2", "x"},
		{"CONFIG", "SET", "set-max-intset-entries", "0"},
		{"SADD", "z", "1"},
		{"CONFIG", "SET", "set-max-intset-entries", "512"},
		{"COPY", "h", "hcopy"},
		{"COPY", "d", "dcopy"},
	}
	for _, c := range steps {
		d.both(t, c...)
		if c[0] == "CONFIG" {
			continue
		}
		for _, k := range []string{c[1], c[len(c)-1], "g"} {
			d.encodingOf(t, k)
			d.members(t, d.h2, k)
		}
	}
	// SPOP rebuilds the set when it takes most of it: a hashtable of
	// integers can come back as an intset. Which members stay is random,
	// so only the encoding is compared, on sets whose survivors decide it
	// the same way on both servers.
	d.both(t, "SADD", "p", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "x")
	d.both(t, "SREM", "p", "x")
	d.h2.DoNorm(t, collShapeNorm, "SPOP", "p", "9")
	d.encodingOf(t, "p")
}

// collShapeNorm normalises a reply to its shape.
func collShapeNorm(raw []byte) []byte { return []byte(collShape(raw)) }

// setGen makes random set commands over a few keys.
type setGen struct {
	r *rand.Rand
}

var setGenKeys = []string{"s0", "s1", "s2", "s3"}

func (g *setGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *setGen) key() string {
	switch g.r.IntN(30) {
	case 0:
		return "str"
	case 1:
		return "nokey"
	}
	return g.pick(setGenKeys)
}

func (g *setGen) keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.key()
	}
	return out
}

// member is mostly small integers (intsets), sometimes strings.
func (g *setGen) member() string {
	switch n := g.r.IntN(50); {
	case n < 35:
		return strconv.Itoa(g.r.IntN(40) - 5)
	case n < 45:
		return "m" + strconv.Itoa(g.r.IntN(15))
	default:
		return g.pick([]string{"9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "-0", "", "1.0", " 1"})
	}
}

func (g *setGen) command() []string {
	switch g.r.IntN(26) {
	case 0, 1, 2, 3, 4:
		args := []string{"SADD", g.key()}
		for n := 1 + g.r.IntN(6); n > 0; n-- {
			args = append(args, g.member())
		}
		return args
	case 5, 6:
		args := []string{"SREM", g.key()}
		for n := 1 + g.r.IntN(4); n > 0; n-- {
			args = append(args, g.member())
		}
		return args
	case 7:
		return []string{"SISMEMBER", g.key(), g.member()}
	case 8:
		return []string{"SMISMEMBER", g.key(), g.member(), g.member(), g.member()}
	case 9:
		return []string{g.pick([]string{"SCARD", "EXISTS", "TYPE", "OBJECT"}), g.key()}
	case 10, 11:
		return []string{"SMEMBERS", g.key()}
	case 12, 13:
		return append([]string{g.pick([]string{"SINTER", "SUNION", "SDIFF"})}, g.keys(1+g.r.IntN(4))...)
	case 14, 15:
		cmd := g.pick([]string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"})
		return append([]string{cmd, g.pick([]string{"dst", "dst", g.key()})}, g.keys(1+g.r.IntN(4))...)
	case 16:
		n := 1 + g.r.IntN(3)
		args := append([]string{"SINTERCARD", strconv.Itoa(n)}, g.keys(n)...)
		if g.r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(5)))
		}
		return args
	case 17:
		return []string{"SMOVE", g.key(), g.key(), g.member()}
	case 18:
		args := []string{"SPOP", g.key()}
		if g.r.IntN(3) > 0 {
			args = append(args, strconv.Itoa(g.r.IntN(30)))
		}
		return args
	case 19, 20:
		args := []string{"SRANDMEMBER", g.key()}
		if g.r.IntN(4) > 0 {
			args = append(args, strconv.Itoa(g.r.IntN(60)-20))
		}
		return args
	case 21:
		args := []string{"SSCAN", g.key(), "0"}
		if g.r.IntN(2) == 0 {
			args = append(args, "MATCH", g.pick([]string{"1*", "*", "m?", "-*", "[0-3]"}))
		}
		if g.r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+g.r.IntN(20)))
		}
		return args
	case 22:
		if g.r.IntN(3) == 0 {
			return []string{"DEL", g.key()}
		}
		return []string{"COPY", g.key(), g.pick(setGenKeys), "REPLACE"}
	default:
		args := []string{"SADD", g.key()}
		for n := 1 + g.r.IntN(20); n > 0; n-- {
			args = append(args, strconv.Itoa(g.r.IntN(100)))
		}
		return args
	}
}

// setDo runs one generated command over RESP2 or RESP3.
func (d *collDuo) setDo(t *testing.T, resp3 bool, args []string) {
	t.Helper()
	d.log = append(d.log, strings.Join(args, " "))
	h := d.on(resp3)
	switch args[0] {
	case "OBJECT":
		d.encodingOf(t, args[1])
	case "SMEMBERS":
		d.members(t, h, args[1])
	case "SINTER", "SUNION", "SDIFF":
		h.DoNorm(t, collSorted(1), args...)
	case "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE":
		h.Do(t, args...)
		d.encodingOf(t, args[1])
		d.members(t, h, args[1])
	case "SPOP":
		d.picks(t, h, args)
		d.resync(t, args[1])
	case "SRANDMEMBER":
		d.picks(t, h, args)
	case "SSCAN":
		d.scan(t, h, args, false)
	default:
		h.Do(t, args...)
	}
}

// TestSetsRandom sends seeded random streams of set commands to both
// servers, with a small set-max-intset-entries (frequent conversions) and
// with Redis's default.
func TestSetsRandom(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"small-limit", []string{"--set-max-intset-entries", "16"}},
		{"default", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := collDiffStart(t, tc.args...)
			g := &setGen{r: d.r}
			d.both(t, "SET", "str", "x")
			for i := range 3000 {
				d.setDo(t, d.r.IntN(2) == 0, g.command())
				d.failed(t, i)
			}
			for _, k := range append([]string{"dst"}, setGenKeys...) {
				d.setDo(t, false, []string{"OBJECT", "ENCODING", k})
				d.setDo(t, false, []string{"SMEMBERS", k})
			}
		})
	}
}
