package zset

import (
	"math/rand/v2"
	"slices"
)

// picker reads elements by rank: O(log n) for the large encoding, O(1) for a
// listpack after one walk recording entry offsets.
type picker struct {
	z    *ZSet
	offs []int
}

func (z *ZSet) newPicker() picker {
	p := picker{z: z}
	if z.lg == nil {
		p.offs = make([]int, 0, z.lpLen)
		for off := 0; off < len(z.lp); {
			p.offs = append(p.offs, off)
			_, _, off = lpRead(z.lp, off)
		}
	}
	return p
}

func (p *picker) at(rank int) ([]byte, float64) {
	if lg := p.z.lg; lg != nil {
		return lg.elem(lg.seekRank(rank))
	}
	m, s, _ := lpRead(p.z.lp, p.offs[rank])
	return m, s
}

// RandomMember returns a uniformly chosen element (ZRANDMEMBER without a
// count); ok is false for an empty set.
func (z *ZSet) RandomMember(r *rand.Rand) (member []byte, score float64, ok bool) {
	n := z.Len()
	if n == 0 {
		return nil, 0, false
	}
	k := r.IntN(n)
	if z.lg != nil {
		member, score = z.lg.elem(z.lg.seekRank(k))
	} else {
		member, score, _ = lpRead(z.lp, z.lpOffset(k))
	}
	return member, score, true
}

// RandomMembers implements the selection of ZRANDMEMBER key count
// (zrandmemberWithCountCommand): a negative count returns -count elements
// chosen independently (repeats possible); a positive count returns
// min(count, Len()) distinct elements, the whole set in descending order
// when count >= Len() (Redis walks it with zuiNext, which goes backwards),
// otherwise in random order. fn returning false stops early.
// Scratch space is O(count) per call, nothing per element.
func (z *ZSet) RandomMembers(count int, r *rand.Rand, fn func(member []byte, score float64) bool) {
	n := z.Len()
	if count == 0 || n == 0 {
		return
	}
	if count >= n {
		it := z.RangeByRank(0, n-1, true)
		for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
			if !fn(m, s) {
				return
			}
		}
		return
	}
	p := z.newPicker()
	if count < 0 || count == 1 {
		k := 1
		if count < 0 {
			k = -count
		}
		for ; k > 0; k-- {
			if !fn(p.at(r.IntN(n))) {
				return
			}
		}
		return
	}
	var ranks []int
	if count*3 > n {
		// Dense: a partial Fisher-Yates shuffle of all ranks.
		ranks = make([]int, n)
		for i := range ranks {
			ranks[i] = i
		}
		for i := range count {
			j := i + r.IntN(n-i)
			ranks[i], ranks[j] = ranks[j], ranks[i]
		}
		ranks = ranks[:count]
	} else {
		// Sparse: draw, deduplicate, top up; then shuffle the order.
		ranks = make([]int, 0, count)
		for len(ranks) < count {
			for len(ranks) < count {
				ranks = append(ranks, r.IntN(n))
			}
			slices.Sort(ranks)
			ranks = slices.Compact(ranks)
		}
		r.Shuffle(len(ranks), func(i, j int) { ranks[i], ranks[j] = ranks[j], ranks[i] })
	}
	for _, k := range ranks {
		if !fn(p.at(k)) {
			return
		}
	}
}

// Scan performs one step of ZSCAN. For a listpack it visits every element
// and returns 0, as Redis does regardless of cursor and COUNT. For the large
// encoding it visits one hash bucket and returns the next cursor in Redis's
// reverse-binary order (dictScan), so every member present for the whole
// scan is visited at least once even if the table grows or shrinks between
// steps; members may be visited more than once. fn must not modify the set.
// The caller loops, applying COUNT and MATCH, until it has enough or the
// cursor is 0.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	if z.lg == nil {
		for off := 0; off < len(z.lp); {
			var m []byte
			var s float64
			m, s, off = lpRead(z.lp, off)
			fn(m, s)
		}
		return 0
	}
	if z.lg.length == 0 {
		return 0
	}
	return z.lg.scanBucket(cursor, fn)
}
