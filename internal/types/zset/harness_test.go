package zset

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// The harness drives a ZSet and a reference model (a sorted slice) with the
// same operations and compares every answer. Operands come from an opSource:
// a seeded PRNG in TestModel, the fuzzer's bytes in FuzzOps.

type elem struct {
	m string
	s float64
}

func elemLess(a, b elem) bool {
	return a.s < b.s || (a.s == b.s && a.m < b.m)
}

type opSource interface {
	u32() uint32
	exhausted() bool
}

type randSource struct{ r *rand.Rand }

func (s randSource) u32() uint32     { return s.r.Uint32() }
func (s randSource) exhausted() bool { return false }

type byteSource struct{ b []byte }

func (s *byteSource) u32() uint32 {
	var v uint32
	for range 3 {
		v <<= 8
		if len(s.b) > 0 {
			v |= uint32(s.b[0])
			s.b = s.b[1:]
		}
	}
	return v
}

func (s *byteSource) exhausted() bool { return len(s.b) == 0 }

type harness struct {
	t       testing.TB
	src     opSource
	z       *ZSet
	model   []elem
	scores  map[string]float64 // model index: member -> score
	target  int                // size below which destructive ops are mostly skipped
	lim     Limits
	pool    int  // member pool size
	lex     bool // all scores equal: lex operations are well defined
	rng     *rand.Rand
	scratch []elem
	buf     []byte
}

func newHarness(t testing.TB, src opSource, lim Limits, pool int, lex bool, seed uint64) *harness {
	return &harness{
		t: t, src: src, z: New(lim, 0, 0), lim: lim, pool: pool, lex: lex,
		scores: map[string]float64{},
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

var scoreTable = []float64{math.Inf(-1), math.Inf(1), math.Copysign(0, -1), 0, 1, -1, 0.5, 2.5, 1e300, -1e-300}

func (h *harness) member(v uint32) []byte {
	h.buf = h.buf[:0]
	i := int(v>>8) % h.pool
	switch v & 15 {
	case 0:
		// Long members break zset-max-listpack-value.
		h.buf = append(h.buf, "long-member-"...)
		h.buf = strconv.AppendInt(h.buf, int64(i), 10)
		h.buf = append(h.buf, bytes.Repeat([]byte{'x'}, h.lim.MaxListpackValue+int(v>>4&7))...)
	case 1:
		if i%8 == 0 {
			return h.buf // the empty member
		}
		h.buf = append(h.buf, 0xff, 0x00, byte(i), byte(i>>8))
	default:
		h.buf = append(h.buf, 'm')
		h.buf = strconv.AppendInt(h.buf, int64(i), 10)
	}
	return h.buf
}

func (h *harness) score(v uint32) float64 {
	if h.lex {
		return 7
	}
	switch v & 3 {
	case 0:
		return scoreTable[int(v>>2)%len(scoreTable)]
	case 1:
		return float64(int(v>>2)%41 - 20)
	default:
		return float64(int32(v)) / 1024
	}
}

func elemCmp(a, b elem) int {
	if elemLess(a, b) {
		return -1
	}
	if elemLess(b, a) {
		return 1
	}
	return 0
}

func (h *harness) find(m []byte) int {
	s, ok := h.scores[string(m)]
	if !ok {
		return -1
	}
	i, found := slices.BinarySearchFunc(h.model, elem{string(m), s}, elemCmp)
	if !found {
		h.fatalf("model index broken for %q", m)
	}
	return i
}

func (h *harness) modelDelete(lo, hi int) {
	for _, e := range h.model[lo:hi] {
		delete(h.scores, e.m)
	}
	h.model = slices.Delete(h.model, lo, hi)
}

func (h *harness) modelInsert(e elem) {
	i, _ := slices.BinarySearchFunc(h.model, e, elemCmp)
	h.model = slices.Insert(h.model, i, e)
	h.scores[e.m] = e.s
}

// stored is the score the set keeps for s just after writing it: a listpack
// stores -0 as 0, as Redis's does (zzlInsertAt keeps integral scores as
// integers).
func (h *harness) stored(s float64) float64 {
	if s == 0 && h.z.lg == nil {
		return 0
	}
	return s
}

func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf(format, args...)
}

// collect drains an iterator into h.scratch.
func (h *harness) collect(it Iterator) []elem {
	h.scratch = h.scratch[:0]
	want := it.Len()
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		h.scratch = append(h.scratch, elem{string(m), s})
	}
	if len(h.scratch) != want {
		h.fatalf("iterator Len %d, yielded %d", want, len(h.scratch))
	}
	return h.scratch
}

func sameElems(got, want []elem, reverse bool) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		w := want[i]
		if reverse {
			w = want[len(want)-1-i]
		}
		if got[i].m != w.m || math.Float64bits(got[i].s) != math.Float64bits(w.s) {
			return false
		}
	}
	return true
}

func (h *harness) scoreRange() ScoreRange {
	a, b := h.score(h.src.u32()), h.score(h.src.u32())
	if b < a && h.src.u32()%4 != 0 {
		a, b = b, a
	}
	f := h.src.u32()
	return ScoreRange{Min: a, Max: b, MinEx: f&1 != 0, MaxEx: f&2 != 0}
}

func (h *harness) lexBound() LexBound {
	v := h.src.u32()
	switch v % 8 {
	case 0:
		return LexBound{Inf: -1, Exclusive: true}
	case 1:
		return LexBound{Inf: 1, Exclusive: true}
	}
	m := h.member(v >> 3)
	if v&8 != 0 && len(m) > 0 {
		m = m[:len(m)-1] // a prefix, usually not a member
	}
	return LexBound{Value: append([]byte(nil), m...), Exclusive: v&16 != 0}
}

func (h *harness) lexRange() LexRange {
	r := LexRange{Min: h.lexBound(), Max: h.lexBound()}
	if h.src.u32()%4 != 0 && r.Min.Inf == 0 && r.Max.Inf == 0 && bytes.Compare(r.Min.Value, r.Max.Value) > 0 {
		r.Min, r.Max = r.Max, r.Min
	}
	return r
}

// modelWindow returns the model's rank interval for a monotone range.
func (h *harness) modelRanks(below, inside func(e elem) bool) (int, int) {
	lo, hi := 0, 0
	for lo < len(h.model) && below(h.model[lo]) {
		lo++
	}
	for hi < len(h.model) && inside(h.model[hi]) {
		hi++
	}
	return lo, hi
}

func modelWindow(lo, hi int, reverse bool, offset, count int) (int, int) {
	if hi <= lo || offset < 0 || offset >= hi-lo || count == 0 {
		return 0, 0
	}
	n := hi - lo - offset
	if count > 0 && count < n {
		n = count
	}
	if reverse {
		return hi - offset - n, hi - offset
	}
	return lo + offset, lo + offset + n
}

func (h *harness) limit() (int, int) {
	v := h.src.u32()
	offset := int(v%8) - 1
	count := int(v>>3%10) - 2
	if v>>8%4 == 0 && (len(h.model) < 1000 || v>>10%32 == 0) {
		offset, count = 0, -1
	}
	return offset, count
}

// step performs one random operation and checks it against the model.
func (h *harness) step() {
	z := h.z
	op := h.src.u32() % 20
	if len(h.model) < h.target && h.src.u32()%2 == 0 {
		op = 0 // growing phase: mostly inserts
	}
	switch op {
	case 0, 1, 2, 3, 4: // ZADD: insert or update
		m := h.member(h.src.u32())
		s := h.score(h.src.u32())
		i := h.find(m)
		old, ok := z.Score(m)
		if ok != (i >= 0) {
			h.fatalf("Score(%q) present=%v, model %v", m, ok, i >= 0)
		}
		if ok {
			if math.Float64bits(old) != math.Float64bits(h.model[i].s) {
				h.fatalf("Score(%q) = %v, model %v", m, old, h.model[i].s)
			}
			if !z.Update(m, s) {
				h.fatalf("Update(%q) reported absent", m)
			}
			if h.model[i].s != s {
				h.modelDelete(i, i+1)
				h.modelInsert(elem{string(m), h.stored(s)})
			}
		} else {
			wasLarge := z.lg != nil
			z.Insert(m, s, h.lim)
			h.modelInsert(elem{string(m), h.stored(s)})
			wantLarge := wasLarge || len(h.model) > h.lim.MaxListpackEntries || len(m) > h.lim.MaxListpackValue
			if (z.lg != nil) != wantLarge {
				h.fatalf("encoding %s after insert of %d-byte member into %d", z.Encoding(), len(m), len(h.model))
			}
		}
	case 5: // ZINCRBY-like update of an existing member
		if len(h.model) == 0 {
			return
		}
		e := h.model[int(h.src.u32())%len(h.model)]
		s := e.s + h.score(h.src.u32())
		if math.IsNaN(s) || h.lex {
			s = e.s
		}
		z.Update([]byte(e.m), s)
		if s != e.s {
			i := h.find([]byte(e.m))
			h.modelDelete(i, i+1)
			h.modelInsert(elem{e.m, h.stored(s)})
		}
	case 6, 7: // ZREM
		if len(h.model) < h.target && h.src.u32()%4 != 0 {
			return
		}
		m := h.member(h.src.u32())
		if len(h.model) > 0 && h.src.u32()%2 == 0 {
			m = append(h.buf[:0], h.model[int(h.src.u32())%len(h.model)].m...)
		}
		i := h.find(m)
		if got := z.Delete(m); got != (i >= 0) {
			h.fatalf("Delete(%q) = %v, model %v", m, got, i >= 0)
		}
		if i >= 0 {
			h.modelDelete(i, i+1)
		}
	case 8: // ZRANK / ZREVRANK / ZSCORE
		m := h.member(h.src.u32())
		if len(h.model) > 0 && h.src.u32()%2 == 0 {
			m = append(h.buf[:0], h.model[int(h.src.u32())%len(h.model)].m...)
		}
		i := h.find(m)
		rev := h.src.u32()%2 == 0
		r, ok := z.Rank(m, rev)
		want := i
		if rev && i >= 0 {
			want = len(h.model) - 1 - i
		}
		if ok != (i >= 0) || (ok && r != want) {
			h.fatalf("Rank(%q, %v) = %d,%v; model %d", m, rev, r, ok, want)
		}
	case 9: // ZRANGE start stop [REV]
		n := len(h.model)
		start := int(h.src.u32()%uint32(n+4)) - 2
		stop := int(h.src.u32()%uint32(n+4)) - 2
		if n > 1000 && h.src.u32()%32 != 0 {
			stop = start + int(h.src.u32()%16)
		}
		rev := h.src.u32()%2 == 0
		got := h.collect(z.RangeByRank(start, stop, rev))
		a, b := max(start, 0), min(stop, n-1)
		var want []elem
		if a <= b {
			if rev {
				want = h.model[n-1-b : n-a]
			} else {
				want = h.model[a : b+1]
			}
		}
		if !sameElems(got, want, rev) {
			h.fatalf("RangeByRank(%d, %d, %v) = %v, want %v", start, stop, rev, got, want)
		}
	case 10, 11: // ZRANGEBYSCORE / ZREVRANGEBYSCORE [LIMIT] and ZCOUNT
		r := h.scoreRange()
		rev := h.src.u32()%2 == 0
		offset, count := h.limit()
		lo, hi := h.modelRanks(func(e elem) bool { return !r.gteMin(e.s) }, func(e elem) bool { return r.lteMax(e.s) })
		a, b := modelWindow(lo, hi, rev, offset, count)
		got := h.collect(z.RangeByScore(r, rev, offset, count))
		if !sameElems(got, h.model[a:b], rev) {
			h.fatalf("RangeByScore(%+v, %v, %d, %d) = %v, want %v", r, rev, offset, count, got, h.model[a:b])
		}
		if c := z.CountScore(r); c != max(hi-lo, 0) {
			h.fatalf("CountScore(%+v) = %d, want %d", r, c, max(hi-lo, 0))
		}
	case 12: // ZRANGEBYLEX / ZREVRANGEBYLEX [LIMIT] and ZLEXCOUNT
		if !h.lex {
			return
		}
		r := h.lexRange()
		rev := h.src.u32()%2 == 0
		offset, count := h.limit()
		lo, hi := h.modelRanks(func(e elem) bool { return !r.gteMin([]byte(e.m)) }, func(e elem) bool { return r.lteMax([]byte(e.m)) })
		a, b := modelWindow(lo, hi, rev, offset, count)
		got := h.collect(z.RangeByLex(r, rev, offset, count))
		if !sameElems(got, h.model[a:b], rev) {
			h.fatalf("RangeByLex(%+v, %v, %d, %d) = %v, want %v", r, rev, offset, count, got, h.model[a:b])
		}
		if c := z.CountLex(r); c != max(hi-lo, 0) {
			h.fatalf("CountLex = %d, want %d", c, max(hi-lo, 0))
		}
	case 13: // ZREMRANGEBYRANK
		if h.src.u32()%3 != 0 || len(h.model) < h.target {
			return // keep the set growing most of the time
		}
		n := len(h.model)
		start := int(h.src.u32()%uint32(n+2)) - 1
		stop := start + int(h.src.u32()%uint32(n/4+3)) - 1
		a, b := max(start, 0), min(stop, n-1)
		want := max(b-a+1, 0)
		if got := z.DeleteRangeByRank(start, stop); got != want {
			h.fatalf("DeleteRangeByRank(%d, %d) = %d, want %d", start, stop, got, want)
		}
		if want > 0 {
			h.modelDelete(a, b+1)
		}
	case 14: // ZREMRANGEBYSCORE / ZREMRANGEBYLEX
		if h.src.u32()%3 != 0 || len(h.model) < h.target {
			return
		}
		var lo, hi, got int
		if h.lex {
			r := h.lexRange()
			lo, hi = h.modelRanks(func(e elem) bool { return !r.gteMin([]byte(e.m)) }, func(e elem) bool { return r.lteMax([]byte(e.m)) })
			got = z.DeleteRangeByLex(r)
		} else {
			r := h.scoreRange()
			lo, hi = h.modelRanks(func(e elem) bool { return !r.gteMin(e.s) }, func(e elem) bool { return r.lteMax(e.s) })
			got = z.DeleteRangeByScore(r)
		}
		if got != max(hi-lo, 0) {
			h.fatalf("range delete removed %d, want %d", got, max(hi-lo, 0))
		}
		if hi > lo {
			h.modelDelete(lo, hi)
		}
	case 15: // ZPOPMIN / ZPOPMAX count
		count := int(h.src.u32() % 5)
		n := min(count, len(h.model))
		h.scratch = h.scratch[:0]
		fn := func(m []byte, s float64) { h.scratch = append(h.scratch, elem{string(m), s}) }
		if h.src.u32()%2 == 0 {
			if got := z.PopMin(count, fn); got != n || !sameElems(h.scratch, h.model[:n], false) {
				h.fatalf("PopMin(%d) = %d %v, want %v", count, got, h.scratch, h.model[:n])
			}
			h.modelDelete(0, n)
		} else {
			l := len(h.model)
			if got := z.PopMax(count, fn); got != n || !sameElems(h.scratch, h.model[l-n:], true) {
				h.fatalf("PopMax(%d) = %d %v, want %v", count, got, h.scratch, h.model[l-n:])
			}
			h.modelDelete(l-n, l)
		}
	case 16: // ZRANDMEMBER
		if len(h.model) > 1000 && h.src.u32()%32 != 0 {
			h.checkRandom(int(h.src.u32()%40) - 20)
			return
		}
		h.checkRandom(int(h.src.u32()%uint32(2*len(h.model)+7)) - len(h.model) - 3)
	case 17: // ZSCAN
		if len(h.model) < 1000 || h.src.u32()%64 == 0 {
			h.checkScan()
		}
	case 18: // COPY / *STORE round trips
		switch h.src.u32() % 3 {
		case 0:
			c := z.Clone()
			if c.Encoding() != z.Encoding() {
				h.fatalf("Clone changed the encoding")
			}
			h.z = c
		case 1:
			z.ConvertToListpackIfNeeded(h.lim)
			for i := range h.model {
				h.model[i].s = h.stored(h.model[i].s)
				h.scores[h.model[i].m] = h.model[i].s
			}
			maxLen := 0
			for _, e := range h.model {
				maxLen = max(maxLen, len(e.m))
			}
			if fits := len(h.model) <= h.lim.MaxListpackEntries && maxLen <= h.lim.MaxListpackValue; fits != (z.lg == nil) {
				h.fatalf("ConvertToListpackIfNeeded: encoding %s with %d members, longest %d", z.Encoding(), len(h.model), maxLen)
			}
		}
	case 19:
		if len(h.model) < 300 || h.src.u32()%64 == 0 {
			h.checkAll()
		}
	}
	if z.Len() != len(h.model) {
		h.fatalf("op %d: Len %d, model %d", op, z.Len(), len(h.model))
	}
}

func (h *harness) checkRandom(count int) {
	z := h.z
	n := len(h.model)
	seen := map[string]int{}
	got := 0
	var prev []elem
	z.RandomMembers(count, h.rng, func(m []byte, s float64) bool {
		i := h.find(m)
		if i < 0 || math.Float64bits(h.model[i].s) != math.Float64bits(s) {
			h.fatalf("RandomMembers yielded %q %v, not in the set", m, s)
		}
		seen[string(m)]++
		prev = append(prev, elem{string(m), s})
		got++
		return true
	})
	switch {
	case n == 0 || count == 0:
		if got != 0 {
			h.fatalf("RandomMembers(%d) on %d members yielded %d", count, n, got)
		}
	case count < 0:
		if got != -count {
			h.fatalf("RandomMembers(%d) yielded %d", count, got)
		}
	default:
		if got != min(count, n) || len(seen) != got {
			h.fatalf("RandomMembers(%d) of %d yielded %d (%d distinct)", count, n, got, len(seen))
		}
		if count >= n && !sameElems(prev, h.model, true) {
			h.fatalf("RandomMembers(%d >= Len) is not the whole set in descending order", count)
		}
	}
	if m, s, ok := z.RandomMember(h.rng); ok != (n > 0) || (ok && h.find(m) < 0) || (ok && h.model[h.find(m)].s != s) {
		h.fatalf("RandomMember = %q %v %v", m, s, ok)
	}
}

func (h *harness) checkScan() {
	seen := map[string]bool{}
	cursor, steps := uint64(0), 0
	for {
		cursor = h.z.Scan(cursor, func(m []byte, s float64) {
			i := h.find(m)
			if i < 0 || h.model[i].s != s {
				h.fatalf("Scan yielded %q %v, not in the set", m, s)
			}
			seen[string(m)] = true
		})
		if steps++; cursor == 0 || steps > 1<<22 {
			break
		}
	}
	if cursor != 0 || len(seen) != len(h.model) {
		h.fatalf("Scan saw %d of %d members (cursor %d)", len(seen), len(h.model), cursor)
	}
}

// checkAll compares the whole set with the model and verifies invariants.
func (h *harness) checkAll() {
	z := h.z
	if err := z.verify(); err != nil {
		h.fatalf("invariant: %v", err)
	}
	if got := h.collect(z.All()); !sameElems(got, h.model, false) {
		h.fatalf("contents differ:\n got %v\nwant %v", got, h.model)
	}
	if got := h.collect(z.RangeByRank(0, len(h.model)-1, true)); !sameElems(got, h.model, true) {
		h.fatalf("reverse contents differ")
	}
	for i, e := range h.model {
		s, ok := z.Score([]byte(e.m))
		if !ok || math.Float64bits(s) != math.Float64bits(e.s) {
			h.fatalf("Score(%q) = %v %v, want %v", e.m, s, ok, e.s)
		}
		if r, ok := z.Rank([]byte(e.m), false); !ok || r != i {
			h.fatalf("Rank(%q) = %d %v, want %d", e.m, r, ok, i)
		}
	}
}
