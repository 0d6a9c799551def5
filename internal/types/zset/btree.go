package zset

import "bytes"

// The order of a large set is kept in a B+tree with counted inner nodes (an
// order-statistic tree), playing the role of Redis's zskiplist:
//
//   - leaves hold up to leafCap (score, ref) pairs in two parallel arrays and
//     are linked both ways for iteration;
//   - inner nodes hold, per child, the subtree's element count and its
//     minimum (score, ref), so descending by key, by rank or by a monotone
//     predicate is O(log n), and the rank of a position is the sum of the
//     counts to its left.
//
// Every separator ref names a live element (the child's minimum), so a key
// comparison can always read the member bytes from the arena. All leaves are
// at the same depth; the root is always an inner node (possibly with one
// child). Pointers sit at the front of each node so the garbage collector
// only scans that prefix.
const (
	leafCap  = 126 // 1536-byte leaves: an exact size class
	innerCap = 63  // 2048-byte inner nodes
	leafMin  = leafCap / 3
	innerMin = innerCap / 3
)

type leaf struct {
	prev, next *leaf
	scores     [leafCap]float64
	refs       [leafCap]uint32
	n          int32
}

type inner struct {
	kidsI    [innerCap]*inner // children when !leafKids
	kidsL    [innerCap]*leaf  // children when leafKids
	counts   [innerCap]uint32
	scores   [innerCap]float64
	refs     [innerCap]uint32
	n        int32
	leafKids bool
}

func (l *large) newLeaf() *leaf {
	l.nLeaves++
	return &leaf{}
}

func (l *large) newInner(leafKids bool) *inner {
	l.nInner++
	return &inner{leafKids: leafKids}
}

// cmp orders (s, m) against the element (ks, kref): by score, then member.
func (l *large) cmp(s float64, m []byte, ks float64, kref uint32) int {
	if s < ks {
		return -1
	}
	if s > ks {
		return 1
	}
	return bytes.Compare(m, l.ar.member(kref))
}

// childFor returns the last child whose minimum is <= (s, m), or 0.
func (l *large) childFor(n *inner, s float64, m []byte) int {
	lo, hi := 1, int(n.n)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if l.cmp(s, m, n.scores[mid], n.refs[mid]) >= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// leafLower returns the index of the first element >= (s, m).
func (l *large) leafLower(lf *leaf, s float64, m []byte) int {
	lo, hi := 0, int(lf.n)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if l.cmp(s, m, lf.scores[mid], lf.refs[mid]) > 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func (n *inner) total() uint32 {
	var t uint32
	for i := range n.n {
		t += n.counts[i]
	}
	return t
}

// refreshKey copies child i's minimum into the separator; child i must not
// be empty.
func (n *inner) refreshKey(i int) {
	if n.leafKids {
		c := n.kidsL[i]
		n.scores[i], n.refs[i] = c.scores[0], c.refs[0]
	} else {
		c := n.kidsI[i]
		n.scores[i], n.refs[i] = c.scores[0], c.refs[0]
	}
}

// moveInner copies k child slots from src[si:] to dst[di:] (overlap-safe).
func moveInner(dst *inner, di int, src *inner, si int, k int) {
	copy(dst.kidsI[di:di+k], src.kidsI[si:si+k])
	copy(dst.kidsL[di:di+k], src.kidsL[si:si+k])
	copy(dst.counts[di:di+k], src.counts[si:si+k])
	copy(dst.scores[di:di+k], src.scores[si:si+k])
	copy(dst.refs[di:di+k], src.refs[si:si+k])
}

func clearInner(n *inner, from, to int) {
	clear(n.kidsI[from:to])
	clear(n.kidsL[from:to])
}

func moveLeaf(dst *leaf, di int, src *leaf, si int, k int) {
	copy(dst.scores[di:di+k], src.scores[si:si+k])
	copy(dst.refs[di:di+k], src.refs[si:si+k])
}

func leafInsertAt(lf *leaf, pos int, s float64, ref uint32) {
	moveLeaf(lf, pos+1, lf, pos, int(lf.n)-pos)
	lf.scores[pos], lf.refs[pos] = s, ref
	lf.n++
}

// linkAfter puts r into the leaf list right after lf.
func linkAfter(lf, r *leaf) {
	r.prev, r.next = lf, lf.next
	if r.next != nil {
		r.next.prev = r
	}
	lf.next = r
}

func unlink(lf *leaf) {
	if lf.prev != nil {
		lf.prev.next = lf.next
	}
	if lf.next != nil {
		lf.next.prev = lf.prev
	}
	lf.prev, lf.next = nil, nil
}

// treeInsert adds (s, ref); m is the member of ref.
func (l *large) treeInsert(s float64, m []byte, ref uint32) {
	if r := l.insertRec(l.root, s, m, ref); r != nil {
		old := l.root
		root := l.newInner(false)
		root.kidsI[0], root.kidsI[1] = old, r
		root.counts[0], root.counts[1] = old.total(), r.total()
		root.n = 2
		root.refreshKey(0)
		root.refreshKey(1)
		l.root = root
	}
	l.length++
}

// insertRec inserts below n and returns n's new right sibling if n split.
func (l *large) insertRec(n *inner, s float64, m []byte, ref uint32) *inner {
	i := l.childFor(n, s, m)
	if n.leafKids {
		lf := n.kidsL[i]
		r := l.leafInsert(lf, s, m, ref)
		n.counts[i] = uint32(lf.n)
		n.refreshKey(i)
		if r == nil {
			return nil
		}
		return l.addKid(n, i+1, nil, r, uint32(r.n))
	}
	c := n.kidsI[i]
	r := l.insertRec(c, s, m, ref)
	n.refreshKey(i)
	if r == nil {
		n.counts[i]++
		return nil
	}
	n.counts[i] = c.total()
	return l.addKid(n, i+1, r, nil, r.total())
}

// leafInsert inserts into lf and returns a new right sibling if lf split.
func (l *large) leafInsert(lf *leaf, s float64, m []byte, ref uint32) *leaf {
	pos := l.leafLower(lf, s, m)
	if lf.n < leafCap {
		leafInsertAt(lf, pos, s, ref)
		return nil
	}
	r := l.newLeaf()
	switch {
	case pos == leafCap && lf.next == nil:
		// Appending past the last element (ascending inserts): keep lf full.
		r.scores[0], r.refs[0], r.n = s, ref, 1
	case pos == 0 && lf.prev == nil:
		// Prepending before the first element (descending inserts).
		moveLeaf(r, 0, lf, 0, leafCap)
		r.n = leafCap
		lf.scores[0], lf.refs[0], lf.n = s, ref, 1
	default:
		const half = leafCap / 2
		moveLeaf(r, 0, lf, half, leafCap-half)
		r.n, lf.n = leafCap-half, half
		if pos <= half {
			leafInsertAt(lf, pos, s, ref)
		} else {
			leafInsertAt(r, pos-half, s, ref)
		}
	}
	linkAfter(lf, r)
	return r
}

// addKid inserts a child at pos in n (ki or kl, the other nil) and returns
// n's new right sibling if n had to split.
func (l *large) addKid(n *inner, pos int, ki *inner, kl *leaf, count uint32) *inner {
	var r *inner
	if n.n == innerCap {
		const half = innerCap / 2
		r = l.newInner(n.leafKids)
		moveInner(r, 0, n, half, innerCap-half)
		clearInner(n, half, innerCap)
		r.n, n.n = innerCap-half, half
		if pos > half {
			n, pos = r, pos-half
		}
	}
	moveInner(n, pos+1, n, pos, int(n.n)-pos)
	n.kidsI[pos], n.kidsL[pos], n.counts[pos] = ki, kl, count
	n.n++
	n.refreshKey(pos)
	return r
}

// rankOf returns the number of elements < (s, m) and whether (s, m) is present.
func (l *large) rankOf(s float64, m []byte) (int, bool) {
	n, acc := l.root, 0
	for {
		i := l.childFor(n, s, m)
		for j := range i {
			acc += int(n.counts[j])
		}
		if n.leafKids {
			lf := n.kidsL[i]
			p := l.leafLower(lf, s, m)
			found := p < int(lf.n) && l.cmp(s, m, lf.scores[p], lf.refs[p]) == 0
			return acc + p, found
		}
		n = n.kidsI[i]
	}
}

// locate returns the leaf position of the present element (s, m).
func (l *large) locate(s float64, m []byte) (*leaf, int) {
	n := l.root
	for !n.leafKids {
		n = n.kidsI[l.childFor(n, s, m)]
	}
	lf := n.kidsL[l.childFor(n, s, m)]
	return lf, l.leafLower(lf, s, m)
}

// seekRank returns the leaf position of the element with rank r < length.
func (l *large) seekRank(r int) (*leaf, int) {
	n := l.root
	for {
		i := 0
		for r >= int(n.counts[i]) {
			r -= int(n.counts[i])
			i++
		}
		if n.leafKids {
			return n.kidsL[i], r
		}
		n = n.kidsI[i]
	}
}

// countWhile returns how many leading elements satisfy pred, which must hold
// for a prefix of the order and fail for the rest.
func (l *large) countWhile(pred func(s float64, ref uint32) bool) int {
	if l.length == 0 {
		return 0
	}
	n, acc := l.root, 0
	for {
		lo, hi := 0, int(n.n)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if pred(n.scores[mid], n.refs[mid]) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == 0 {
			return acc
		}
		i := lo - 1
		for j := range i {
			acc += int(n.counts[j])
		}
		if n.leafKids {
			lf := n.kidsL[i]
			lo, hi := 0, int(lf.n)
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if pred(lf.scores[mid], lf.refs[mid]) {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			return acc + lo
		}
		n = n.kidsI[i]
	}
}

// treeDelete removes ranks [from, from+cnt). With release, each removed
// element is also dropped from the index and the arena.
func (l *large) treeDelete(from, cnt int, release bool) {
	if cnt <= 0 {
		return
	}
	l.deleteRec(l.root, from, cnt, release)
	l.length -= cnt
	if l.root.n == 0 {
		l.nInner--
		l.root = l.newInner(true)
		l.root.kidsL[0] = l.newLeaf()
		l.root.n = 1
	}
	for !l.root.leafKids && l.root.n == 1 {
		l.root = l.root.kidsI[0]
		l.nInner--
	}
}

func (l *large) deleteRec(n *inner, from, cnt int, release bool) {
	i := 0
	for from >= int(n.counts[i]) {
		from -= int(n.counts[i])
		i++
	}
	first := i
	for cnt > 0 {
		k := min(cnt, int(n.counts[i])-from)
		if n.leafKids {
			l.leafRemove(n.kidsL[i], from, k, release)
		} else {
			l.deleteRec(n.kidsI[i], from, k, release)
		}
		n.counts[i] -= uint32(k)
		if n.counts[i] > 0 {
			n.refreshKey(i)
		}
		cnt -= k
		from = 0
		i++
	}
	l.rebalance(n, first, i-1)
}

func (l *large) leafRemove(lf *leaf, from, k int, release bool) {
	if release {
		for _, ref := range lf.refs[from : from+k] {
			l.release(ref)
		}
	}
	moveLeaf(lf, from, lf, from+k, int(lf.n)-from-k)
	lf.n -= int32(k)
}

func (n *inner) kidEmpty(i int) bool {
	if n.leafKids {
		return n.kidsL[i].n == 0
	}
	return n.kidsI[i].n == 0
}

func (n *inner) kidUnderfull(i int) bool {
	if n.leafKids {
		return n.kidsL[i].n < leafMin
	}
	return n.kidsI[i].n < innerMin
}

func (n *inner) kidsFit(a, b int) bool {
	if n.leafKids {
		return n.kidsL[a].n+n.kidsL[b].n <= leafCap
	}
	return n.kidsI[a].n+n.kidsI[b].n <= innerCap
}

// removeKid drops child i (already empty or merged away) from n.
func (l *large) removeKid(n *inner, i int) {
	if n.leafKids {
		unlink(n.kidsL[i])
		l.nLeaves--
	} else {
		l.nInner--
	}
	moveInner(n, i, n, i+1, int(n.n)-i-1)
	n.n--
	clearInner(n, int(n.n), int(n.n)+1)
}

// rebalance fixes empty and underfull children among [lo, hi] after a
// deletion, merging with or borrowing from an adjacent sibling.
func (l *large) rebalance(n *inner, lo, hi int) {
	for i := lo; i <= hi && i < int(n.n); {
		if n.kidEmpty(i) {
			l.removeKid(n, i)
			hi--
			continue
		}
		if n.n == 1 || !n.kidUnderfull(i) {
			i++
			continue
		}
		j := i + 1
		if j >= int(n.n) {
			j = i - 1
		}
		if n.kidEmpty(j) {
			l.removeKid(n, j)
			if j < i {
				i--
			}
			hi--
			continue
		}
		a, b := min(i, j), max(i, j)
		if n.kidsFit(a, b) {
			l.mergeKids(n, a, b)
			hi--
			i = a
			continue
		}
		l.redistribute(n, a, b)
		i++
	}
}

// mergeKids appends child b's contents to child a (b == a+1) and drops b.
func (l *large) mergeKids(n *inner, a, b int) {
	if n.leafKids {
		x, y := n.kidsL[a], n.kidsL[b]
		moveLeaf(x, int(x.n), y, 0, int(y.n))
		x.n += y.n
		y.n = 0
	} else {
		x, y := n.kidsI[a], n.kidsI[b]
		moveInner(x, int(x.n), y, 0, int(y.n))
		x.n += y.n
		y.n = 0
	}
	n.counts[a] += n.counts[b]
	l.removeKid(n, b)
}

// redistribute evens out children a and b == a+1, which do not fit in one.
func (l *large) redistribute(n *inner, a, b int) {
	if n.leafKids {
		x, y := n.kidsL[a], n.kidsL[b]
		want := (x.n + y.n) / 2
		if x.n < want {
			k := int(want - x.n)
			moveLeaf(x, int(x.n), y, 0, k)
			moveLeaf(y, 0, y, k, int(y.n)-k)
			x.n += int32(k)
			y.n -= int32(k)
		} else {
			k := int(x.n - want)
			moveLeaf(y, k, y, 0, int(y.n))
			moveLeaf(y, 0, x, int(want), k)
			x.n -= int32(k)
			y.n += int32(k)
		}
		n.counts[a], n.counts[b] = uint32(x.n), uint32(y.n)
	} else {
		x, y := n.kidsI[a], n.kidsI[b]
		want := (x.n + y.n) / 2
		if x.n < want {
			k := int(want - x.n)
			moveInner(x, int(x.n), y, 0, k)
			moveInner(y, 0, y, k, int(y.n)-k)
			clearInner(y, int(y.n)-k, int(y.n))
			x.n += int32(k)
			y.n -= int32(k)
		} else {
			k := int(x.n - want)
			moveInner(y, k, y, 0, int(y.n))
			moveInner(y, 0, x, int(want), k)
			clearInner(x, int(want), int(x.n))
			x.n -= int32(k)
			y.n += int32(k)
		}
		n.counts[a], n.counts[b] = x.total(), y.total()
	}
	n.refreshKey(a)
	n.refreshKey(b)
}

// relocate replaces ref old by new for the element (s, m), in the leaf and in
// every separator naming it.
func (l *large) relocate(s float64, m []byte, old, new uint32) {
	n := l.root
	for {
		i := l.childFor(n, s, m)
		if n.refs[i] == old {
			n.refs[i] = new
		}
		if n.leafKids {
			lf := n.kidsL[i]
			p := l.leafLower(lf, s, m)
			if p >= int(lf.n) || lf.refs[p] != old {
				panic("BUG: zset: relocated element missing from tree")
			}
			lf.refs[p] = new
			return
		}
		n = n.kidsI[i]
	}
}
