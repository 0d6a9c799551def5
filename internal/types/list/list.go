package list

import (
	"math"
	"runtime/metrics"
	"slices"
	"unsafe"
)

// End selects one end of a list: Head (left, index 0) or Tail (right).
type End uint8

// The two ends of a list, Redis's LIST_HEAD and LIST_TAIL.
const (
	Head End = iota
	Tail
)

// Node limits from Redis 7.0 quicklist.c.
const (
	// safetyLimit caps the bytes of a multi-entry node when fill is an
	// entry count (SIZE_SAFETY_LIMIT).
	safetyLimit = 8192
	// fillMax is the largest fill Redis accepts (FILL_MAX on 64-bit).
	fillMax = 1<<15 - 1
	// fillMin is the smallest fill: -5, the 64 KiB level.
	fillMin = -5
	// minArray is the smallest node array allocated for small values.
	minArray = 16
	// slabMinNodes is the node count from which full-size node arrays come
	// from slabs.
	slabMinNodes = 16
	// slabMaxBytes caps a slab; node arrays above slabMaxBytes/2 never
	// share one.
	slabMaxBytes = 64 << 10
)

// slab is one allocation cut into several node arrays of the list's node
// size limit. The Go allocator gives every object of 8 KiB or more a span of
// its own, with about 300 bytes of runtime metadata (mspan, mark and alloc
// bits) that RSS pays for but the heap profile does not show: 0.6 bytes per
// element of a list of 17-byte elements. A slab shares that cost among its
// slots. Slots are handed out front to back and never reused; the slab is
// freed by the collector once no node uses any of its slots.
type slab struct {
	buf  []byte
	used int    // slots handed out
	live int    // handed-out slots still owned by a node
	id   uint32 // index in List.slabs plus one
}

// node holds a run of consecutive entries in data[start:end]. It fits the
// 64-byte size class: a node holds at most 65536 entries (fill 32767 or
// 64 KiB of entries of at least one byte), so count fits 32 bits, and its
// slab is named by index rather than pointer.
type node struct {
	prev, next *node
	data       []byte // len(data) == cap(data)
	start, end int
	count      int32
	slab       uint32 // data is a slot of l.slabs[slab-1]; 0: its own array
}

func (n *node) used() int { return n.end - n.start }

// entries returns the number of entries in n.
func (n *node) entries() int { return int(n.count) }

// List is a Redis list value. The zero value is not usable; call New.
// It fits the 64-byte size class.
type List struct {
	head, tail *node
	count      int // elements
	nodes      int
	arrayBytes int      // sum of len(n.data) over all nodes and spare
	spare      *node    // one small unlinked node kept for the next push
	slabs      *slabSet // nil while no node array is a slab slot
	compress   int32    // list-compress-depth: recorded, not applied
	fill       int16    // list-max-listpack-size, -5..32767
	noHoles    bool     // tests: start slabs whatever the heap holds
}

// slabSet is the slab bookkeeping of a list that has slab slots.
type slabSet struct {
	cur   *slab    // the slab slots are handed out from, or nil
	byID  []*slab  // live slabs by id-1; nil: a free id
	free  []uint32 // the ids of the nil entries of byID
	live  int      // non-nil entries of byID
	waste int      // slots of live slabs that no node owns any more
}

// New returns an empty list whose nodes follow list-max-listpack-size fill
// (clamped to -5..32767 as Redis does). compressDepth is
// list-compress-depth; it is recorded but nodes are never compressed.
func New(fill, compressDepth int) *List {
	fill = max(min(fill, fillMax), fillMin)
	return &List{fill: int16(fill), compress: int32(min(max(compressDepth, 0), math.MaxInt32))}
}

// Len returns the number of elements (LLEN). O(1).
func (l *List) Len() int { return l.count }

// Fill returns the list-max-listpack-size the list was created with.
func (l *List) Fill() int { return int(l.fill) }

// CompressDepth returns the list-compress-depth the list was created with.
func (l *List) CompressDepth() int { return int(l.compress) }

// NodeCount returns the number of nodes (quicklist "len").
func (l *List) NodeCount() int { return l.nodes }

// Encoding returns the OBJECT ENCODING name: Redis 7.0.15 reports every list
// as "quicklist" (object.c strEncoding, t_list.c createQuicklistObject).
func (l *List) Encoding() string { return "quicklist" }

const (
	listStructSize = int(unsafe.Sizeof(List{}))
	nodeStructSize = int(unsafe.Sizeof(node{}))
	slabStructSize = int(unsafe.Sizeof(slab{}))
	slabSetSize    = int(unsafe.Sizeof(slabSet{}))
)

// MemoryUsage estimates the bytes held by the list value: the List struct,
// one struct per node and every node's byte array (slack, the one spare
// node a list may keep and the unused slots of its slabs included). Key and
// keyspace overhead are the caller's to add. O(1).
func (l *List) MemoryUsage() int {
	nodes := l.nodes
	if l.spare != nil {
		nodes++
	}
	size := listStructSize + nodes*nodeStructSize + l.arrayBytes
	if sl := l.slabs; sl != nil {
		size += slabSetSize + sl.live*slabStructSize + cap(sl.byID)*8 + cap(sl.free)*4
		size += sl.waste * l.sizeLimit()
		if s := sl.cur; s != nil {
			size += len(s.buf) - s.used*l.sizeLimit()
		}
	}
	return size
}

// sizeLimit is the most bytes a multi-entry node may hold.
func (l *List) sizeLimit() int {
	if l.fill < 0 {
		return 4096 << (-l.Fill() - 1) // optimization_level: 4, 8, 16, 32, 64 KiB
	}
	return safetyLimit
}

// allowInsert reports whether n may take one more entry of sz bytes
// (_quicklistNodeAllowInsert, with exact sizes).
func (l *List) allowInsert(n *node, sz int) bool {
	if n == nil || n.used()+sz > l.sizeLimit() {
		return false
	}
	return l.fill < 0 || n.entries() < l.Fill()
}

// allowMerge reports whether adjacent a and b fit one node.
func (l *List) allowMerge(a, b *node) bool {
	if a == nil || b == nil || a.used()+b.used() > l.sizeLimit() {
		return false
	}
	return l.fill < 0 || a.entries()+b.entries() <= l.Fill()
}

// alloc returns a byte array of at least c bytes, using the whole size
// class the allocator rounds c up to, and accounts for it. In a list of
// slabMinNodes nodes or more, an array that would take the size class of the
// node size limit (at most slabMaxBytes/2) is a slot of a slab instead,
// returned with its slab id, unless a new slab would be needed while the
// heap has holes a plain array can fill.
func (l *List) alloc(c int) ([]byte, uint32) {
	if l.slotSized(l.nodes, c) && (l.slotLeft() || l.noHoles || !heapHasHoles()) {
		return l.slot(slabMaxBytes)
	}
	b := slices.Grow([]byte(nil), c)
	b = b[:cap(b)]
	l.arrayBytes += len(b)
	return b, 0
}

// slotSized reports whether an array of c bytes for a list of nodes nodes is
// a slab slot.
func (l *List) slotSized(nodes, c int) bool {
	// Every size class of Go 1.26 between 7/8 of a power of two from 4 KiB
	// to 32 KiB and that power of two is the power of two itself, so a slot
	// of the node size limit costs what a plain array would.
	lim := l.sizeLimit()
	return nodes >= slabMinNodes && lim <= slabMaxBytes/2 && c > lim-lim/8 && c <= lim
}

// slotLeft reports whether the current slab has a slot to hand out.
func (l *List) slotLeft() bool {
	if l.slabs == nil || l.slabs.cur == nil {
		return false
	}
	s := l.slabs.cur
	return s.used*l.sizeLimit() < len(s.buf)
}

// heapHasHoles reports whether the Go heap holds at least slabMaxBytes of
// free pages that it has not returned to the OS. Those pages are resident
// and, scattered, may fit no slab, while a plain array of a page or two
// takes one of them: it then costs no new memory at all.
func heapHasHoles() bool {
	s := [1]metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s[:])
	return s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() >= slabMaxBytes
}

// slot hands out the next slot of the current slab, starting a new slab of
// at most maxSlots slots when there is none.
func (l *List) slot(maxSlots int) ([]byte, uint32) {
	lim := l.sizeLimit()
	sl := l.slabs
	if sl == nil {
		sl = &slabSet{}
		l.slabs = sl
	}
	s := sl.cur
	if s == nil || s.used*lim == len(s.buf) {
		// Slabs grow with the list, so that the slots not handed out yet
		// stay a small part of it.
		slots := min(slabMaxBytes/lim, max(2, l.nodes/8), maxSlots)
		s = &slab{buf: make([]byte, slots*lim)}
		if k := len(sl.free); k > 0 {
			s.id = sl.free[k-1]
			sl.free = sl.free[:k-1]
			sl.byID[s.id-1] = s
		} else {
			sl.byID = append(sl.byID, s)
			s.id = uint32(len(sl.byID))
		}
		sl.live++
		sl.cur = s
	}
	b := s.buf[s.used*lim : (s.used+1)*lim : (s.used+1)*lim]
	s.used++
	s.live++
	l.arrayBytes += lim
	return b, s.id
}

// slabOf returns the slab n's array is a slot of, or nil.
func (l *List) slabOf(n *node) *slab {
	if n.slab == 0 {
		return nil
	}
	return l.slabs.byID[n.slab-1]
}

// release drops n's array.
func (l *List) release(n *node) {
	l.arrayBytes -= len(n.data)
	n.data = nil
	s := l.slabOf(n)
	if s == nil {
		return
	}
	n.slab = 0
	s.live--
	sl := l.slabs
	sl.waste++
	if s.live > 0 {
		return
	}
	// Nothing uses the slab any more: forget it.
	sl.waste -= s.used
	sl.live--
	if sl.live == 0 {
		l.slabs = nil
		return
	}
	if s == sl.cur {
		sl.cur = nil
	}
	sl.byID[s.id-1] = nil
	sl.free = append(sl.free, s.id)
}

// setData gives n the array data from slab id (see alloc), releasing its
// old one.
func (l *List) setData(n *node, data []byte, id uint32) {
	l.release(n)
	n.data, n.slab = data, id
}

// tidy evacuates the slabs that have lost slots once those slots make up
// more than about half of the nodes, so that a list never holds much more
// than its nodes' arrays. Every public method that may release a node array
// calls it last. Amortized O(1): an evacuation copies at most the list's
// nodes, and more than half as many slots were released since the last.
func (l *List) tidy() {
	if l.slabs != nil && l.slabs.waste > l.nodes/2+4 {
		l.evacuate()
	}
}

// evacuate moves every node whose slab has lost slots to a fresh array, so
// that those slabs are freed and no slot is lost any more.
func (l *List) evacuate() {
	if s := l.slabs.cur; s != nil && s.used > s.live {
		l.slabs.cur = nil // hand out no more slots of a slab being evacuated
	}
	if sp := l.spare; sp != nil {
		if s := l.slabOf(sp); s != nil && s.used > s.live {
			l.release(sp)
			l.spare = nil
		}
	}
	for n := l.head; n != nil; n = n.next {
		if s := l.slabOf(n); s != nil && s.used > s.live {
			l.relocate(n, len(n.data), n.start)
		}
	}
	if l.slabs != nil && l.slabs.waste != 0 {
		panic("BUG: list: slab slots lost after evacuation")
	}
}

// relocate moves n's live bytes into a fresh array of at least c bytes,
// starting front bytes in.
func (l *List) relocate(n *node, c, front int) {
	used := n.used()
	data, s := l.alloc(max(c, used))
	front = min(front, len(data)-used)
	copy(data[front:], n.data[n.start:n.end])
	l.setData(n, data, s)
	n.start, n.end = front, front+used
}

// newNode returns an unlinked empty node with room for at least sz bytes,
// its free space at the front if atFront, else at the back. A roomy node (one
// at an end of the list, about to receive pushes) gets extra space.
func (l *List) newNode(sz int, atFront, roomy bool) *node {
	c := sz
	if roomy && sz <= l.sizeLimit() && l.fill != 0 && l.fill != 1 {
		c = max(sz, l.endNodeSize())
		if l.fill > 0 {
			// A node holds at most fill entries: about fill of this one.
			c = max(sz, min(c, l.Fill()*sz))
		}
	}
	var n *node
	// The spare may be smaller than c: reusing it (and regrowing it on
	// demand) keeps push/pop cycles at a node boundary allocation-free.
	if s := l.spare; s != nil && roomy && len(s.data) >= sz {
		l.spare = nil
		n = s
		n.start, n.end = 0, 0
	} else {
		n = &node{}
		n.data, n.slab = l.alloc(c)
	}
	if atFront {
		n.start, n.end = len(n.data), len(n.data)
	}
	return n
}

// linkAfter inserts n after at (at == nil: as the new head).
func (l *List) linkAfter(at, n *node) {
	n.prev = at
	if at == nil {
		n.next = l.head
		l.head = n
	} else {
		n.next = at.next
		at.next = n
	}
	if n.next == nil {
		l.tail = n
	} else {
		n.next.prev = n
	}
	l.nodes++
}

// unlink removes n from the chain and frees its array. Its count must
// already be subtracted from l.count.
func (l *List) unlink(n *node) {
	if n.prev == nil {
		l.head = n.next
	} else {
		n.prev.next = n.next
	}
	if n.next == nil {
		l.tail = n.prev
	} else {
		n.next.prev = n.prev
	}
	n.prev, n.next = nil, nil
	l.nodes--
	if l.spare != nil && len(l.spare.data) > l.spareMax() {
		// The list got short: its spare is now too big to keep.
		l.release(l.spare)
		l.spare = nil
	}
	switch {
	case l.nodes == 0:
		// An empty list keeps nothing; its key is about to go.
		l.release(n)
		if l.spare != nil {
			l.release(l.spare)
			l.spare = nil
		}
	case l.spare == nil && len(n.data) <= l.spareMax():
		// Keep it: a push/pop cycle at a full end node would otherwise
		// allocate and free a node every time.
		n.count = 0
		l.spare = n
	default:
		l.release(n)
	}
}

// spareMax is the largest node kept as spare: a fresh end node's size, so
// that a push/pop cycle at a node boundary does not allocate, while a list
// that got short keeps no big spare.
func (l *List) spareMax() int { return l.endNodeSize() }

// endNodeSize is the array size of a fresh end node: minArray for the first
// node, then an eighth of the node limit, doubling with each further node up
// to the whole limit. A long list thus gets its end nodes at full size and
// never regrows them (regrowing made garbage the size of the list, which
// the collector's headroom turns into RSS), while a short list keeps its
// slack small.
func (l *List) endNodeSize() int {
	if l.nodes == 0 {
		return minArray
	}
	return min(l.sizeLimit()/8<<min(l.nodes-1, 3), l.sizeLimit())
}

// reserve opens a gap of sz bytes at absolute offset off of n
// (n.start <= off <= n.end) and returns the gap's absolute offset. It may
// move bytes inside n or move n to a bigger array.
func (l *List) reserve(n *node, off, sz int) int {
	atHead, atTail := off == n.start, off == n.end
	front, back := n.start, len(n.data)-n.end
	if atHead && front >= sz {
		n.start -= sz
		return n.start
	}
	if atTail && back >= sz {
		n.end += sz
		return off
	}
	if !atHead && !atTail {
		headPart, tailPart := off-n.start, n.end-off
		if front >= sz && (headPart <= tailPart || back < sz) {
			copy(n.data[n.start-sz:], n.data[n.start:off])
			n.start -= sz
			return off - sz
		}
		if back >= sz {
			copy(n.data[off+sz:], n.data[off:n.end])
			n.end += sz
			return off
		}
	}

	// Relocate: grow (doubling up to the node limit) or, at the limit,
	// redistribute the slack within the same array.
	used, c, lim := n.used(), len(n.data), l.sizeLimit()
	newCap := c
	if c < lim {
		newCap = max(min(2*c, lim), used+sz)
	} else if used+sz > c {
		newCap = used + sz
	}
	data, s := n.data, n.slab
	if newCap != c {
		data, s = l.alloc(newCap)
	}
	free := len(data) - used - sz
	var ns int // new start
	switch {
	case newCap != c && atTail:
		ns = min(front, free) // keep the old front slack, new room at the back
	case newCap != c && atHead:
		ns = free - min(back, free)
	case atHead:
		ns = free * 3 / 4
	case atTail:
		ns = free / 4
	default:
		ns = free / 2
	}
	headPart := off - n.start
	gap := ns + headPart
	if ns <= n.start {
		copy(data[ns:], n.data[n.start:off])
		copy(data[gap+sz:], n.data[off:n.end])
	} else {
		copy(data[gap+sz:], n.data[off:n.end])
		copy(data[ns:], n.data[n.start:off])
	}
	if newCap != c {
		l.setData(n, data, s)
	}
	n.start, n.end = ns, ns+used+sz
	return gap
}

// deleteRaw removes the sz bytes at absolute offset off of n and returns the
// new offset of the byte that followed them. Counts are the caller's.
func deleteRaw(n *node, off, sz int) int {
	switch {
	case off == n.start:
		n.start += sz
		return n.start
	case off+sz == n.end:
		n.end = off
		return off
	case off-n.start < n.end-off-sz:
		copy(n.data[n.start+sz:], n.data[n.start:off])
		n.start += sz
		return off + sz
	default:
		copy(n.data[off:], n.data[off+sz:n.end])
		n.end -= sz
		return off
	}
}

// maybeShrink moves n to a smaller array when at most a quarter is used.
func (l *List) maybeShrink(n *node) {
	c, used := len(n.data), n.used()
	if c > 8*minArray && used*4 <= c {
		nc := max(2*used, minArray)
		l.relocate(n, nc, (nc-used)/2)
	}
}

// seal trims the slack of n, which has just stopped being an end node that
// receives pushes.
func (l *List) seal(n *node) {
	used := n.used()
	if len(n.data)-used > used/8+32 {
		l.relocate(n, used, 0)
	}
}

// merge joins b (== a.next) into a single node and returns it.
func (l *List) merge(a, b *node) *node {
	au, bu := a.used(), b.used()
	switch {
	case len(a.data)-a.end >= bu:
		copy(a.data[a.end:], b.data[b.start:b.end])
		a.end += bu
	case b.start >= au:
		copy(b.data[b.start-au:], a.data[a.start:a.end])
		b.start -= au
		b.count += a.count
		l.unlink(a)
		return b
	default:
		data, s := l.alloc(au + bu)
		copy(data, a.data[a.start:a.end])
		copy(data[au:], b.data[b.start:b.end])
		l.setData(a, data, s)
		a.start, a.end = 0, au+bu
	}
	a.count += b.count
	l.unlink(b)
	return a
}

// compact merges a and b (== a.next) if they fit one node, and shrinks the
// result; either may be nil.
func (l *List) compact(a, b *node) {
	if l.allowMerge(a, b) {
		l.maybeShrink(l.merge(a, b))
		return
	}
	if a != nil {
		l.maybeShrink(a)
	}
	if b != nil {
		l.maybeShrink(b)
	}
}

// Push adds a copy of v at the given end (LPUSH / RPUSH). O(1) amortized.
func (l *List) Push(where End, v []byte) {
	x, isInt := parseInt(v)
	l.push(where, v, x, isInt)
}

// PushInt adds the integer x, as if its decimal form were pushed.
func (l *List) PushInt(where End, x int64) {
	l.push(where, nil, x, true)
}

func (l *List) push(where End, v []byte, x int64, isInt bool) {
	sz := entrySize(v, x, isInt)
	var n *node
	var off int
	if where == Head {
		n = l.head
		if !l.allowInsert(n, sz) {
			n = l.newNode(sz, true, true)
			l.linkAfter(nil, n)
			if n.next != nil {
				l.seal(n.next)
			}
		}
		off = n.start
	} else {
		n = l.tail
		if !l.allowInsert(n, sz) {
			n = l.newNode(sz, false, true)
			l.linkAfter(l.tail, n)
			if n.prev != nil {
				l.seal(n.prev)
			}
		}
		off = n.end
	}
	p := l.reserve(n, off, sz)
	putEntry(n.data[p:p+sz], v, x, isInt)
	n.count++
	l.count++
	l.tidy()
}

// Pop removes the element at the given end and appends its bytes to dst
// (LPOP / RPOP). ok is false if the list is empty. O(1) amortized.
func (l *List) Pop(where End, dst []byte) (out []byte, ok bool) {
	if l.count == 0 {
		return dst, false
	}
	var n *node
	var off int
	if where == Head {
		n = l.head
		off = n.start
	} else {
		n = l.tail
		off = prevStart(n.data, n.end)
	}
	e, sz := decode(n.data, off)
	dst = e.Append(dst)
	deleteRaw(n, off, sz)
	n.count--
	l.count--
	if n.count == 0 {
		l.unlink(n)
	} else {
		l.maybeShrink(n)
	}
	l.tidy()
	return dst, true
}

// seek returns the node holding element i (0 <= i < Len), the absolute
// offset of its entry and its index inside the node. It walks whole nodes
// from the nearer end, then entries from the nearer end of the node.
func (l *List) seek(i int) (n *node, off, k int) {
	if i <= (l.count-1)/2 {
		n = l.head
		for i >= n.entries() {
			i -= n.entries()
			n = n.next
		}
	} else {
		r := l.count - 1 - i
		n = l.tail
		for r >= n.entries() {
			r -= n.entries()
			n = n.prev
		}
		i = n.entries() - 1 - r
	}
	if i <= (n.entries()-1)/2 {
		off = n.start
		for j := 0; j < i; j++ {
			off += sizeAt(n.data, off)
		}
	} else {
		off = n.end
		for j := n.entries(); j > i; j-- {
			off = prevStart(n.data, off)
		}
	}
	return n, off, i
}

// normIndex turns a Redis index (negative counts from the tail) into a
// 0-based one; ok is false when it is out of range.
func (l *List) normIndex(i int) (int, bool) {
	if i < 0 {
		i += l.count
	}
	return i, i >= 0 && i < l.count
}

// Index returns the element at index i, negative counting from the tail
// (LINDEX). O(n) in nodes, skipping whole nodes by count.
func (l *List) Index(i int) (Entry, bool) {
	i, ok := l.normIndex(i)
	if !ok {
		return Entry{}, false
	}
	n, off, _ := l.seek(i)
	e, _ := decode(n.data, off)
	return e, true
}

// Set replaces the element at index i, negative counting from the tail, with
// a copy of v (LSET). It returns false if the index is out of range.
func (l *List) Set(i int, v []byte) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	x, isInt := parseInt(v)
	sz := entrySize(v, x, isInt)
	n, off, k := l.seek(i)
	old := sizeAt(n.data, off)
	if n.count == 1 || n.used()-old+sz <= l.sizeLimit() {
		join := deleteRaw(n, off, old)
		p := l.reserve(n, join, sz)
		putEntry(n.data[p:p+sz], v, x, isInt)
		l.maybeShrink(n)
		l.tidy()
		return true
	}
	// Does not fit in place: remove the old entry, insert the new one.
	join := deleteRaw(n, off, old)
	n.count--
	l.count--
	l.insertAt(n, join, k, v, x, isInt)
	return true
}

// InsertBefore inserts a copy of v before the first element (from the head)
// equal to pivot (LINSERT BEFORE). It returns false if there is no pivot.
func (l *List) InsertBefore(pivot, v []byte) bool {
	return l.insertPivot(pivot, v, false)
}

// InsertAfter inserts a copy of v after the first element (from the head)
// equal to pivot (LINSERT AFTER). It returns false if there is no pivot.
func (l *List) InsertAfter(pivot, v []byte) bool {
	return l.insertPivot(pivot, v, true)
}

func (l *List) insertPivot(pivot, v []byte, after bool) bool {
	px, pIsInt := parseInt(pivot)
	for n := l.head; n != nil; n = n.next {
		off := n.start
		for k := 0; k < n.entries(); k++ {
			e, sz := decode(n.data, off)
			if e.equal(pivot, px, pIsInt) {
				if after {
					off += sz
					k++
				}
				x, isInt := parseInt(v)
				l.insertAt(n, off, k, v, x, isInt)
				return true
			}
			off += sz
		}
	}
	return false
}

// insertAt inserts an entry before entry k of n, whose absolute offset is
// off (k == n.count and off == n.end: after the last entry).
func (l *List) insertAt(n *node, off, k int, v []byte, x int64, isInt bool) {
	sz := entrySize(v, x, isInt)
	target := n
	switch {
	case l.allowInsert(n, sz):
	case k == 0 && l.allowInsert(n.prev, sz):
		target, off = n.prev, n.prev.end
	case k == n.entries() && l.allowInsert(n.next, sz):
		target, off = n.next, n.next.start
	case k == 0:
		target = l.newNode(sz, true, false)
		l.linkAfter(n.prev, target)
		off = target.start
	case k == n.entries():
		target = l.newNode(sz, false, false)
		l.linkAfter(n, target)
		off = target.end
	default:
		m := l.split(n, off, k)
		switch {
		case l.allowInsert(n, sz):
			off = n.end
		case l.allowInsert(m, sz):
			target, off = m, m.start
		default:
			target = l.newNode(sz, false, false)
			l.linkAfter(n, target)
			off = target.end
		}
	}
	p := l.reserve(target, off, sz)
	putEntry(target.data[p:p+sz], v, x, isInt)
	target.count++
	l.count++
	l.tidy()
}

// split moves entries k.. of n (starting at absolute offset off) into a new
// node linked after n and returns it.
func (l *List) split(n *node, off, k int) *node {
	tail := n.end - off
	m := &node{count: n.count - int32(k)}
	m.data, m.slab = l.alloc(tail)
	copy(m.data, n.data[off:n.end])
	m.end = tail
	n.end = off
	n.count = int32(k)
	l.linkAfter(n, m)
	return m
}

// Remove removes up to count elements equal to v and returns how many it
// removed (LREM): count > 0 scans from the head, count < 0 from the tail,
// count == 0 removes all.
func (l *List) Remove(count int, v []byte) int {
	x, isInt := parseInt(v)
	reverse := count < 0
	limit := count
	if reverse {
		limit = -count // math.MinInt stays negative: remove all, as Redis does
	}
	removed := 0
	done := func() bool { return limit > 0 && removed == limit }
	if !reverse {
		for n := l.head; n != nil && !done(); {
			next := n.next
			touched := false
			for off := n.start; off < n.end && !done(); {
				e, sz := decode(n.data, off)
				if !e.equal(v, x, isInt) {
					off += sz
					continue
				}
				off = deleteRaw(n, off, sz)
				n.count--
				l.count--
				removed++
				touched = true
			}
			if n.count == 0 {
				l.unlink(n)
			} else if touched {
				l.compact(n.prev, n)
			}
			n = next
		}
	} else {
		for n := l.tail; n != nil && !done(); {
			prev := n.prev
			touched := false
			for end := n.end; end > n.start && !done(); {
				s := prevStart(n.data, end)
				e, sz := decode(n.data, s)
				if !e.equal(v, x, isInt) {
					end = s
					continue
				}
				end = deleteRaw(n, s, sz)
				n.count--
				l.count--
				removed++
				touched = true
			}
			if n.count == 0 {
				l.unlink(n)
			} else if touched {
				l.compact(n, n.next)
			}
			n = prev
		}
	}
	l.tidy()
	return removed
}

// DelRange deletes count elements starting at index start (negative counts
// from the tail), clamped to the end of the list, and returns how many it
// deleted (quicklistDelRange, used by LTRIM and LPOP/RPOP/LMPOP with COUNT).
func (l *List) DelRange(start, count int) int {
	if count <= 0 {
		return 0
	}
	start, ok := l.normIndex(start)
	if !ok {
		return 0
	}
	extent := min(count, l.count-start)
	deleted := extent
	n, off, k := l.seek(start)
	before := n.prev // last node before the deleted range
	if k > 0 {
		before = n
	}
	for extent > 0 {
		next := n.next
		if k == 0 && extent >= n.entries() {
			extent -= n.entries()
			l.count -= n.entries()
			l.unlink(n)
		} else {
			del := min(extent, n.entries()-k)
			end := off
			for j := 0; j < del; j++ {
				end += sizeAt(n.data, end)
			}
			deleteRaw(n, off, end-off)
			n.count -= int32(del)
			l.count -= del
			extent -= del
			if n.count == 0 {
				panic("BUG: list: DelRange emptied a partially deleted node")
			}
		}
		n, k = next, 0
		if n != nil {
			off = n.start
		}
	}
	if before == nil {
		l.compact(nil, l.head)
	} else {
		l.compact(before, before.next)
	}
	l.tidy()
	return deleted
}

// Bounds converts LRANGE/LTRIM start and stop (inclusive, negative counting
// from the tail) into 0-based inclusive lo..hi, clamped to the list, as
// t_list.c addListRangeReply does. ok is false when the range is empty.
func (l *List) Bounds(start, stop int) (lo, hi int, ok bool) {
	n := l.count
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, -1, false
	}
	return start, min(stop, n-1), true
}

// Trim keeps only the elements from start to stop inclusive (LTRIM, negative
// indexes counting from the tail); an empty range empties the list. It
// returns the number of elements removed.
func (l *List) Trim(start, stop int) int {
	lo, hi, ok := l.Bounds(start, stop)
	if !ok {
		n := l.count
		l.Clear()
		return n
	}
	rtrim := l.count - hi - 1
	removed := l.DelRange(0, lo)
	return removed + l.DelRange(-rtrim, rtrim)
}

// Clear removes every element.
func (l *List) Clear() {
	for n := l.head; n != nil; {
		next := n.next
		n.prev, n.next, n.data, n.slab = nil, nil, nil, 0
		n = next
	}
	l.head, l.tail, l.spare, l.slabs = nil, nil, nil, nil
	l.count, l.nodes, l.arrayBytes = 0, 0, 0
}

// Range calls fn for the elements with 0-based indexes lo..hi inclusive
// (0 <= lo <= hi < Len, as returned by Bounds), from lo to hi, or from hi to
// lo if reverse, stopping early if fn returns false. e.Str is valid only
// during the call.
func (l *List) Range(lo, hi int, reverse bool, fn func(e Entry) bool) {
	if lo < 0 || hi >= l.count || lo > hi {
		if lo > hi {
			return
		}
		panic("BUG: list: Range out of bounds")
	}
	from := lo
	if reverse {
		from = hi
	}
	it := l.Iter(from, reverse)
	for range hi - lo + 1 {
		e, _ := it.Next()
		if !fn(e) {
			return
		}
	}
}

// Pos appends to dst the 0-based indexes of the elements equal to v (LPOS):
// starting with the rank-th match (rank < 0 scans from the tail; rank must
// not be 0), at most count matches (0: all), looking at no more than maxlen
// elements (0: all). Without COUNT, LPOS calls it with count 1 and replies
// with the first index or null. Like t_list.c lposCommand, rank
// math.MinInt stays negative when negated: it scans from the tail, every
// match counts and COUNT never stops the scan.
func (l *List) Pos(dst []int, v []byte, rank, count, maxlen int) []int {
	if rank == 0 {
		panic("BUG: list: Pos with rank 0")
	}
	x, isInt := parseInt(v)
	reverse := rank < 0
	from := 0
	if reverse {
		rank = -rank // like Redis, math.MinInt stays negative and matches at once
		from = -1
	}
	it := l.Iter(from, reverse)
	matches := 0
	for index := 0; maxlen == 0 || index < maxlen; index++ {
		e, ok := it.Next()
		if !ok {
			break
		}
		if !e.equal(v, x, isInt) {
			continue
		}
		matches++
		if matches >= rank {
			if reverse {
				dst = append(dst, l.count-index-1)
			} else {
				dst = append(dst, index)
			}
			if count != 0 && matches-rank+1 >= count {
				break
			}
		}
	}
	return dst
}

// Clone returns a deep copy with the same options (COPY), each node packed
// tight.
func (l *List) Clone() *List {
	c := &List{fill: l.fill, compress: l.compress}
	// Size the last slab for the slots still to come, so that the copy
	// ends with none unused.
	slots, i := 0, 0
	for n := l.head; n != nil; n = n.next {
		if c.slotSized(i, n.used()) {
			slots++
		}
		i++
	}
	for n := l.head; n != nil; n = n.next {
		used := n.used()
		m := &node{end: used, count: n.count}
		if c.slotSized(c.nodes, used) {
			m.data, m.slab = c.slot(slots)
			slots--
		} else {
			m.data, m.slab = c.alloc(used)
		}
		copy(m.data, n.data[n.start:n.end])
		c.linkAfter(c.tail, m)
	}
	c.count = l.count
	return c
}

// DupValue is Clone for the command layer's COPY, which duplicates any
// collection through this method.
func (l *List) DupValue() any { return l.Clone() }
