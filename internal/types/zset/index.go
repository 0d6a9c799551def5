package zset

import (
	"bytes"
	"math/bits"
)

// The member index of a large set is an open-addressing hash table with
// linear probing over arena refs: slots[i] holds ref+1 (0 = empty) and
// tags[i] the top 8 bits of the member's hash, so a probe only touches the
// arena when the tag matches. Deletion shifts entries back instead of leaving
// tombstones, which keeps the invariant that an entry sits in the run of
// occupied slots starting at its home slot (hash & mask). That invariant is
// what lets Scan enumerate by home slot ("bucket") and give Redis's SCAN
// guarantee with the reverse-binary cursor of dict.c: the table size is a
// power of two and a bucket is exactly the set of members whose low hash bits
// equal it, as in Redis's chained dict.

const minSlots = 8

func (l *large) hash(member []byte) uint64 {
	return hashBytes(l.seed, member)
}

func (l *large) home(ref uint32) uint64 {
	return l.hash(l.ar.member(ref)) & uint64(len(l.slots)-1)
}

// lookup returns the slot holding member, or -1.
func (l *large) lookup(member []byte, h uint64) int {
	mask := uint64(len(l.slots) - 1)
	tag := uint8(h >> 56)
	for i := h & mask; ; i = (i + 1) & mask {
		v := l.slots[i]
		if v == 0 {
			return -1
		}
		if l.tags[i] == tag && bytes.Equal(l.ar.member(v-1), member) {
			return int(i)
		}
	}
}

// slotOf returns the slot holding ref, whose member hashes to h.
func (l *large) slotOf(ref uint32, h uint64) int {
	mask := uint64(len(l.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch l.slots[i] {
		case ref + 1:
			return int(i)
		case 0:
			panic("BUG: zset: member missing from index")
		}
	}
}

func (l *large) idxPut(ref uint32, h uint64) {
	mask := uint64(len(l.slots) - 1)
	i := h & mask
	for l.slots[i] != 0 {
		i = (i + 1) & mask
	}
	l.slots[i] = ref + 1
	l.tags[i] = uint8(h >> 56)
}

// idxInsert adds ref, growing the table past a load of 3/4.
func (l *large) idxInsert(ref uint32, h uint64) {
	if (l.count+1)*4 > len(l.slots)*3 {
		l.resize(len(l.slots) * 2)
	}
	l.idxPut(ref, h)
	l.count++
}

// idxDelete empties slot i and shifts the rest of its run back.
func (l *large) idxDelete(i int) {
	mask := len(l.slots) - 1
	j := i
	for {
		j = (j + 1) & mask
		v := l.slots[j]
		if v == 0 {
			break
		}
		k := int(l.home(v - 1))
		// The entry at j may move to i unless its home lies cyclically in (i, j].
		if i <= j {
			if i < k && k <= j {
				continue
			}
		} else if i < k || k <= j {
			continue
		}
		l.slots[i], l.tags[i] = v, l.tags[j]
		i = j
	}
	l.slots[i], l.tags[i] = 0, 0
	l.count--
}

func (l *large) resize(n int) {
	old := l.slots
	l.slots = make([]uint32, n)
	l.tags = make([]uint8, n)
	for _, v := range old {
		if v != 0 {
			l.idxPut(v-1, l.hash(l.ar.member(v-1)))
		}
	}
}

// maybeShrink halves the table (or more) when it is less than 1/8 full.
func (l *large) maybeShrink() {
	if len(l.slots) <= minSlots || l.count*8 >= len(l.slots) {
		return
	}
	n := minSlots
	for n < l.count*2 {
		n <<= 1
	}
	l.resize(n)
}

// scanBucket emits the members whose home slot is cursor&mask and returns the
// next cursor, as dictScan does for a table that is not rehashing.
func (l *large) scanBucket(cursor uint64, fn func(member []byte, score float64)) uint64 {
	mask := uint64(len(l.slots) - 1)
	b := cursor & mask
	for i := b; l.slots[i] != 0; i = (i + 1) & mask {
		ref := l.slots[i] - 1
		m := l.ar.member(ref)
		if l.hash(m)&mask == b {
			fn(m, l.ar.score(ref))
		}
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}
