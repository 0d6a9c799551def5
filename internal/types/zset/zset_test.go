package zset

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var (
	inf       = math.Inf(1)
	listpack  = DefaultLimits()
	skiplistL = Limits{} // zset-max-listpack-entries 0, as zset.tcl's "skiplist" runs
)

// forEachEncoding runs f with limits that give each encoding, the way
// tests/unit/type/zset.tcl runs its "basics" under both.
func forEachEncoding(t *testing.T, f func(t *testing.T, lim Limits)) {
	for _, c := range []struct {
		enc string
		lim Limits
	}{{EncodingListpack, listpack}, {EncodingSkiplist, skiplistL}} {
		t.Run(c.enc, func(t *testing.T) {
			z := New(c.lim, 0, 1)
			if z.Encoding() != c.enc {
				t.Fatalf("New: encoding %s, want %s", z.Encoding(), c.enc)
			}
			f(t, c.lim)
		})
	}
}

// build creates a set from alternating score, member pairs.
func build(t *testing.T, lim Limits, pairs ...any) *ZSet {
	t.Helper()
	z := New(lim, 0, 0)
	for i := 0; i < len(pairs); i += 2 {
		m := []byte(pairs[i+1].(string))
		var s float64
		switch v := pairs[i].(type) {
		case int:
			s = float64(v)
		case float64:
			s = v
		}
		if _, ok := z.Score(m); ok {
			z.Update(m, s)
		} else {
			z.Insert(m, s, lim)
		}
	}
	if err := z.verify(); err != nil {
		t.Fatal(err)
	}
	return z
}

func members(it Iterator) string {
	var out []string
	for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
		out = append(out, string(m))
	}
	return strings.Join(out, " ")
}

func sr(min, max float64, minEx, maxEx bool) ScoreRange {
	return ScoreRange{Min: min, Max: max, MinEx: minEx, MaxEx: maxEx}
}

func lr(t *testing.T, min, max string) LexRange {
	t.Helper()
	a, ok1 := ParseLexBound([]byte(min))
	b, ok2 := ParseLexBound([]byte(max))
	if !ok1 || !ok2 {
		t.Fatalf("bad lex range %q %q", min, max)
	}
	return LexRange{Min: a, Max: b}
}

// Source: zset.tcl "Check encoding", "ZSET basic ZADD and score update",
// and zsetAdd's conversion check in t_zset.c.
func TestEncodingConversion(t *testing.T) {
	var zero ZSet
	if zero.Encoding() != EncodingListpack || zero.Len() != 0 {
		t.Fatal("zero ZSet is not an empty listpack")
	}
	lim := Limits{MaxListpackEntries: 3, MaxListpackValue: 5}
	z := New(lim, 0, 1)
	for i, m := range []string{"a", "b", "c"} {
		z.Insert([]byte(m), float64(i), lim)
	}
	if z.Encoding() != EncodingListpack {
		t.Fatalf("3 entries with limit 3: %s", z.Encoding())
	}
	z.Update([]byte("a"), 10) // updates never convert
	if z.Encoding() != EncodingListpack {
		t.Fatal("Update converted")
	}
	z.Insert([]byte("d"), 3, lim) // the 4th entry converts
	if z.Encoding() != EncodingSkiplist {
		t.Fatal("4th entry did not convert")
	}
	if got := members(z.All()); got != "b c d a" {
		t.Fatalf("after conversion: %q", got)
	}
	z.Delete([]byte("a"))
	z.Delete([]byte("b"))
	if z.Encoding() != EncodingSkiplist {
		t.Fatal("conversion is not one-way")
	}

	z = New(lim, 0, 1)
	z.Insert([]byte("12345"), 1, lim)
	if z.Encoding() != EncodingListpack {
		t.Fatal("5-byte member with value limit 5 converted")
	}
	z.Insert([]byte("123456"), 1, lim)
	if z.Encoding() != EncodingSkiplist {
		t.Fatal("6-byte member with value limit 5 did not convert")
	}

	// zaddGenericCommand: a first member longer than the value limit, or
	// entries 0, creates a skiplist; ZRANGESTORE sizes by result length.
	if New(lim, 0, 6).Encoding() != EncodingSkiplist || New(Limits{MaxListpackValue: 64}, 0, 1).Encoding() != EncodingSkiplist {
		t.Fatal("New ignored the creation rules")
	}
	if New(lim, 4, 0).Encoding() != EncodingSkiplist || New(lim, 3, 0).Encoding() != EncodingListpack {
		t.Fatal("New ignored the size hint")
	}
}

// Source: zset.tcl "ZSET basic ZADD and score update" and the ordering rule of
// zslInsert (score, then sdscmp).
func TestOrdering(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, 10, "x", 20, "y", 30, "z")
		if got := members(z.All()); got != "x y z" {
			t.Fatal(got)
		}
		z.Update([]byte("y"), 1)
		if got := members(z.All()); got != "y x z" {
			t.Fatal(got)
		}
		z = build(t, lim, 1, "b", 1, "a", 1, "ab", 1, "", 1, "\xff", 1, "A", inf, "pinf", -inf, "ninf", 0.0, "zero", math.Copysign(0, -1), "negzero")
		if got := members(z.All()); got != "ninf negzero zero  A a ab b \xff pinf" {
			t.Fatalf("%q", got)
		}
		// -0 == 0: zsetAdd skips the update, so the stored -0 stays in the
		// large encoding. A listpack stores it as the integer 0 in the
		// first place (zzlInsertAt uses double2ll), so ZSCORE says "0".
		z.Update([]byte("negzero"), 0)
		if s, _ := z.Score([]byte("negzero")); math.Signbit(s) != (z.Encoding() == EncodingSkiplist) {
			t.Fatalf("%s: stored -0 has signbit %v", z.Encoding(), math.Signbit(s))
		}
	})
}

// Source: zset.tcl "ZRANK/ZREVRANK basics" and "ZRANK - after deletion".
func TestRank(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, 10, "x", 20, "y", 30, "z")
		for i, m := range []string{"x", "y", "z"} {
			if r, ok := z.Rank([]byte(m), false); !ok || r != i {
				t.Fatalf("ZRANK %s = %d", m, r)
			}
			if r, ok := z.Rank([]byte(m), true); !ok || r != 2-i {
				t.Fatalf("ZREVRANK %s = %d", m, r)
			}
		}
		if _, ok := z.Rank([]byte("foo"), false); ok {
			t.Fatal("rank of a missing member")
		}
		z.Delete([]byte("y"))
		if r, _ := z.Rank([]byte("z"), false); r != 1 {
			t.Fatalf("after deletion: %d", r)
		}
	})
}

// Source: zset.tcl "ZRANGE basics" and "ZREVRANGE basics" (after the command
// layer has normalized negative indexes).
func TestRangeByRank(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, 1, "a", 2, "b", 3, "c", 4, "d")
		for _, c := range []struct {
			start, stop int
			rev         bool
			want        string
		}{
			{0, 3, false, "a b c d"}, {0, 2, false, "a b c"}, {1, 3, false, "b c d"},
			{0, 0, false, "a"}, {3, 3, false, "d"}, {-5, 1, false, "a b"}, {2, 10, false, "c d"},
			{5, 10, false, ""}, {2, 1, false, ""},
			{0, 3, true, "d c b a"}, {0, 2, true, "d c b"}, {1, 3, true, "c b a"}, {3, 3, true, "a"},
		} {
			if got := members(z.RangeByRank(c.start, c.stop, c.rev)); got != c.want {
				t.Errorf("RangeByRank(%d, %d, %v) = %q, want %q", c.start, c.stop, c.rev, got, c.want)
			}
		}
	})
}

// Source: zset.tcl "ZRANGEBYSCORE/ZREVRANGEBYSCORE/ZCOUNT basics",
// "ZRANGEBYSCORE with LIMIT", "ZRANGEBYSCORE with LIMIT and WITHSCORES".
func TestRangeByScore(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, -inf, "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", inf, "g")
		for _, c := range []struct {
			r    ScoreRange
			rev  bool
			want string
		}{
			{sr(-inf, 2, false, false), false, "a b c"},
			{sr(0, 3, false, false), false, "b c d"},
			{sr(3, 6, false, false), false, "d e f"},
			{sr(4, inf, false, false), false, "e f g"},
			{sr(-inf, 2, false, false), true, "c b a"},
			{sr(0, 3, false, false), true, "d c b"},
			{sr(3, 6, false, false), true, "f e d"},
			{sr(4, inf, false, false), true, "g f e"},
			{sr(-inf, 2, true, true), false, "b"},
			{sr(0, 3, true, true), false, "b c"},
			{sr(3, 6, true, true), false, "e f"},
			{sr(4, inf, true, true), false, "f"},
			{sr(-inf, 2, true, true), true, "b"},
			{sr(0, 3, true, true), true, "c b"},
			{sr(3, 6, true, true), true, "f e"},
			{sr(4, inf, true, true), true, "f"},
		} {
			if got := members(z.RangeByScore(c.r, c.rev, 0, -1)); got != c.want {
				t.Errorf("RangeByScore(%+v, %v) = %q, want %q", c.r, c.rev, got, c.want)
			}
		}
		if n := z.CountScore(sr(0, 3, false, false)); n != 3 {
			t.Errorf("ZCOUNT 0 3 = %d", n)
		}
		if n := z.CountScore(sr(0, 3, true, true)); n != 2 {
			t.Errorf("ZCOUNT (0 (3 = %d", n)
		}
		z.Delete([]byte("a"))
		z.Delete([]byte("g"))
		for _, r := range []ScoreRange{
			sr(4, 2, false, false), sr(6, inf, false, false), sr(-inf, -6, false, false),
			sr(4, 2, true, true), sr(2, 2, false, true), sr(2, 2, true, false), sr(6, inf, true, true),
			sr(-inf, -6, true, true), sr(2.4, 2.6, false, false), sr(2.4, 2.6, true, true),
		} {
			for _, rev := range []bool{false, true} {
				if got := members(z.RangeByScore(r, rev, 0, -1)); got != "" {
					t.Errorf("empty range %+v rev=%v = %q", r, rev, got)
				}
			}
			if n := z.CountScore(r); n != 0 {
				t.Errorf("ZCOUNT of empty range %+v = %d", r, n)
			}
		}

		z = build(t, lim, -inf, "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", inf, "g")
		for _, c := range []struct {
			r             ScoreRange
			rev           bool
			offset, count int
			want          string
		}{
			{sr(0, 10, false, false), false, 0, 2, "b c"},
			{sr(0, 10, false, false), false, 2, 3, "d e f"},
			{sr(0, 10, false, false), false, 2, 10, "d e f"},
			{sr(0, 10, false, false), false, 20, 10, ""},
			{sr(0, 10, false, false), true, 0, 2, "f e"},
			{sr(0, 10, false, false), true, 2, 3, "d c b"},
			{sr(0, 10, false, false), true, 2, 10, "d c b"},
			{sr(0, 10, false, false), true, 20, 10, ""},
			{sr(2, 5, false, false), false, 2, 3, "e f"},
			{sr(2, 5, false, false), true, 2, 3, "d c"},
			{sr(2, 5, false, false), false, 12, 13, ""},
			// genericZrangebyscoreCommand: a negative offset returns nothing,
			// a negative count means no limit, count 0 returns nothing.
			{sr(0, 10, false, false), false, -1, 2, ""},
			{sr(0, 10, false, false), false, 1, -5, "c d e f"},
			{sr(0, 10, false, false), false, 1, 0, ""},
		} {
			if got := members(z.RangeByScore(c.r, c.rev, c.offset, c.count)); got != c.want {
				t.Errorf("RangeByScore(%+v, %v, LIMIT %d %d) = %q, want %q", c.r, c.rev, c.offset, c.count, got, c.want)
			}
		}
	})
}

// Source: zset.tcl "ZRANGEBYLEX/ZREVRANGEBYLEX/ZLEXCOUNT basics",
// "ZLEXCOUNT advanced", "ZRANGEBYSLEX with LIMIT".
func TestRangeByLex(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, 0, "alpha", 0, "bar", 0, "cool", 0, "down", 0, "elephant", 0, "foo", 0, "great", 0, "hill", 0, "omega")
		for _, c := range []struct {
			min, max string
			rev      bool
			want     string
		}{
			{"-", "[cool", false, "alpha bar cool"},
			{"[bar", "[down", false, "bar cool down"},
			{"[g", "+", false, "great hill omega"},
			{"-", "[cool", true, "cool bar alpha"},
			{"[bar", "[down", true, "down cool bar"},
			{"[d", "+", true, "omega hill great foo elephant down"},
			{"-", "(cool", false, "alpha bar"},
			{"(bar", "(down", false, "cool"},
			{"(great", "+", false, "hill omega"},
			{"-", "(cool", true, "bar alpha"},
			{"(bar", "(down", true, "cool"},
			{"(great", "+", true, "omega hill"},
			{"(az", "(b", false, ""},
			{"(z", "+", false, ""},
			{"-", "[aaaa", false, ""},
			{"[elex", "[elez", true, ""},
			{"(hill", "(omega", true, ""},
		} {
			if got := members(z.RangeByLex(lr(t, c.min, c.max), c.rev, 0, -1)); got != c.want {
				t.Errorf("RangeByLex(%s, %s, %v) = %q, want %q", c.min, c.max, c.rev, got, c.want)
			}
		}
		for _, c := range []struct {
			min, max string
			want     int
		}{
			{"[ele", "[h", 3}, {"(ele", "(great", 2}, {"-", "+", 9}, {"+", "-", 0}, {"+", "[c", 0},
			{"[c", "-", 0}, {"[bar", "+", 8}, {"[bar", "[foo", 5}, {"[bar", "(foo", 4},
			{"(bar", "[foo", 4}, {"(bar", "(foo", 3}, {"-", "(foo", 5}, {"(maxstring", "+", 1},
			{"-", "-", 0}, {"+", "+", 0},
		} {
			if got := z.CountLex(lr(t, c.min, c.max)); got != c.want {
				t.Errorf("CountLex(%s, %s) = %d, want %d", c.min, c.max, got, c.want)
			}
		}
		for _, c := range []struct {
			min, max      string
			rev           bool
			offset, count int
			want          string
		}{
			{"-", "[cool", false, 0, 2, "alpha bar"},
			{"-", "[cool", false, 1, 2, "bar cool"},
			{"[bar", "[down", false, 0, 0, ""},
			{"[bar", "[down", false, 2, 0, ""},
			{"[bar", "[down", false, 0, 1, "bar"},
			{"[bar", "[down", false, 1, 1, "cool"},
			{"[bar", "[down", false, 0, 100, "bar cool down"},
			{"[d", "+", true, 0, 5, "omega hill great foo elephant"},
			{"[d", "+", true, 0, 4, "omega hill great foo"},
		} {
			if got := members(z.RangeByLex(lr(t, c.min, c.max), c.rev, c.offset, c.count)); got != c.want {
				t.Errorf("RangeByLex(%s, %s, %v, LIMIT %d %d) = %q, want %q", c.min, c.max, c.rev, c.offset, c.count, got, c.want)
			}
		}
	})
}

// Source: zslParseLexRangeItem in t_zset.c; zset.tcl "ZRANGEBYLEX with
// invalid lex range specifiers".
func TestParseLexBound(t *testing.T) {
	for _, bad := range []string{"", "foo", "bar", "+x", "-x", "1", "]a"} {
		if _, ok := ParseLexBound([]byte(bad)); ok {
			t.Errorf("ParseLexBound(%q) accepted", bad)
		}
	}
	for in, want := range map[string]LexBound{
		"-":   {Inf: -1, Exclusive: true},
		"+":   {Inf: 1, Exclusive: true},
		"[":   {Value: []byte{}},
		"(":   {Value: []byte{}, Exclusive: true},
		"[a(": {Value: []byte("a(")},
		"(+":  {Value: []byte("+"), Exclusive: true},
	} {
		got, ok := ParseLexBound([]byte(in))
		if !ok || got.Inf != want.Inf || got.Exclusive != want.Exclusive || string(got.Value) != string(want.Value) {
			t.Errorf("ParseLexBound(%q) = %+v %v, want %+v", in, got, ok, want)
		}
	}
}

// Source: zset.tcl "ZREMRANGEBYSCORE basics".
func TestDeleteRangeByScore(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		for _, c := range []struct {
			r    ScoreRange
			n    int
			left string
		}{
			{sr(2, 4, false, false), 3, "a e"},
			{sr(-10, 1, false, false), 1, "b c d e"},
			{sr(5, 10, false, false), 1, "a b c d"},
			{sr(4, 2, false, false), 0, "a b c d e"},
			{sr(-inf, 3, false, false), 3, "d e"},
			{sr(3, inf, false, false), 3, "a b"},
			{sr(-inf, inf, false, false), 5, ""},
			{sr(1, 5, true, false), 4, "a"},
			{sr(2, 5, true, false), 3, "a b"},
			{sr(1, 5, false, true), 4, "e"},
			{sr(1, 4, false, true), 3, "d e"},
			{sr(1, 5, true, true), 3, "a e"},
		} {
			z := build(t, lim, 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
			if n := z.DeleteRangeByScore(c.r); n != c.n {
				t.Errorf("DeleteRangeByScore(%+v) = %d, want %d", c.r, n, c.n)
			}
			if got := members(z.All()); got != c.left {
				t.Errorf("after DeleteRangeByScore(%+v): %q, want %q", c.r, got, c.left)
			}
			if err := z.verify(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Source: zset.tcl "ZREMRANGEBYRANK basics" (indexes already normalized).
func TestDeleteRangeByRank(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		for _, c := range []struct {
			start, stop, n int
			left           string
		}{
			{1, 3, 3, "a e"}, {-10, 0, 1, "b c d e"}, {4, 10, 1, "a b c d"},
			{3, 1, 0, "a b c d e"}, {0, 4, 5, ""}, {10, 20, 0, "a b c d e"},
		} {
			z := build(t, lim, 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
			if n := z.DeleteRangeByRank(c.start, c.stop); n != c.n {
				t.Errorf("DeleteRangeByRank(%d, %d) = %d, want %d", c.start, c.stop, n, c.n)
			}
			if got := members(z.All()); got != c.left {
				t.Errorf("after DeleteRangeByRank(%d, %d): %q, want %q", c.start, c.stop, got, c.left)
			}
		}
		z := build(t, lim, 0, "a", 0, "b", 0, "c", 0, "d")
		if n := z.DeleteRangeByLex(lr(t, "(a", "[c")); n != 2 || members(z.All()) != "a d" {
			t.Errorf("DeleteRangeByLex: %d, left %q", n, members(z.All()))
		}
	})
}

// Source: zset.tcl "ZPOPMIN/ZPOPMAX with count" ("Basic $popmin/$popmax").
func TestPop(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := build(t, lim, 1, "a", 2, "b", 3, "c", 4, "d")
		var got []string
		fn := func(m []byte, s float64) { got = append(got, string(m)+"="+strconv.FormatFloat(s, 'g', -1, 64)) }
		if n := z.PopMin(1, fn); n != 1 || strings.Join(got, " ") != "a=1" {
			t.Fatalf("PopMin(1): %d %v", n, got)
		}
		got = nil
		if n := z.PopMax(2, fn); n != 2 || strings.Join(got, " ") != "d=4 c=3" {
			t.Fatalf("PopMax(2): %d %v", n, got)
		}
		got = nil
		if n := z.PopMin(0, fn); n != 0 || got != nil {
			t.Fatal("PopMin(0) popped")
		}
		if n := z.PopMin(10, fn); n != 1 || strings.Join(got, " ") != "b=2" || z.Len() != 0 {
			t.Fatalf("PopMin(10): %d %v", n, got)
		}
	})
}

// Source: zrandmemberWithCountCommand in t_zset.c and zset.tcl's
// "ZRANDMEMBER count overflow"/"ZRANDMEMBER with <count>" expectations.
func TestRandomMembers(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		var pairs []any
		for i := range 100 {
			pairs = append(pairs, i, "m"+strconv.Itoa(i))
		}
		z := build(t, lim, pairs...)
		r := rand.New(rand.NewPCG(1, 2))
		collect := func(count int) []string {
			var out []string
			z.RandomMembers(count, r, func(m []byte, s float64) bool {
				if want, _ := strconv.Atoi(string(m[1:])); float64(want) != s {
					t.Fatalf("member %s with score %v", m, s)
				}
				out = append(out, string(m))
				return true
			})
			return out
		}
		for _, count := range []int{1, 5, 30, 34, 60, 99} {
			got := collect(count)
			if len(got) != count || len(slices.Compact(slices.Sorted(slices.Values(got)))) != count {
				t.Fatalf("RandomMembers(%d) = %d members, not all distinct", count, len(got))
			}
		}
		// count >= size: the whole set, in descending order (CASE 2 walks
		// the set with zuiNext, which zuiInitIterator starts at the tail).
		if got := collect(100); got[0] != "m99" || got[99] != "m0" || len(got) != 100 {
			t.Fatal("RandomMembers(size) is not the set in descending order")
		}
		// Negative count: exactly -count picks, repeats allowed (CASE 1).
		got := collect(-1000)
		seen := map[string]bool{}
		for _, m := range got {
			seen[m] = true
		}
		if len(got) != 1000 || len(seen) < 90 {
			t.Fatalf("RandomMembers(-1000): %d picks over %d members", len(got), len(seen))
		}
		// Roughly uniform: every member is picked by single draws.
		hits := map[string]int{}
		for range 5000 {
			m, _, _ := z.RandomMember(r)
			hits[string(m)]++
		}
		if len(hits) != 100 {
			t.Fatalf("RandomMember reached %d of 100 members", len(hits))
		}
		n := 0
		z.RandomMembers(-50, r, func([]byte, float64) bool { n++; return n < 3 })
		if n != 3 {
			t.Fatal("RandomMembers ignored fn returning false")
		}
	})
}

// TestScanGuarantee checks Redis's SCAN guarantee (redis.io/commands/scan:
// "a full iteration always retrieves all the elements that were present in
// the collection from the start to the end of a full iteration") while the
// index grows and shrinks between steps.
func TestScanGuarantee(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	for round := range 20 {
		z := New(skiplistL, 0, 0)
		stable := map[string]bool{}
		for i := range 200 + r.IntN(2000) {
			m := []byte("stable:" + strconv.Itoa(i))
			z.Insert(m, r.Float64(), skiplistL)
			stable[string(m)] = true
		}
		var churn []string
		seen := map[string]int{}
		cursor := uint64(0)
		for step := 0; ; step++ {
			cursor = z.Scan(cursor, func(m []byte, s float64) { seen[string(m)]++ })
			if cursor == 0 {
				break
			}
			// Grow sharply for a while, then shrink, so the table resizes
			// both ways mid-scan.
			if lo := 10 * (round % 2); step >= lo && step < lo+40 {
				for range 50 {
					m := "churn:" + strconv.Itoa(len(churn))
					churn = append(churn, m)
					z.Insert([]byte(m), r.Float64(), skiplistL)
				}
			} else if len(churn) > 0 {
				for range min(len(churn), 80) {
					k := r.IntN(len(churn))
					z.Delete([]byte(churn[k]))
					churn[k] = churn[len(churn)-1]
					churn = churn[:len(churn)-1]
				}
			}
			if step > 1<<16 {
				t.Fatal("scan does not terminate")
			}
		}
		for m := range stable {
			if seen[m] == 0 {
				t.Fatalf("round %d: member %s present throughout was never returned", round, m)
			}
		}
		if err := z.verify(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIterationDoesNotAllocate checks that iterating, counting and looking up
// allocate nothing per element.
func TestIterationDoesNotAllocate(t *testing.T) {
	forEachEncoding(t, func(t *testing.T, lim Limits) {
		z := New(lim, 0, 0)
		for i := range 100 {
			z.Insert([]byte("member:"+strconv.Itoa(i)), float64(i%10), lim)
		}
		r := ScoreRange{Min: 2, Max: 7}
		l := LexRange{Min: LexBound{Inf: -1}, Max: LexBound{Value: []byte("member:5")}}
		sum := 0.0
		allocs := testing.AllocsPerRun(100, func() {
			for _, it := range []Iterator{z.All(), z.RangeByRank(3, 90, true), z.RangeByScore(r, true, 2, 30), z.RangeByLex(l, false, 0, -1)} {
				for _, s, ok := it.Next(); ok; _, s, ok = it.Next() {
					sum += s
				}
			}
			sum += float64(z.CountScore(r) + z.CountLex(l))
			s, _ := z.Score([]byte("member:42"))
			rk, _ := z.Rank([]byte("member:42"), false)
			sum += s + float64(rk)
			z.Scan(0, func(m []byte, s float64) { sum += s })
		})
		if allocs != 0 {
			t.Fatalf("%v allocations per run", allocs)
		}
	})
}

// TestDeepTree builds a tree three inner levels deep and tears it down with
// every kind of deletion, checking invariants along the way.
func TestDeepTree(t *testing.T) {
	n := 300_000
	if testing.Short() || raceEnabled {
		n = 120_000
	}
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	z := New(skiplistL, 0, 0)
	var buf []byte
	for i := range n {
		buf = strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
		z.Insert(buf, float64(r.IntN(n)), skiplistL)
	}
	check := func(stage string) {
		t.Helper()
		if err := z.verify(); err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
	}
	check("built")
	t.Logf("%d members: %d leaves, %d inner nodes", z.Len(), z.lg.nLeaves, z.lg.nInner)
	z.DeleteRangeByRank(n/10, n/2)
	check("rank range deleted")
	z.DeleteRangeByScore(ScoreRange{Min: float64(n) * 0.7, Max: float64(n) * 0.9})
	check("score range deleted")
	for i := 0; i < n; i += 3 {
		buf = strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
		z.Delete(buf)
	}
	check("every third deleted")
	prev := math.Inf(-1)
	for z.Len() > 0 {
		z.PopMin(1+r.IntN(5000), func(_ []byte, s float64) {
			if s < prev {
				t.Fatal("PopMin out of order")
			}
			prev = s
		})
	}
	check("drained")
	if z.lg.nLeaves != 1 || z.lg.nInner != 1 || z.lg.count != 0 {
		t.Fatalf("empty set keeps %d leaves, %d inner nodes, %d index entries", z.lg.nLeaves, z.lg.nInner, z.lg.count)
	}
	if u := z.MemoryUsage(); u > 64<<10 {
		t.Fatalf("empty set still uses %d bytes", u)
	}
}

// TestSequentialFill checks that ascending and descending inserts (e.g.
// timestamps) leave leaves full rather than half empty.
func TestSequentialFill(t *testing.T) {
	for _, desc := range []bool{false, true} {
		z := New(skiplistL, 0, 0)
		const n = 50_000
		for i := range n {
			s := float64(i)
			if desc {
				s = -s
			}
			z.Insert([]byte("k"+strconv.Itoa(i)), s, skiplistL)
		}
		if err := z.verify(); err != nil {
			t.Fatal(err)
		}
		if min := n/leafCap + 1; z.lg.nLeaves > min+1 {
			t.Errorf("desc=%v: %d leaves for %d members, want about %d", desc, z.lg.nLeaves, n, min)
		}
	}
}

// TestArenaCompaction deletes most members of a large set and checks that
// the arena and index give memory back.
func TestArenaCompaction(t *testing.T) {
	z := New(skiplistL, 0, 0)
	const n = 100_000
	for i := range n {
		z.Insert([]byte("member:"+strconv.Itoa(i)), float64(i%1000), skiplistL)
	}
	full := z.MemoryUsage()
	for i := range n {
		if i%10 != 0 {
			z.Delete([]byte("member:" + strconv.Itoa(i)))
		}
	}
	if err := z.verify(); err != nil {
		t.Fatal(err)
	}
	if got := z.MemoryUsage(); got > full/5 {
		t.Fatalf("10%% of members left, memory %d of %d", got, full)
	}
	// Records larger than a slab quarter live in their own slab, which is
	// released as soon as the member is deleted.
	before := z.MemoryUsage()
	big := []byte(strings.Repeat("x", 100_000))
	z.Insert(big, 1, skiplistL)
	if s, ok := z.Score(big); !ok || s != 1 {
		t.Fatal("big member missing")
	}
	if err := z.verify(); err != nil {
		t.Fatal(err)
	}
	z.Delete(big)
	if got := z.MemoryUsage(); got > before+1024 {
		t.Fatalf("big member's slab kept: %d > %d", got, before)
	}
}
