package hash

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// The listpack encoding: a count and then field/value pairs in insertion
// order, each string prefixed by its uvarint length.
//
//	+----------------+------------+-------+------------+-------+-----
//	| count (u32 LE) | uvarint(n) | field | uvarint(n) | value | ...
//	+----------------+------------+-------+------------+-------+-----
//
// It is not Redis's byte format (no per-entry back length, no integer
// encodings): only the contents and their order match Redis's listpack, so
// HGETALL order is Redis's. An empty hash is a nil slice.

const lpHeader = 4

// maxListpackBytes mirrors Redis's LISTPACK_MAX_SAFETY_SIZE (src/listpack.c):
// past it a hash converts to a hashtable whatever its limits say.
const maxListpackBytes = 1 << 30

func lpCount(lp []byte) int {
	if len(lp) < lpHeader {
		return 0
	}
	return int(binary.LittleEndian.Uint32(lp))
}

func lpSetCount(lp []byte, n int) {
	binary.LittleEndian.PutUint32(lp, uint32(n))
}

// lpLen reads the uvarint length at lp[p:] and returns it and the offset
// after it.
func lpLen(lp []byte, p int) (n, next int) {
	if c := lp[p]; c < 0x80 {
		return int(c), p + 1
	}
	return lpLenSlow(lp, p)
}

func lpLenSlow(lp []byte, p int) (n, next int) {
	v, k := binary.Uvarint(lp[p:])
	if k <= 0 {
		panic("BUG: hash listpack corrupt")
	}
	return int(v), p + k
}

// lpString reads the length-prefixed string at lp[p:] and returns it and the
// offset after it.
func lpString(lp []byte, p int) (s []byte, next int) {
	n, p := lpLen(lp, p)
	end := p + n
	return lp[p:end:end], end
}

// lpPair reads the pair at lp[p:]: field, value, where the value's length
// prefix starts, and the offset of the next pair.
func lpPair(lp []byte, p int) (field, value []byte, vhdr, next int) {
	field, vhdr = lpString(lp, p)
	value, next = lpString(lp, vhdr)
	return field, value, vhdr, next
}

// lpFind returns the offset of the pair whose field is field, or -1.
func lpFind(lp []byte, field []byte) int {
	for p := lpHeader; p < len(lp); {
		// lpLen, inlined by hand: this loop is HGET on a listpack.
		n, q := int(lp[p]), p+1
		if n >= 0x80 {
			n, q = lpLenSlow(lp, p)
		}
		if n == len(field) && bytes.Equal(lp[q:q+n], field) {
			return p
		}
		q += n
		n, q = int(lp[q]), q+1
		if n >= 0x80 {
			n, q = lpLenSlow(lp, q-1)
		}
		p = q + n
	}
	return -1
}

// lpSplice replaces lp[i:j] with a length-prefixed s, growing or shrinking
// lp in place when it can.
func lpSplice(lp []byte, i, j int, s []byte) []byte {
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(s)))
	repl := h + len(s)
	newLen := len(lp) - (j - i) + repl
	if newLen > cap(lp) {
		grown := lpAlloc(newLen + newLen/4)[:newLen]
		copy(grown, lp[:i])
		copy(grown[i+repl:], lp[j:])
		lp = grown
	} else {
		old := len(lp)
		lp = lp[:max(old, newLen)]
		copy(lp[i+repl:], lp[j:old])
		lp = lp[:newLen]
	}
	copy(lp[i:], hdr[:h])
	copy(lp[i+h:], s)
	return lp
}

// lpAppend appends the pair field, value.
func lpAppend(lp []byte, field, value []byte) []byte {
	need := uvarintLen(len(field)) + len(field) + uvarintLen(len(value)) + len(value)
	if lp == nil {
		lp = lpAlloc(lpHeader + need)[:lpHeader]
	} else if len(lp)+need > cap(lp) {
		n := len(lp) + need
		grown := lpAlloc(n + n/4)[:len(lp)]
		copy(grown, lp)
		lp = grown
	}
	lp = binary.AppendUvarint(lp, uint64(len(field)))
	lp = append(lp, field...)
	lp = binary.AppendUvarint(lp, uint64(len(value)))
	lp = append(lp, value...)
	lpSetCount(lp, lpCount(lp)+1)
	return lp
}

// lpAlloc returns a zeroed array of at least n bytes whose capacity is the
// whole size class the allocator rounds n up to (append's rounding), so the
// rounding is room for growth rather than waste. Over many shapes this
// ends with less slack and fewer reallocations (less garbage, which the
// collector's headroom turns into RSS) than asking for exactly n.
func lpAlloc(n int) []byte {
	return slices.Grow([]byte(nil), n)[:0]
}

// lpDelete removes the pair at lp[p:next].
func lpDelete(lp []byte, p, next int) []byte {
	n := lpCount(lp) - 1
	if n == 0 {
		return nil
	}
	lp = append(lp[:p], lp[next:]...)
	lpSetCount(lp, n)
	if cap(lp) > 2*len(lp)+64 {
		lp = append(make([]byte, 0, len(lp)), lp...)
	}
	return lp
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}
