package keyspace

import (
	"encoding/binary"
	"hash/maphash"
)

// A table holds the keys of one database that fall into one shard. Keys
// and string values live in records packed into 64 KB byte chunks; the
// index is an open-addressing hash table of uint64 slots. Neither holds a
// Go pointer per key, so the garbage collector's work does not grow with
// the number of keys. Values that are not small strings (collections,
// strings over bigLimit) live in side slices referenced by index.
//
// Slot (uint64), 0 = empty:
//
//	bits 63..40  low 24 bits of the key's hash (the tag)
//	bits 39..0   record reference: chunk<<16 | offset
//
// Record, at chunk[offset]:
//
//	flags  1 byte   type:3 | enc:2 | expire:1 | dead:1
//	lru    4 bytes  LRU clock (seconds) or LFU minutes<<8|counter, little endian
//	expire 8 bytes  unix ms, only when the expire flag is set
//	klen   uvarint, then the key
//	value  enc embstr/raw: uvarint length + bytes
//	       enc int:        8 bytes, little endian
//	       enc side:       4 bytes, index into bigs (type string, raw) or objs
//
// The index uses linear probing with backward-shift deletion (no
// tombstones). A key's home bucket is hash&mask; since the tag keeps the
// low 24 bits of the hash, the home bucket is derived from the slot alone
// for tables of up to 2^24 slots, so growth and SCAN never read records.
type table struct {
	slots []uint64
	mask  uint64
	count int

	// exp indexes the records that carry an expire, same slot format.
	exp      []uint64
	expMask  uint64
	expCount int

	chunks [][]byte
	live   []int32 // live record bytes per chunk
	cur    int     // chunk being appended to

	objs     []any
	freeObjs []uint32
	bigs     [][]byte
	freeBigs []uint32

	// scan cursor of the active expire cycle over exp
	expCursor uint64

	seed     maphash.Seed
	shard    *shard
	compactQ []int // chunks to compact after the current command

	// bytes is the table's share of shard.mem: live record bytes plus
	// big string values (collections in objs are not counted).
	bytes int64
	// held is the table's share of shard.held: chunk capacity plus big
	// string values.
	held int64
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	refBits   = 40
	refMask   = 1<<refBits - 1
	tagMask   = 1<<24 - 1
	// bigLimit is the largest string value stored inline in a chunk.
	bigLimit = chunkSize / 4
)

// Record flag layout.
const (
	fTypeMask  = 0x07
	fEncShift  = 3
	fEncMask   = 0x03 << fEncShift
	fExpire    = 1 << 5
	fDead      = 1 << 6
	hdrLRU     = 1
	hdrFixed   = 5 // flags + lru
	expireSize = 8
)

// Enc is how a value is held; the names follow OBJECT ENCODING for strings.
type Enc uint8

// Value encodings in a record.
const (
	EncEmbstr Enc = iota // short string, inline
	EncRaw               // string, inline or in bigs
	EncInt               // integer, 8 bytes inline
	EncSide              // index into bigs (strings, reported as raw) or objs (collections)
)

func newTable(seed maphash.Seed) *table {
	t := &table{seed: seed}
	t.slots = make([]uint64, 8)
	t.mask = 7
	return t
}

func mkSlot(h uint64, ref uint64) uint64 { return (h&tagMask)<<refBits | ref }

func slotRef(s uint64) uint64 { return s & refMask }

// record returns the bytes from the start of the record at ref.
func (t *table) record(ref uint64) []byte {
	return t.chunks[ref>>chunkBits][ref&(chunkSize-1):]
}

// recKey parses a record header: it returns the key and the offset of
// the value within rec.
func recKey(rec []byte) (key []byte, valOff int) {
	p := hdrFixed
	if rec[0]&fExpire != 0 {
		p += expireSize
	}
	kl, n := binary.Uvarint(rec[p:])
	p += n
	return rec[p : p+int(kl)], p + int(kl)
}

// recSize returns the total length of the record starting at rec.
func recSize(rec []byte) int {
	_, p := recKey(rec)
	switch recEnc(rec) {
	case EncInt:
		return p + 8
	case EncSide:
		return p + 4
	default:
		vl, n := binary.Uvarint(rec[p:])
		return p + n + int(vl)
	}
}

func recEnc(rec []byte) Enc { return Enc(rec[0]&fEncMask) >> fEncShift }

// lookup returns the slot position of key, or -1.
func (t *table) lookup(h uint64, key []byte) int {
	tag := h & tagMask
	i := h & t.mask
	for {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if s>>refBits == tag {
			k, _ := recKey(t.record(slotRef(s)))
			if string(k) == string(key) {
				return int(i)
			}
		}
		i = (i + 1) & t.mask
	}
}

// insertSlot places a new slot for a key known to be absent.
func (t *table) insertSlot(h uint64, ref uint64) {
	if (t.count+1)*4 > len(t.slots)*3 {
		t.slots, t.mask = growIndex(t.slots, t.mask, t.homeOf)
	}
	placeSlot(t.slots, t.mask, h&t.mask, mkSlot(h, ref))
	t.count++
}

func placeSlot(slots []uint64, mask uint64, i uint64, s uint64) {
	for slots[i] != 0 {
		i = (i + 1) & mask
	}
	slots[i] = s
}

// homeOf returns the home bucket of slot s in an index of the given mask.
func (t *table) homeOf(s uint64, mask uint64) uint64 {
	if mask <= tagMask {
		return (s >> refBits) & mask
	}
	k, _ := recKey(t.record(slotRef(s)))
	return t.hashOf(k) & mask
}

func growIndex(old []uint64, oldMask uint64, home func(uint64, uint64) uint64) ([]uint64, uint64) {
	n := uint64(len(old)) * 2
	slots := make([]uint64, n)
	mask := n - 1
	for _, s := range old {
		if s != 0 {
			placeSlot(slots, mask, home(s, mask), s)
		}
	}
	return slots, mask
}

func shrinkIndex(old []uint64, home func(uint64, uint64) uint64, count int) ([]uint64, uint64) {
	n := uint64(8)
	for int(n)*3 < count*4*2 { // keep load ≤ 3/8 after shrinking
		n *= 2
	}
	if n >= uint64(len(old)) {
		return old, uint64(len(old)) - 1
	}
	slots := make([]uint64, n)
	mask := n - 1
	for _, s := range old {
		if s != 0 {
			placeSlot(slots, mask, home(s, mask), s)
		}
	}
	return slots, mask
}

// deleteAt removes the slot at i with backward-shift deletion.
func deleteAt(slots []uint64, mask uint64, i uint64, home func(uint64, uint64) uint64) {
	for {
		slots[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			s := slots[j]
			if s == 0 {
				return
			}
			k := home(s, mask)
			// s may move to i if its home is not cyclically in (i, j].
			if (j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j)) {
				slots[i] = s
				i = j
				break
			}
		}
	}
}

// findSlot returns the position in slots holding ref for hash h, or -1.
func findSlot(slots []uint64, mask uint64, h uint64, ref uint64) int {
	if len(slots) == 0 {
		return -1
	}
	i := h & mask
	for {
		s := slots[i]
		if s == 0 {
			return -1
		}
		if slotRef(s) == ref {
			return int(i)
		}
		i = (i + 1) & mask
	}
}

// alloc reserves n bytes for a new record and returns its reference.
func (t *table) alloc(n int) uint64 {
	if !t.fits(n) {
		t.newChunk(n)
	}
	c := t.chunks[t.cur]
	off := len(c)
	t.chunks[t.cur] = c[:off+n]
	t.live[t.cur] += int32(n)
	t.account(n)
	return uint64(t.cur)<<chunkBits | uint64(off)
}

func (t *table) newChunk(need int) {
	// Reuse an empty chunk if compaction freed one.
	for i, c := range t.chunks {
		if c != nil && len(c) == 0 && i != t.cur && cap(c) > need { // offset 0 is reserved
			t.chunks[i] = c[:1]
			t.cur = i
			return
		}
	}
	size := chunkSize
	if len(t.chunks) == 0 && need < 2<<10 {
		size = 4 << 10 // small first chunk: many tables hold few keys
	}
	c := make([]byte, 1, size) // offset 0 is never used, so a slot is never 0
	t.hold(size)
	t.chunks = append(t.chunks, c)
	t.live = append(t.live, 0)
	t.cur = len(t.chunks) - 1
}

// fits reports whether n more bytes fit the current chunk without a new one.
func (t *table) fits(n int) bool {
	if len(t.chunks) == 0 {
		return false
	}
	c := t.chunks[t.cur]
	return len(c)+n <= cap(c)
}

func (t *table) hashOf(k []byte) uint64 { return maphash.Bytes(t.seed, k) }

// account adds n (may be negative) to the table's and its shard's byte
// counts.
func (t *table) account(n int) {
	t.bytes += int64(n)
	t.shard.mem.Add(int64(n))
}

// hold adds n (may be negative) to the heap bytes the table and its shard
// hold.
func (t *table) hold(n int) {
	t.held += int64(n)
	t.shard.held.Add(int64(n))
}
