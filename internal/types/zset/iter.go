package zset

// Iterator walks a run of consecutive elements in either direction without
// allocating. It is a value; the zero Iterator is empty. It is invalidated by
// any modification of the set.
//
//	it := z.RangeByScore(r, false, 0, -1)
//	w.ArrayLen(it.Len())
//	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() { ... }
type Iterator struct {
	lp      []byte // listpack: the entries
	off     int    // listpack: start of the next entry (forward) or end (reverse)
	lg      *large
	lf      *leaf
	idx     int
	left    int
	reverse bool
}

// Len returns how many elements Next will still return.
func (it *Iterator) Len() int { return it.left }

// Next returns the next element; ok is false when the run is exhausted. The
// member slice aliases the set's storage.
func (it *Iterator) Next() (member []byte, score float64, ok bool) {
	if it.left <= 0 {
		return nil, 0, false
	}
	it.left--
	if it.lg == nil {
		if it.reverse {
			it.off = lpPrev(it.lp, it.off)
			member, score, _ = lpRead(it.lp, it.off)
		} else {
			member, score, it.off = lpRead(it.lp, it.off)
		}
		return member, score, true
	}
	lf, i := it.lf, it.idx
	member, score = it.lg.elem(lf, i)
	if it.reverse {
		if i--; i < 0 && it.left > 0 {
			lf = lf.prev
			i = int(lf.n) - 1
		}
	} else if i++; i >= int(lf.n) && it.left > 0 {
		lf, i = lf.next, 0
	}
	it.lf, it.idx = lf, i
	return member, score, true
}

// iterAt returns an iterator over count elements, the first of which has
// forward rank pos; reverse walks towards rank 0.
func (z *ZSet) iterAt(pos, count int, reverse bool) Iterator {
	if count <= 0 {
		return Iterator{}
	}
	if z.lg != nil {
		lf, i := z.lg.seekRank(pos)
		return Iterator{lg: z.lg, lf: lf, idx: i, left: count, reverse: reverse}
	}
	off := z.lpOffset(pos)
	if reverse {
		off = z.lpOffset(pos + 1)
	}
	return Iterator{lp: z.lp, off: off, left: count, reverse: reverse}
}

// All iterates the whole set in ascending order (for RDB, DUMP, *STORE).
func (z *ZSet) All() Iterator {
	return z.iterAt(0, z.Len(), false)
}

// clampRanks clips the inclusive rank range [start, stop] to the set.
// Normalizing negative indexes is the command layer's job.
func (z *ZSet) clampRanks(start, stop int) (int, int, bool) {
	n := z.Len()
	start = max(start, 0)
	stop = min(stop, n-1)
	return start, stop, start <= stop
}

// RangeByRank iterates ranks start..stop inclusive (ZRANGE). With reverse,
// ranks count from the highest element and iteration is descending
// (ZREVRANGE). The range is clipped to the set; an empty range yields an
// empty iterator. O(log n) to position.
func (z *ZSet) RangeByRank(start, stop int, reverse bool) Iterator {
	start, stop, ok := z.clampRanks(start, stop)
	if !ok {
		return Iterator{}
	}
	pos := start
	if reverse {
		pos = z.Len() - 1 - start
	}
	return z.iterAt(pos, stop-start+1, reverse)
}

// scoreRanks returns the half-open forward rank interval [lo, hi) of r.
func (z *ZSet) scoreRanks(r *ScoreRange) (lo, hi int) {
	if z.lg != nil {
		lo = z.lg.countWhile(func(s float64, _ uint32) bool { return !r.gteMin(s) })
		hi = z.lg.countWhile(func(s float64, _ uint32) bool { return r.lteMax(s) })
	} else {
		lo = z.lpCountWhile(func(_ []byte, s float64) bool { return !r.gteMin(s) })
		hi = z.lpCountWhile(func(_ []byte, s float64) bool { return r.lteMax(s) })
	}
	return lo, hi
}

// lexRanks returns the half-open forward rank interval [lo, hi) of r.
func (z *ZSet) lexRanks(r *LexRange) (lo, hi int) {
	if z.lg != nil {
		ar := &z.lg.ar
		lo = z.lg.countWhile(func(_ float64, ref uint32) bool { return !r.gteMin(ar.member(ref)) })
		hi = z.lg.countWhile(func(_ float64, ref uint32) bool { return r.lteMax(ar.member(ref)) })
	} else {
		lo = z.lpCountWhile(func(m []byte, _ float64) bool { return !r.gteMin(m) })
		hi = z.lpCountWhile(func(m []byte, _ float64) bool { return r.lteMax(m) })
	}
	return lo, hi
}

// window applies LIMIT offset count to the rank interval [lo, hi) as
// genericZrangebyscoreCommand does: a negative offset yields nothing, a
// negative count means no limit; with reverse the offset skips from the top.
func (z *ZSet) window(lo, hi int, reverse bool, offset, count int) Iterator {
	avail := hi - lo
	if avail <= 0 || offset < 0 || offset >= avail || count == 0 {
		return Iterator{}
	}
	n := avail - offset
	if count > 0 && count < n {
		n = count
	}
	pos := lo + offset
	if reverse {
		pos = hi - 1 - offset
	}
	return z.iterAt(pos, n, reverse)
}

// RangeByScore iterates the elements in r (ZRANGEBYSCORE, or ZREVRANGEBYSCORE
// with reverse) after skipping offset of them, returning at most count
// (count < 0: all). Positioning, including the offset, is O(log n).
func (z *ZSet) RangeByScore(r ScoreRange, reverse bool, offset, count int) Iterator {
	lo, hi := z.scoreRanks(&r)
	return z.window(lo, hi, reverse, offset, count)
}

// RangeByLex is RangeByScore for a lex range (ZRANGEBYLEX, ZREVRANGEBYLEX).
func (z *ZSet) RangeByLex(r LexRange, reverse bool, offset, count int) Iterator {
	lo, hi := z.lexRanks(&r)
	return z.window(lo, hi, reverse, offset, count)
}

// CountScore returns the number of elements in r (ZCOUNT), O(log n).
func (z *ZSet) CountScore(r ScoreRange) int {
	lo, hi := z.scoreRanks(&r)
	return max(hi-lo, 0)
}

// CountLex returns the number of elements in r (ZLEXCOUNT), O(log n).
func (z *ZSet) CountLex(r LexRange) int {
	lo, hi := z.lexRanks(&r)
	return max(hi-lo, 0)
}

// deleteRanks removes n elements starting at forward rank from.
func (z *ZSet) deleteRanks(from, n int) int {
	if n <= 0 {
		return 0
	}
	if z.lg != nil {
		z.lg.treeDelete(from, n, true)
		z.lg.settle()
	} else {
		z.lpDeleteRange(from, n)
	}
	return n
}

// DeleteRangeByRank removes ranks start..stop inclusive, clipped to the set
// (ZREMRANGEBYRANK after index normalization), and returns how many.
func (z *ZSet) DeleteRangeByRank(start, stop int) int {
	start, stop, ok := z.clampRanks(start, stop)
	if !ok {
		return 0
	}
	return z.deleteRanks(start, stop-start+1)
}

// DeleteRangeByScore removes the elements in r (ZREMRANGEBYSCORE).
func (z *ZSet) DeleteRangeByScore(r ScoreRange) int {
	lo, hi := z.scoreRanks(&r)
	return z.deleteRanks(lo, hi-lo)
}

// DeleteRangeByLex removes the elements in r (ZREMRANGEBYLEX).
func (z *ZSet) DeleteRangeByLex(r LexRange) int {
	lo, hi := z.lexRanks(&r)
	return z.deleteRanks(lo, hi-lo)
}

// PopMin removes up to count lowest elements (ZPOPMIN, BZPOPMIN, ZMPOP MIN),
// calling fn for each in ascending order before it is removed, and returns
// how many were removed.
func (z *ZSet) PopMin(count int, fn func(member []byte, score float64)) int {
	n := min(count, z.Len())
	if n <= 0 {
		return 0
	}
	it := z.iterAt(0, n, false)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		fn(m, s)
	}
	return z.deleteRanks(0, n)
}

// PopMax is PopMin from the top, highest first (ZPOPMAX).
func (z *ZSet) PopMax(count int, fn func(member []byte, score float64)) int {
	total := z.Len()
	n := min(count, total)
	if n <= 0 {
		return 0
	}
	it := z.iterAt(total-1, n, true)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		fn(m, s)
	}
	return z.deleteRanks(total-n, n)
}
