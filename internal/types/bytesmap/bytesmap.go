// Package bytesmap is a compact hash table from byte strings to byte strings
// (or a set of byte strings). It is the "hashtable" encoding behind Redis hash
// and set values: it plays the role of Redis's dict (src/dict.c) but keeps the
// GC cost flat as it grows, because it holds no Go pointer per element.
//
// # Layout
//
// Entries live in byte slabs ("chunks"); the index is a set of open-addressing
// tables of uint64 slots that refer to entries by offset:
//
//	slot (uint64, 0 = empty):
//	 63            40 39                16 15           0
//	+----------------+--------------------+--------------+
//	| tag: hash>>40  |     chunk + 1      | offset       |
//	+----------------+--------------------+--------------+
//
//	entry, at chunks[chunk][offset:]:
//	+------------------------+--------------------+-----+-------+
//	| uvarint(len(key)<<1|D) | uvarint(len(val))  | key | value |
//	+------------------------+--------------------+-----+-------+
//	D = 1 marks a dead entry; the value length and value are absent
//	when the map was created without values (a set).
//
// A shared chunk is at most 64 KiB; an entry larger than 8 KiB gets a chunk
// of its own (at offset 0). Deleting or resizing an entry marks the old copy
// dead; once more than half of a chunk is dead its live entries are moved to
// the tail chunk and the chunk is dropped, so dead space stays bounded and the
// work is amortised over the deletes that caused it.
//
// # Index
//
// The index is extendible hashing over the top bits of a 64-bit maphash: a
// directory of 2^depth entries, indexed by the top depth bits, points to
// tables. A table of local depth d and 2^s slots holds the hashes that share
// its d-bit prefix, at home slot = the next s bits, with linear probing and
// backward-shift deletion (no tombstones). A table doubles up to 4096 slots
// and then splits in two (d+1), so growth never rehashes more than one small
// table at a time; sparse tables shrink and sibling tables merge back.
//
// # SCAN
//
// Every table slot covers a dyadic interval of the 64-bit hash space, so the
// whole map is an ordered sequence of home buckets. The SCAN cursor is a
// position in that space, bit-reversed on the wire exactly as Redis's
// reverse-binary cursor (src/dict.c, dictScan): each call returns the entries
// of one home bucket and advances the cursor past it. Growing, splitting,
// shrinking or merging tables only changes the interval width, so an element
// present for the whole scan is returned at least once (and possibly more
// than once), as Redis guarantees.
//
// A Map is not safe for concurrent use.
package bytesmap

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

const (
	chunkBits  = 16
	chunkSize  = 1 << chunkBits // maximum length of a shared chunk
	bigEntry   = 8 << 10        // larger entries get a chunk of their own
	firstChunk = 256            // initial capacity of a small map's chunk

	locBits   = 40 // low bits of a slot: chunk+1 and offset
	locMask   = 1<<locBits - 1
	tagBits   = 64 - locBits // high bits of a slot: top bits of the hash
	offMask   = chunkSize - 1
	maxChunks = 1<<(locBits-chunkBits) - 1

	minTableBits = 3  // smallest table: 8 slots
	maxTableBits = 12 // largest table before it splits: 4096 slots

	// Load factor limits, as fractions of the slot count.
	growNum, growDen = 3, 4 // grow (or split) above 3/4 full
	shrinkDen        = 8    // shrink (or merge) below 1/8 full
)

// table is one open-addressing table of the index.
type table struct {
	slots  []uint64
	n      int    // occupied slots
	prefix uint64 // the d top hash bits every entry here shares
	d      uint8  // local depth
	s      uint8  // log2(len(slots))
}

// home returns the home slot of hash h in t.
func (t *table) home(h uint64) int {
	return int((h << t.d) >> (64 - t.s))
}

// Map is a hash table of byte strings. The zero value is not usable; call
// New.
type Map struct {
	seed    maphash.Seed
	values  bool
	n       int
	tagUsed uint8 // hash bits read from slot tags rather than rehashing: tagBits (lower in tests)

	// Index.
	dir     []*table // 2^depth entries, indexed by the top depth hash bits
	depth   uint8
	maxBits uint8 // max d+s over all tables; 0 when it must be recomputed

	// Slab.
	chunks     [][]byte
	dead       []int   // dead bytes per chunk
	free       []int32 // indexes of dropped chunks, for reuse
	tail       int     // chunk new entries are appended to, -1 if none
	fullChunks bool    // a chunk has filled up: start new ones at full size
	sealed     []int32 // chunks sealed during an operation, to check for compaction
}

// New returns an empty map sized for about hint entries, with a fresh random
// hash seed. A map created with values=false is a set: values are not stored
// and read back as nil.
func New(values bool, hint int) *Map {
	return NewSeeded(values, hint, maphash.MakeSeed())
}

// NewSeeded is New with a given hash seed. A map built with the seed of
// another map orders its SCAN cursor space the same way, so a SCAN in progress
// over the old map stays valid over the new one.
func NewSeeded(values bool, hint int, seed maphash.Seed) *Map {
	m := &Map{seed: seed, values: values, tail: -1, tagUsed: tagBits}
	need := uint8(minTableBits)
	for need < 40 && (1<<need)*growNum/growDen < hint {
		need++
	}
	if need <= maxTableBits {
		m.dir = []*table{{slots: make([]uint64, 1<<need), s: need}}
		return m
	}
	m.depth = need - maxTableBits
	m.dir = make([]*table, 1<<m.depth)
	for i := range m.dir {
		m.dir[i] = &table{slots: make([]uint64, 1<<maxTableBits), prefix: uint64(i), d: m.depth, s: maxTableBits}
	}
	return m
}

// Seed returns the map's hash seed.
func (m *Map) Seed() maphash.Seed { return m.seed }

// Len returns the number of entries.
func (m *Map) Len() int { return m.n }

func (m *Map) hash(key []byte) uint64 { return maphash.Bytes(m.seed, key) }

func (m *Map) tableFor(h uint64) *table { return m.dir[h>>(64-m.depth)] }

// Get returns the value stored for key. The returned slice aliases the map's
// memory: it must not be modified and is valid until the next change to m.
func (m *Map) Get(key []byte) (val []byte, ok bool) {
	t, i, found := m.find(key, m.hash(key))
	if !found {
		return nil, false
	}
	_, val = m.entry(t.slots[i] & locMask)
	return val, true
}

// Has reports whether key is present.
func (m *Map) Has(key []byte) bool {
	_, _, found := m.find(key, m.hash(key))
	return found
}

// Set stores val for key, and reports whether key was added (rather than
// updated).
func (m *Map) Set(key, val []byte) (added bool) {
	return m.put(key, val, true)
}

// SetNX stores val for key unless key is present, and reports whether it was
// added.
func (m *Map) SetNX(key, val []byte) (added bool) {
	return m.put(key, val, false)
}

// Add adds key with an empty value unless it is present, and reports whether
// it was added. It is the set insert.
func (m *Map) Add(key []byte) (added bool) {
	return m.put(key, nil, false)
}

func (m *Map) put(key, val []byte, replace bool) bool {
	if !m.values {
		val = nil
	}
	h := m.hash(key)
	t, i, found := m.find(key, h)
	if found {
		if !replace {
			return false
		}
		old := t.slots[i] & locMask
		if _, cur := m.entry(old); len(cur) == len(val) {
			copy(cur, val)
			return false
		}
		loc := m.appendEntry(key, val)
		t.slots[i] = t.slots[i]&^locMask | loc
		m.settle(m.markDead(old))
		return false
	}
	if (t.n+1)*growDen > len(t.slots)*growNum {
		for (t.n+1)*growDen > len(t.slots)*growNum {
			m.grow(t) // a split can be lopsided: repeat until there is room
			t = m.tableFor(h)
		}
		i = m.emptySlot(t, h)
	}
	loc := m.appendEntry(key, val)
	t.slots[i] = h&^locMask | loc
	t.n++
	m.n++
	m.settle(-1)
	return true
}

// Delete removes key and reports whether it was present.
func (m *Map) Delete(key []byte) bool {
	t, i, found := m.find(key, m.hash(key))
	if !found {
		return false
	}
	loc := t.slots[i] & locMask
	m.removeSlot(t, i)
	m.n--
	t.n--
	m.maybeShrink(t)
	m.settle(m.markDead(loc))
	return true
}

// Range calls fn for every entry until fn returns false, and reports whether
// it got to the end. fn must not change m; the slices it gets alias the map's
// memory and are valid only during the call. The order is unspecified.
func (m *Map) Range(fn func(key, val []byte) bool) bool {
	for _, ch := range m.chunks {
		for off := 0; off < len(ch); {
			key, val, size, dead := m.parse(ch, off)
			if !dead && !fn(key, val) {
				return false
			}
			off += size
		}
	}
	return true
}

// Scan calls fn for the entries of one home bucket, the one cursor points
// at, and returns the cursor of the next bucket, or 0 when the scan is
// complete. A scan starts at cursor 0. Like Redis's dictScan, every entry
// present from the start to the end of a scan is returned at least once,
// however the map grows or shrinks between calls; entries may be returned
// more than once. fn must not change m; its slices are valid only during the
// call.
func (m *Map) Scan(cursor uint64, fn func(key, val []byte)) uint64 {
	pos := bits.Reverse64(cursor)
	t := m.tableFor(pos)
	total := t.d + t.s
	b := t.home(pos)
	mask := len(t.slots) - 1
	for i := b; ; i = (i + 1) & mask {
		sl := t.slots[i]
		if sl == 0 {
			break
		}
		if t.home(m.slotHash(sl, total)) == b {
			key, val := m.entry(sl & locMask)
			fn(key, val)
		}
	}
	next := pos>>(64-total) + 1
	if next>>total != 0 {
		return 0
	}
	return bits.Reverse64(next << (64 - total))
}

// Random returns an entry chosen uniformly at random, and an id that tells
// entries apart until the next change to m (for sampling without
// repetition). The map must not be empty. The slices alias the map's memory
// and are valid until the next change to m.
func (m *Map) Random(r *rand.Rand) (key, val []byte, id uint64) {
	if m.n == 0 {
		panic("BUG: Random on an empty bytesmap")
	}
	if m.maxBits == 0 {
		m.computeMaxBits()
	}
	// Pick a random point of the hash space and a random slot of the table
	// that holds it. A table with fewer slots per unit of hash space (d+s
	// below the maximum) is picked more often per slot, so accept its slots
	// with probability 2^(d+s-maxBits): every slot is then equally likely.
	for try := 0; try < 1000; try++ {
		x := r.Uint64()
		t := m.tableFor(x)
		sl := t.slots[t.home(x)]
		if sl == 0 {
			continue
		}
		if skip := m.maxBits - t.d - t.s; skip > 0 && x&(1<<skip-1) != 0 {
			continue
		}
		loc := sl & locMask
		key, val = m.entry(loc)
		return key, val, loc
	}
	// A pathologically sparse index: fall back to counting to a random index.
	k := r.IntN(m.n)
	var loc uint64
	m.rangeSlots(func(sl uint64) bool {
		if k == 0 {
			loc = sl & locMask
			return false
		}
		k--
		return true
	})
	key, val = m.entry(loc)
	return key, val, loc
}

// MemoryUsage returns an estimate of the bytes the map holds.
func (m *Map) MemoryUsage() int {
	const tableSize = 56 // table struct
	const mapSize = 160  // Map struct
	n := mapSize + cap(m.dir)*8 + cap(m.chunks)*24 + cap(m.dead)*8 + cap(m.free)*4
	m.rangeTables(func(t *table) {
		n += tableSize + cap(t.slots)*8
	})
	for _, ch := range m.chunks {
		n += cap(ch)
	}
	return n
}

// --- index ---

// find looks key up. When it is absent, i is the empty slot it would go in.
func (m *Map) find(key []byte, h uint64) (t *table, i int, found bool) {
	t = m.tableFor(h)
	mask := len(t.slots) - 1
	tag := h >> locBits
	for i = t.home(h); ; i = (i + 1) & mask {
		sl := t.slots[i]
		if sl == 0 {
			return t, i, false
		}
		if sl>>locBits == tag {
			k, _ := m.entry(sl & locMask)
			if bytes.Equal(k, key) {
				return t, i, true
			}
		}
	}
}

// emptySlot returns the first empty slot on the probe path of h in t.
func (m *Map) emptySlot(t *table, h uint64) int {
	mask := len(t.slots) - 1
	i := t.home(h)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

// slotHash returns the hash of the entry in sl, exact in at least its top
// need bits: from the tag when that suffices, else by hashing the key again.
func (m *Map) slotHash(sl uint64, need uint8) uint64 {
	if need <= m.tagUsed {
		return sl &^ locMask
	}
	k, _ := m.entry(sl & locMask)
	return m.hash(k)
}

// removeSlot empties slot i of t and shifts later entries of its probe run
// back, so that lookups never need tombstones.
func (m *Map) removeSlot(t *table, i int) {
	mask := len(t.slots) - 1
	total := t.d + t.s
	t.slots[i] = 0
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		sl := t.slots[j]
		if sl == 0 {
			return
		}
		k := t.home(m.slotHash(sl, total))
		// The entry at j may fill the hole at i unless its home lies
		// cyclically in (i, j].
		if (j-k)&mask >= (j-i)&mask {
			t.slots[i] = sl
			t.slots[j] = 0
			i = j
		}
	}
}

// place puts sl (whose hash is h) into t, which must have room.
func (m *Map) place(t *table, sl, h uint64) {
	mask := len(t.slots) - 1
	i := t.home(h)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = sl
	t.n++
}

// resize rebuilds t with 2^s slots.
func (m *Map) resize(t *table, s uint8) {
	old := t.slots
	t.slots = make([]uint64, 1<<s)
	t.s = s
	t.n = 0
	need := t.d + s
	for _, sl := range old {
		if sl != 0 {
			m.place(t, sl, m.slotHash(sl, need))
		}
	}
	m.maxBits = 0
}

// grow makes room in the full table t: it doubles it, or splits it in two
// once it has reached the largest size.
func (m *Map) grow(t *table) {
	if t.s < maxTableBits {
		m.resize(t, t.s+1)
		return
	}
	if t.d == m.depth {
		if m.depth >= 40 {
			panic("BUG: bytesmap directory too deep")
		}
		dir := make([]*table, 2*len(m.dir))
		for i, x := range m.dir {
			dir[2*i], dir[2*i+1] = x, x
		}
		m.dir = dir
		m.depth++
	}
	d := t.d + 1
	lo := &table{slots: make([]uint64, 1<<t.s), prefix: t.prefix << 1, d: d, s: t.s}
	hi := &table{slots: make([]uint64, 1<<t.s), prefix: t.prefix<<1 | 1, d: d, s: t.s}
	need := d + t.s
	for _, sl := range t.slots {
		if sl == 0 {
			continue
		}
		h := m.slotHash(sl, need)
		if (h<<t.d)>>63 == 0 {
			m.place(lo, sl, h)
		} else {
			m.place(hi, sl, h)
		}
	}
	m.setDir(lo)
	m.setDir(hi)
	m.maxBits = 0
}

// setDir points the directory entries of t's prefix at t.
func (m *Map) setDir(t *table) {
	span := 1 << (m.depth - t.d)
	start := int(t.prefix) * span
	for i := start; i < start+span; i++ {
		m.dir[i] = t
	}
}

// maybeShrink shrinks a sparse table t, or merges it with the tables of its
// sibling prefix when they all fit in one table at most half full, and then
// keeps merging upwards while it can.
func (m *Map) maybeShrink(t *table) {
	if t.n*shrinkDen >= len(t.slots) {
		return
	}
	merged := false
	for t.d > 0 {
		// The parent region: t and everything under its sibling prefix.
		d, prefix := t.d-1, t.prefix>>1
		span := 1 << (m.depth - d)
		start := int(prefix) * span
		n := 0
		for i := start; i < start+span; i += 1 << (m.depth - m.dir[i].d) {
			n += m.dir[i].n
		}
		if n*2 > 1<<maxTableBits {
			break
		}
		u := &table{prefix: prefix, d: d, s: tableBitsFor(n)}
		u.slots = make([]uint64, 1<<u.s)
		need := d + u.s
		for i := start; i < start+span; i += 1 << (m.depth - m.dir[i].d) {
			for _, sl := range m.dir[i].slots {
				if sl != 0 {
					m.place(u, sl, m.slotHash(sl, need))
				}
			}
		}
		m.setDir(u)
		t = u
		merged = true
		m.maxBits = 0
	}
	if merged {
		m.shrinkDir()
		return
	}
	if s := tableBitsFor(t.n); s < t.s {
		m.resize(t, s)
	}
}

// tableBitsFor returns the table size (log2) that holds n entries at most
// half full.
func tableBitsFor(n int) uint8 {
	s := uint8(minTableBits)
	for 1<<s < 2*n {
		s++
	}
	return s
}

// shrinkDir halves the directory while no table needs its full depth.
func (m *Map) shrinkDir() {
	for m.depth > 0 {
		for i := 0; i < len(m.dir); i += 2 {
			if m.dir[i] != m.dir[i+1] {
				return
			}
		}
		dir := make([]*table, len(m.dir)/2)
		for i := range dir {
			dir[i] = m.dir[2*i]
		}
		m.dir = dir
		m.depth--
	}
}

func (m *Map) computeMaxBits() {
	var mb uint8
	m.rangeTables(func(t *table) {
		mb = max(mb, t.d+t.s)
	})
	m.maxBits = mb
}

// rangeTables calls fn once for every table, in hash order.
func (m *Map) rangeTables(fn func(t *table)) {
	for i := 0; i < len(m.dir); {
		t := m.dir[i]
		fn(t)
		i += 1 << (m.depth - t.d)
	}
}

// rangeSlots calls fn for every occupied slot until fn returns false.
func (m *Map) rangeSlots(fn func(sl uint64) bool) {
	for i := 0; i < len(m.dir); {
		t := m.dir[i]
		for _, sl := range t.slots {
			if sl != 0 && !fn(sl) {
				return
			}
		}
		i += 1 << (m.depth - t.d)
	}
}

// --- slab ---

// parse decodes the entry at ch[off:].
func (m *Map) parse(ch []byte, off int) (key, val []byte, size int, dead bool) {
	p := off
	kh, n := binary.Uvarint(ch[p:])
	if n <= 0 {
		panic("BUG: bytesmap entry header corrupt")
	}
	p += n
	var vl uint64
	if m.values {
		vl, n = binary.Uvarint(ch[p:])
		if n <= 0 {
			panic("BUG: bytesmap entry header corrupt")
		}
		p += n
	}
	kl := int(kh >> 1)
	key = ch[p : p+kl : p+kl]
	p += kl
	if m.values {
		val = ch[p : p+int(vl) : p+int(vl)]
		p += int(vl)
	}
	return key, val, p - off, kh&1 != 0
}

// entry returns the key and value stored at loc.
func (m *Map) entry(loc uint64) (key, val []byte) {
	key, val, _, _ = m.parse(m.chunks[loc>>chunkBits-1], int(loc&offMask))
	return key, val
}

// appendEntry stores a new live entry and returns its location. A chunk it
// seals is queued on m.sealed for settle to consider.
func (m *Map) appendEntry(key, val []byte) uint64 {
	size := uvarintLen(uint64(len(key))<<1) + len(key)
	if m.values {
		size += uvarintLen(uint64(len(val))) + len(val)
	}
	var c int
	if size > bigEntry {
		c = m.newChunk(size)
	} else {
		if m.tail >= 0 {
			ch := m.chunks[m.tail]
			switch {
			case len(ch)+size <= cap(ch):
			case len(ch)+size <= chunkSize:
				grown := make([]byte, len(ch), min(chunkSize, max(2*cap(ch), len(ch)+size)))
				copy(grown, ch)
				m.chunks[m.tail] = grown
			default:
				m.fullChunks = true
				m.sealed = append(m.sealed, int32(m.tail))
				m.tail = -1
			}
		}
		if m.tail < 0 {
			capacity := max(size, firstChunk)
			if m.fullChunks {
				capacity = chunkSize
			}
			m.tail = m.newChunk(capacity)
		}
		c = m.tail
	}
	ch := m.chunks[c]
	off := len(ch)
	ch = binary.AppendUvarint(ch, uint64(len(key))<<1)
	if m.values {
		ch = binary.AppendUvarint(ch, uint64(len(val)))
	}
	ch = append(ch, key...)
	if m.values {
		ch = append(ch, val...)
	}
	m.chunks[c] = ch
	return uint64(c+1)<<chunkBits | uint64(off)
}

// newChunk allocates an empty chunk with the given capacity and returns its
// index.
func (m *Map) newChunk(capacity int) int {
	ch := make([]byte, 0, capacity)
	if n := len(m.free); n > 0 {
		c := int(m.free[n-1])
		m.free = m.free[:n-1]
		m.chunks[c] = ch
		return c
	}
	if len(m.chunks) >= maxChunks {
		panic("BUG: bytesmap has too many chunks")
	}
	m.chunks = append(m.chunks, ch)
	m.dead = append(m.dead, 0)
	return len(m.chunks) - 1
}

// markDead marks the entry at loc dead and returns its chunk.
func (m *Map) markDead(loc uint64) int {
	c := int(loc>>chunkBits) - 1
	ch := m.chunks[c]
	off := int(loc & offMask)
	_, _, size, dead := m.parse(ch, off)
	if dead {
		panic("BUG: bytesmap entry already dead")
	}
	ch[off] |= 1 // the low bit of the first varint byte is the dead flag
	m.dead[c] += size
	return c
}

// settle compacts chunk c (if c >= 0) and any chunk sealed during the
// operation, when more than half of it is dead. It runs at the end of every
// change, when every slot points at a live entry.
func (m *Map) settle(c int) {
	if c >= 0 {
		m.maybeCompact(c)
	}
	for len(m.sealed) > 0 {
		s := int(m.sealed[len(m.sealed)-1])
		m.sealed = m.sealed[:len(m.sealed)-1]
		m.maybeCompact(s)
	}
}

func (m *Map) maybeCompact(c int) {
	ch := m.chunks[c]
	if ch == nil || m.dead[c]*2 <= len(ch) {
		return
	}
	if c == m.tail {
		m.tail = -1
	}
	for off := 0; off < len(ch); {
		key, val, size, dead := m.parse(ch, off)
		if !dead {
			old := uint64(c+1)<<chunkBits | uint64(off)
			t, i := m.slotOf(key, old)
			t.slots[i] = t.slots[i]&^locMask | m.appendEntry(key, val)
		}
		off += size
	}
	m.chunks[c] = nil
	m.dead[c] = 0
	m.free = append(m.free, int32(c))
	if m.n == 0 {
		m.resetSlab()
	}
}

// slotOf finds the slot that refers to loc, whose key is key.
func (m *Map) slotOf(key []byte, loc uint64) (*table, int) {
	h := m.hash(key)
	t := m.tableFor(h)
	mask := len(t.slots) - 1
	for i := t.home(h); ; i = (i + 1) & mask {
		sl := t.slots[i]
		if sl == 0 {
			panic("BUG: bytesmap entry without a slot")
		}
		if sl&locMask == loc {
			return t, i
		}
	}
}

// resetSlab drops every chunk of an empty map.
func (m *Map) resetSlab() {
	m.chunks, m.dead, m.free, m.sealed = nil, nil, nil, nil
	m.tail = -1
	m.fullChunks = false
}

func uvarintLen(x uint64) int {
	return (bits.Len64(x|1) + 6) / 7
}
