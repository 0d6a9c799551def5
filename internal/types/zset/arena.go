package zset

import (
	"encoding/binary"
	"math"
)

// The arena stores the members of a large set in pointer-free byte slabs. A
// record is addressed by a 32-bit ref; refs are what the hash index and the
// B+tree leaves hold, so a member costs no Go pointer at all.
//
//	ref:    | slab index (21 bits) | offset in 8-byte units (11 bits) |
//
//	record: +---------------+-------------+--------------+---------+
//	        | score float64 | uvarint len | member bytes | padding |
//	        |  8 bytes, LE  | 1..5 bytes  |  len bytes   | to 8    |
//	        +---------------+-------------+--------------+---------+
//
// Slabs are at most slabSize bytes; records are appended to the active slab,
// which starts small and grows by doubling so small sets do not pay for a
// whole slab. A record larger than bigRecord gets a slab of its own. A deleted
// record has its score overwritten with NaN (live scores are never NaN) and
// its size added to the slab's dead count. A sealed slab whose dead bytes
// exceed half its length is queued; settle moves its live records to the
// active slab (updating the index and the tree) and frees it. Each relocated
// byte is paid for by at least one deleted byte, so this is amortized O(1)
// per deletion, and at most half of a sealed slab is ever wasted.
//
// 21 bits of slab index and 16 KiB slabs address 32 GiB of member records.
const (
	slabShift   = 14
	slabSize    = 1 << slabShift
	refOffBits  = slabShift - 3
	refOffMask  = 1<<refOffBits - 1
	maxSlabs    = 1 << (32 - refOffBits)
	bigRecord   = slabSize / 4
	firstSlab   = 256 // initial capacity of a fresh active slab
	deadPattern = 0x7ff8_dead_dead_dead
)

type arena struct {
	slabs   [][]byte
	dead    []uint32 // dead bytes per slab
	free    []uint32 // indexes of released slabs, for reuse
	pending []uint32 // sealed slabs that crossed the compaction threshold
	active  int      // slab receiving appends, -1 if none
	used    int      // sum of cap() over slabs, for MemoryUsage
}

func recSize(mlen int) int {
	return (8 + uvarintLen(uint64(mlen)) + mlen + 7) &^ 7
}

func (a *arena) at(ref uint32) ([]byte, int) {
	return a.slabs[ref>>refOffBits], int(ref&refOffMask) << 3
}

// member returns the member bytes of ref; the slice aliases the slab.
func (a *arena) member(ref uint32) []byte {
	s, off := a.at(ref)
	p := off + 8
	if b := s[p]; b < 0x80 {
		return s[p+1 : p+1+int(b) : p+1+int(b)]
	}
	mlen, k := binary.Uvarint(s[p:])
	p += k
	return s[p : p+int(mlen) : p+int(mlen)]
}

func (a *arena) score(ref uint32) float64 {
	s, off := a.at(ref)
	return math.Float64frombits(binary.LittleEndian.Uint64(s[off:]))
}

func (a *arena) setScore(ref uint32, score float64) {
	s, off := a.at(ref)
	binary.LittleEndian.PutUint64(s[off:], math.Float64bits(score))
}

func (a *arena) newSlab(capacity int) int {
	var idx int
	if n := len(a.free); n > 0 {
		idx = int(a.free[n-1])
		a.free = a.free[:n-1]
	} else {
		if len(a.slabs) >= maxSlabs {
			panic("zset: sorted set exceeds 32 GiB of member data")
		}
		a.slabs = append(a.slabs, nil)
		a.dead = append(a.dead, 0)
		idx = len(a.slabs) - 1
	}
	a.slabs[idx] = make([]byte, 0, capacity)
	a.used += capacity
	return idx
}

func putRecord(dst []byte, member []byte, score float64) {
	binary.LittleEndian.PutUint64(dst, math.Float64bits(score))
	k := 8 + binary.PutUvarint(dst[8:], uint64(len(member)))
	copy(dst[k:], member)
}

// alloc stores a record and returns its ref.
func (a *arena) alloc(member []byte, score float64) uint32 {
	sz := recSize(len(member))
	if sz > bigRecord {
		idx := a.newSlab(sz)
		a.slabs[idx] = a.slabs[idx][:sz]
		putRecord(a.slabs[idx], member, score)
		return uint32(idx) << refOffBits
	}
	if a.active < 0 || len(a.slabs[a.active])+sz > slabSize {
		a.seal()
		a.active = a.newSlab(firstSlab)
	}
	s := a.slabs[a.active]
	off := len(s)
	if off+sz > cap(s) {
		c := min(slabSize, max(2*cap(s), off+sz))
		ns := make([]byte, off, c)
		copy(ns, s)
		a.used += c - cap(s)
		s = ns
	}
	s = s[:off+sz]
	putRecord(s[off:], member, score)
	a.slabs[a.active] = s
	return uint32(a.active)<<refOffBits | uint32(off>>3)
}

// seal retires the active slab.
func (a *arena) seal() {
	s := a.active
	if s < 0 {
		return
	}
	a.active = -1
	switch n := uint32(len(a.slabs[s])); {
	case a.dead[s] >= n:
		a.release(s)
	case a.dead[s]*2 > n:
		a.pending = append(a.pending, uint32(s))
	}
}

func (a *arena) release(s int) {
	a.used -= cap(a.slabs[s])
	a.slabs[s] = nil
	a.dead[s] = 0
	a.free = append(a.free, uint32(s))
}

// kill marks the record at ref dead.
func (a *arena) kill(ref uint32) {
	s, off := a.at(ref)
	sz := uint32(recSize(len(a.member(ref))))
	binary.LittleEndian.PutUint64(s[off:], deadPattern)
	i := int(ref >> refOffBits)
	before := a.dead[i]
	a.dead[i] += sz
	n := uint32(len(s))
	switch {
	case i == a.active:
		if a.dead[i] >= n { // everything appended so far is dead: start over
			a.slabs[i] = s[:0]
			a.dead[i] = 0
		}
	case a.dead[i] >= n:
		a.release(i)
	case a.dead[i]*2 > n && before*2 <= n:
		a.pending = append(a.pending, uint32(i))
	}
}

// takePending pops a slab that still needs compacting, or returns -1.
func (a *arena) takePending() int {
	for len(a.pending) > 0 {
		s := int(a.pending[len(a.pending)-1])
		a.pending = a.pending[:len(a.pending)-1]
		if s != a.active && a.slabs[s] != nil && a.dead[s]*2 > uint32(len(a.slabs[s])) {
			return s
		}
	}
	return -1
}

// records calls fn for every live record of slab s, in slab order.
func (a *arena) liveRefs(s int, fn func(ref uint32)) {
	slab := a.slabs[s]
	for off := 0; off < len(slab); {
		ref := uint32(s)<<refOffBits | uint32(off>>3)
		m := a.member(ref)
		if math.Float64bits(a.score(ref)) != deadPattern {
			fn(ref)
		}
		off += recSize(len(m))
	}
}
