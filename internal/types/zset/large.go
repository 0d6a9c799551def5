package zset

import (
	"hash/maphash"
	"math"
	"unsafe"
)

// large is the encoding Redis calls "skiplist" (a dict plus a zskiplist):
// here an arena of member records, a hash index over it and an
// order-statistic B+tree. See arena.go, index.go and btree.go.
type large struct {
	ar    arena
	seed  maphash.Seed
	slots []uint32 // index: ref+1 per slot, 0 = empty
	tags  []uint8  // index: top hash byte per slot
	count int      // index: occupied slots

	root    *inner
	length  int
	nLeaves int
	nInner  int
}

func hashBytes(seed maphash.Seed, b []byte) uint64 {
	return maphash.Bytes(seed, b)
}

func newLarge(sizeHint int) *large {
	l := &large{seed: maphash.MakeSeed()}
	l.ar.active = -1
	n := minSlots
	for n*3 < sizeHint*4 {
		n <<= 1
	}
	l.slots = make([]uint32, n)
	l.tags = make([]uint8, n)
	l.root = l.newInner(true)
	l.root.kidsL[0] = l.newLeaf()
	l.root.n = 1
	return l
}

func (l *large) score(member []byte) (float64, bool) {
	i := l.lookup(member, l.hash(member))
	if i < 0 {
		return 0, false
	}
	return l.ar.score(l.slots[i] - 1), true
}

// insert adds a member that must not be present.
func (l *large) insert(member []byte, score float64) {
	h := l.hash(member)
	if l.lookup(member, h) >= 0 {
		panic("BUG: zset: Insert of a member that is already present")
	}
	ref := l.ar.alloc(member, score)
	l.idxInsert(ref, h)
	l.treeInsert(score, member, ref)
}

// update changes the score of a present member (zslUpdateScore).
func (l *large) update(member []byte, score float64) bool {
	i := l.lookup(member, l.hash(member))
	if i < 0 {
		return false
	}
	ref := l.slots[i] - 1
	old := l.ar.score(ref)
	if old == score {
		return true
	}
	// Fast path: the element stays between its neighbours in the same leaf
	// and is not a leaf minimum, so no separator names it.
	lf, p := l.locate(old, member)
	if p > 0 && p < int(lf.n)-1 &&
		l.cmp(score, member, lf.scores[p-1], lf.refs[p-1]) > 0 &&
		l.cmp(score, member, lf.scores[p+1], lf.refs[p+1]) < 0 {
		lf.scores[p] = score
		l.ar.setScore(ref, score)
		return true
	}
	rank, _ := l.rankOf(old, member)
	l.treeDelete(rank, 1, false)
	l.ar.setScore(ref, score)
	l.treeInsert(score, l.ar.member(ref), ref)
	return true
}

// delete removes a member; it reports whether it was present.
func (l *large) delete(member []byte) bool {
	i := l.lookup(member, l.hash(member))
	if i < 0 {
		return false
	}
	ref := l.slots[i] - 1
	rank, _ := l.rankOf(l.ar.score(ref), member)
	l.treeDelete(rank, 1, true)
	l.settle()
	return true
}

// release drops ref from the index and the arena (the tree already did).
func (l *large) release(ref uint32) {
	m := l.ar.member(ref)
	l.idxDelete(l.slotOf(ref, l.hash(m)))
	l.ar.kill(ref)
}

// settle runs the deferred housekeeping after a deletion: slab compaction
// and index shrinking.
func (l *large) settle() {
	for s := l.ar.takePending(); s >= 0; s = l.ar.takePending() {
		l.ar.liveRefs(s, func(old uint32) {
			m := l.ar.member(old)
			sc := l.ar.score(old)
			nw := l.ar.alloc(m, sc)
			l.slots[l.slotOf(old, l.hash(m))] = nw + 1
			l.relocate(sc, m, old, nw)
		})
		l.ar.release(s)
	}
	l.maybeShrink()
}

// memberAt returns the element at leaf position (lf, i).
func (l *large) elem(lf *leaf, i int) ([]byte, float64) {
	return l.ar.member(lf.refs[i]), lf.scores[i]
}

func (l *large) memoryUsage() int {
	return int(unsafe.Sizeof(*l)) +
		l.ar.used + cap(l.ar.slabs)*int(unsafe.Sizeof([]byte(nil))) + cap(l.ar.dead)*4 +
		cap(l.ar.free)*4 + cap(l.ar.pending)*4 +
		len(l.slots)*5 +
		l.nLeaves*int(unsafe.Sizeof(leaf{})) + l.nInner*int(unsafe.Sizeof(inner{}))
}

func checkScore(score float64) {
	if math.IsNaN(score) {
		panic("BUG: zset: NaN score")
	}
}
