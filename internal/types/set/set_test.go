package set

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
)

func newRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

const maxIS = DefaultMaxIntsetEntries

func b(s string) []byte { return []byte(s) }

func members(s *Set) []string {
	var out []string
	s.Range(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	return out
}

func fromList(ms ...string) *Set {
	var s Set
	for _, m := range ms {
		s.Add(b(m), maxIS)
	}
	return &s
}

// TestParseInt checks the string2ll rules (src/util.c) that decide whether a
// member can live in an intset.
func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"213244124402402314402033402", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"007", 0, false},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false}, {"1.0", 0, false},
	} {
		v, ok := parseInt(b(tc.in))
		if v != tc.v || ok != tc.ok {
			t.Errorf("parseInt(%q) = %d %v, want %d %v", tc.in, v, ok, tc.v, tc.ok)
		}
	}
}

// FuzzParseInt: parseInt accepts exactly the strings that are the canonical
// decimal form of an int64.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-1", "007", "9223372036854775808", "+5", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseInt(b(s))
		ref, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && strconv.FormatInt(ref, 10) == s
		if ok != want || (ok && v != ref) {
			t.Fatalf("parseInt(%q) = %d %v, want %d %v", s, v, ok, ref, want)
		}
	})
}

// TestIntsetWidths follows intsetUpgradeAndAdd (src/intset.c): widths grow
// 2 -> 4 -> 8 and never shrink; a wider negative value goes first, a wider
// positive one last.
func TestIntsetWidths(t *testing.T) {
	var is []byte
	add := func(v int64) {
		var ok bool
		is, ok = isAdd(is, v)
		if !ok {
			t.Fatalf("isAdd(%d) reported present", v)
		}
	}
	add(5)
	add(-3)
	if isWidth(is) != 2 {
		t.Fatalf("width %d", isWidth(is))
	}
	add(70000)
	if isWidth(is) != 4 {
		t.Fatalf("width %d", isWidth(is))
	}
	add(-5000000000)
	if isWidth(is) != 8 {
		t.Fatalf("width %d", isWidth(is))
	}
	add(math.MaxInt64)
	add(math.MinInt64)
	add(0)
	var got []int64
	for i := range isLen(is) {
		got = append(got, isGet(is, i))
	}
	want := []int64{math.MinInt64, -5000000000, -3, 0, 5, 70000, math.MaxInt64}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
	if _, ok := isAdd(is, 70000); ok {
		t.Fatal("duplicate added")
	}
	for _, v := range want[:len(want)-1] {
		is, _ = isRemove(is, v)
	}
	if isWidth(is) != 8 || isLen(is) != 1 || isGet(is, 0) != math.MaxInt64 {
		t.Fatal("remove narrowed or lost members")
	}
	if _, ok := isRemove(is, 1); ok {
		t.Fatal("removed an absent value")
	}
	if is, _ = isRemove(is, math.MaxInt64); is != nil {
		t.Fatal("emptied intset not released")
	}
}

// TestEncodings follows tests/unit/type/set.tcl ("SADD a non-integer
// against an intset", "SADD an integer larger than 64 bits", "SADD overflows
// the maximum allowed integers in an intset", "Set encoding after DEBUG
// RELOAD") and setTypeCreate/setTypeAdd in src/t_set.c.
func TestEncodings(t *testing.T) {
	if s := fromList("foo"); s.Encoding() != "hashtable" {
		t.Fatal("non-integer first member should give a hashtable")
	}
	if s := fromList("17"); s.Encoding() != "intset" {
		t.Fatal("integer first member should give an intset")
	}
	s := fromList("1", "2", "3")
	if !s.Add(b("a"), maxIS) || s.Encoding() != "hashtable" || s.Len() != 4 {
		t.Fatal("non-integer did not convert")
	}
	if !s.IsMember(b("2")) {
		t.Fatal("conversion lost members")
	}
	if s := fromList("213244124402402314402033402"); s.Encoding() != "hashtable" || !s.IsMember(b("213244124402402314402033402")) {
		t.Fatal("integer larger than 64 bits")
	}
	if s := fromList("1", "007"); s.Encoding() != "hashtable" { // redis-server 7.0.15: "007" is not an integer
		t.Fatal("007 should convert")
	}
	var big Set
	for i := range 512 {
		big.Add(b(strconv.Itoa(i)), maxIS)
	}
	if big.Encoding() != "intset" {
		t.Fatal("512 integers should stay an intset")
	}
	if big.Add(b("5"), maxIS); big.Encoding() != "intset" {
		t.Fatal("re-adding converted")
	}
	if !big.Add(b("512"), maxIS) || big.Encoding() != "hashtable" || big.Len() != 513 {
		t.Fatal("513th integer should convert")
	}
	for i := range 512 {
		big.Remove(b(strconv.Itoa(i)))
	}
	if big.Encoding() != "hashtable" {
		t.Fatal("conversion is one-way")
	}
	var zero Set
	zero.Add(b("1"), 0)
	if zero.Encoding() != "hashtable" {
		t.Fatal("set-max-intset-entries 0 should give a hashtable")
	}
}

func TestIntsetMembership(t *testing.T) {
	s := fromList("10", "-5", "3")
	if got := members(s); !slices.Equal(got, []string{"-5", "3", "10"}) {
		t.Fatalf("intset order %q", got)
	}
	for m, want := range map[string]bool{"3": true, "-5": true, "4": false, "a": false, "03": false, "99999999999": false} {
		if s.IsMember(b(m)) != want {
			t.Errorf("IsMember(%q) != %v", m, want)
		}
	}
	if s.Remove(b("a")) || s.Remove(b("03")) || !s.Remove(b("3")) || s.Len() != 2 {
		t.Fatal("Remove")
	}
}

// TestModel runs random operations against a Go map with small intset
// limits, so that sets convert at random points.
func TestModel(t *testing.T) {
	r := newRand(t)
	for round := range 300 {
		maxEntries := r.IntN(40)
		nonInt := r.IntN(4) == 0 // some rounds add non-integers
		var s Set
		model := map[string]bool{}
		converted := false
		for op := range 200 {
			var m string
			switch {
			case nonInt && r.IntN(20) == 0:
				m = "m" + strconv.Itoa(r.IntN(10))
			case r.IntN(30) == 0:
				m = strconv.FormatInt(int64(r.Uint64()), 10) // wide
			default:
				m = strconv.Itoa(r.IntN(60) - 20)
			}
			switch x := r.IntN(10); {
			case x < 5:
				if s.Add(b(m), maxEntries) == model[m] {
					t.Fatalf("Add(%q)", m)
				}
				model[m] = true
				if _, ok := parseInt(b(m)); !ok || len(model) > maxEntries {
					converted = true
				}
			case x < 8:
				if s.Remove(b(m)) != model[m] {
					t.Fatalf("Remove(%q)", m)
				}
				delete(model, m)
			case x < 9:
				if s.IsMember(b(m)) != model[m] {
					t.Fatalf("IsMember(%q)", m)
				}
			default:
				if len(model) > 0 {
					got := s.Pop(r, nil)
					if !model[string(got)] {
						t.Fatalf("Pop gave %q", got)
					}
					delete(model, string(got))
				}
			}
			if want := map[bool]string{false: "intset", true: "hashtable"}[converted]; s.Encoding() != want {
				t.Fatalf("round %d op %d: encoding %s, want %s", round, op, s.Encoding(), want)
			}
		}
		checkModel(t, &s, model)
	}
}

func checkModel(t *testing.T, s *Set, model map[string]bool) {
	t.Helper()
	if s.Len() != len(model) {
		t.Fatalf("Len %d, want %d", s.Len(), len(model))
	}
	got := members(s)
	if s.Encoding() == "intset" && !sort.SliceIsSorted(got, func(i, j int) bool {
		a, _ := strconv.ParseInt(got[i], 10, 64)
		c, _ := strconv.ParseInt(got[j], 10, 64)
		return a < c
	}) {
		t.Fatalf("intset not sorted: %q", got)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if !model[m] || seen[m] {
			t.Fatalf("Range gave %q", m)
		}
		seen[m] = true
	}
	if len(seen) != len(model) {
		t.Fatalf("Range gave %d of %d", len(seen), len(model))
	}
}

func build(enc string, n int) (*Set, map[string]bool) {
	var s Set
	model := map[string]bool{}
	for i := range n {
		m := strconv.Itoa(i)
		if enc == "hashtable" {
			m = "m" + m
		}
		s.Add(b(m), 1<<20)
		model[m] = true
	}
	return &s, model
}

// TestPopN covers the three code paths of spopWithCountCommand
// (src/t_set.c; tests/unit/type/set.tcl "SPOP new implementation: code path
// #1/#2/#3").
func TestPopN(t *testing.T) {
	r := newRand(t)
	for _, enc := range []string{"intset", "hashtable"} {
		for _, tc := range []struct{ n, count int }{{20, 30}, {20, 20}, {20, 2}, {20, 18}, {1000, 10}, {1000, 990}, {1000, 900}} {
			t.Run(fmt.Sprintf("%s/%d-of-%d", enc, tc.count, tc.n), func(t *testing.T) {
				s, model := build(enc, tc.n)
				var popped []string
				s.PopN(r, int64(tc.count), 1<<20, func(m []byte) { popped = append(popped, string(m)) })
				if want := min(tc.count, tc.n); len(popped) != want {
					t.Fatalf("popped %d, want %d", len(popped), want)
				}
				for _, m := range popped {
					if !model[m] {
						t.Fatalf("popped %q twice or never present", m)
					}
					delete(model, m)
				}
				checkModel(t, s, model)
			})
		}
	}
	r2 := newRand(t)
	s, _ := build("intset", 10)
	s.PopN(r2, 0, maxIS, func([]byte) { t.Fatal("count 0 popped") })
	if s.Len() != 10 {
		t.Fatal("count 0 changed the set")
	}
}

// TestPopNReencodes: SPOP code path #3 rebuilds the set with setTypeCreate
// from a kept member (src/t_set.c), so a hashtable set whose kept members
// are all integers becomes an intset again. Checked against redis-server
// 7.0.15 (SADD s a 1..12; SREM s a; SPOP s 11 -> OBJECT ENCODING intset).
func TestPopNReencodes(t *testing.T) {
	r := newRand(t)
	s := fromList("a", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
	s.Remove(b("a"))
	if s.Encoding() != "hashtable" {
		t.Fatal("setup")
	}
	n := 0
	s.PopN(r, 11, maxIS, func([]byte) { n++ })
	if n != 11 || s.Len() != 1 || s.Encoding() != "intset" {
		t.Fatalf("popped %d, left %d, encoding %s", n, s.Len(), s.Encoding())
	}
	s = fromList("a", "b", "c", "d", "e", "f", "g")
	s.PopN(r, 6, maxIS, func([]byte) {})
	if s.Encoding() != "hashtable" || s.Len() != 1 {
		t.Fatalf("non-integer kept member: %s", s.Encoding())
	}
}

// TestRandomMembers covers the branches of srandmemberWithCountCommand
// (src/t_set.c).
func TestRandomMembers(t *testing.T) {
	r := newRand(t)
	for _, enc := range []string{"intset", "hashtable"} {
		for _, n := range []int{1, 7, 400} {
			s, model := build(enc, n)
			for _, count := range []int64{0, 1, -1, 2, -9, int64(n / 5), int64(n/3 + 1), int64(n - 1), int64(n), int64(n + 3), -int64(2 * n)} {
				var got []string
				s.RandomMembers(r, count, func(m []byte) bool {
					got = append(got, string(m))
					return true
				})
				want := int(count)
				switch {
				case count < 0:
					want = int(-count)
				case count > int64(n):
					want = n
				}
				if len(got) != want {
					t.Fatalf("%s n=%d count=%d: got %d members", enc, n, count, len(got))
				}
				seen := map[string]bool{}
				for _, m := range got {
					if !model[m] {
						t.Fatalf("not a member: %q", m)
					}
					if count > 0 && seen[m] {
						t.Fatalf("%s n=%d count=%d: repeated %q", enc, n, count, m)
					}
					seen[m] = true
				}
			}
			if m := s.RandomMember(r, b("x:")); !bytes.HasPrefix(m, b("x:")) || !model[string(m[2:])] {
				t.Fatalf("RandomMember = %q", m)
			}
		}
	}
}

// TestRandomMembersUniform checks distinct samples are uniform subsets.
func TestRandomMembersUniform(t *testing.T) {
	r := newRand(t)
	for _, enc := range []string{"intset", "hashtable"} {
		for _, tc := range []struct{ n, count int }{{30, 12}, {300, 5}} {
			s, _ := build(enc, tc.n)
			hits := map[string]int{}
			const rounds = 4000
			for range rounds {
				s.RandomMembers(r, int64(tc.count), func(m []byte) bool { hits[string(m)]++; return true })
			}
			mean := float64(rounds*tc.count) / float64(tc.n)
			for m, c := range hits {
				if d := float64(c) - mean; d*d > 36*mean {
					t.Fatalf("%s: %q drawn %d times, mean %.1f", enc, m, c, mean)
				}
			}
			if len(hits) != tc.n {
				t.Fatalf("%s: only %d of %d members drawn", enc, len(hits), tc.n)
			}
		}
	}
}

// TestScanGrowing checks the SSCAN guarantee (redis.io/commands/scan) while
// the set grows between calls, including an intset that converts mid-scan
// (its first call returns everything with cursor 0).
func TestScanGrowing(t *testing.T) {
	s, model := build("hashtable", 1500)
	seen := map[string]bool{}
	cursor, added := uint64(0), 0
	for {
		cursor = s.Scan(cursor, func(m []byte) { seen[string(m)] = true })
		if cursor == 0 {
			break
		}
		s.Add(b("new"+strconv.Itoa(added)), maxIS)
		s.Add(b("newer"+strconv.Itoa(added)), maxIS)
		added++
	}
	for m := range model {
		if !seen[m] {
			t.Fatalf("%s missed (set grew by %d)", m, 2*added)
		}
	}
	is, _ := build("intset", 10)
	n := 0
	if c := is.Scan(99, func([]byte) { n++ }); c != 0 || n != 10 {
		t.Fatalf("intset scan: cursor %d, %d members", c, n)
	}
}

// TestPopNKeepsScanCursor: code path #3 rebuilds the hashtable with the old
// table's hash seed, so a scan in progress still sees every kept member.
func TestPopNKeepsScanCursor(t *testing.T) {
	r := newRand(t)
	s, _ := build("hashtable", 4000)
	seen := map[string]bool{}
	cursor := s.Scan(0, func(m []byte) { seen[string(m)] = true })
	for range 50 {
		cursor = s.Scan(cursor, func(m []byte) { seen[string(m)] = true })
	}
	s.PopN(r, 3500, maxIS, func([]byte) {})
	kept := members(s)
	for cursor != 0 {
		cursor = s.Scan(cursor, func(m []byte) { seen[string(m)] = true })
	}
	for _, m := range kept {
		if !seen[m] {
			t.Fatalf("kept member %q missed by the scan", m)
		}
	}
}

// FuzzOps runs a byte-coded sequence of operations against a Go map, with a
// tiny intset limit, covering intset widths and conversion.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 2, 200, 3, 4}, uint8(5))
	f.Add(bytes.Repeat([]byte{0, 250, 0, 7, 1, 250, 3, 3}, 30), uint8(40))
	f.Fuzz(func(t *testing.T, ops []byte, maxEntries uint8) {
		r := rand.New(rand.NewPCG(uint64(len(ops)), uint64(maxEntries)))
		var s Set
		model := map[string]bool{}
		for i := 0; i+1 < len(ops); i += 2 {
			x := ops[i+1]
			var m string
			switch x >> 6 {
			case 0:
				m = strconv.Itoa(int(x) - 30)
			case 1:
				m = strconv.Itoa(int(x) * 100003)
			case 2:
				m = strconv.FormatInt(-int64(x)<<40, 10)
			default:
				m = "s" + strconv.Itoa(int(x))
			}
			switch ops[i] % 5 {
			case 0, 1:
				if s.Add(b(m), int(maxEntries)) == model[m] {
					t.Fatalf("Add(%q)", m)
				}
				model[m] = true
			case 2:
				if s.Remove(b(m)) != model[m] {
					t.Fatalf("Remove(%q)", m)
				}
				delete(model, m)
			case 3:
				if s.IsMember(b(m)) != model[m] {
					t.Fatalf("IsMember(%q)", m)
				}
			case 4:
				s.PopN(r, int64(ops[i]%7), int(maxEntries), func(p []byte) {
					if !model[string(p)] {
						t.Fatalf("popped %q", p)
					}
					delete(model, string(p))
				})
			}
		}
		checkModel(t, &s, model)
	})
}
