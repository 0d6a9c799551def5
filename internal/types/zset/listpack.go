package zset

import (
	"bytes"
	"encoding/binary"
	"math"
)

// The small encoding ("listpack") is one byte slice holding the entries in
// order (score, then member bytes). It plays the role of Redis's listpack with
// member/score pairs but is not byte-compatible with it; an RDB writer
// re-encodes. Each entry:
//
//	+-------------+--------------+----------------+-----------------+
//	| uvarint len | member bytes | score float64  | backward varint |
//	|  1..5 bytes |   len bytes  | 8 bytes, LE    |  len again      |
//	+-------------+--------------+----------------+-----------------+
//
// The trailing copy of len is a varint written back to front (its last byte
// holds the lowest 7 bits, a set high bit means "more bytes before"), so the
// slice can be walked in both directions like a listpack's backlen. The number
// of entries lives in ZSet.lpLen. Every operation is a linear scan; the size is
// bounded by zset-max-listpack-entries.

// lpSafetySize mirrors LISTPACK_MAX_SAFETY_SIZE: a listpack is never grown past
// 1 GiB; a bigger set converts to the large encoding instead (lpSafeToAdd).
const lpSafetySize = 1 << 30

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// lpEntrySize is the encoded size of an entry whose member has mlen bytes.
func lpEntrySize(mlen int) int {
	return 2*uvarintLen(uint64(mlen)) + mlen + 8
}

// lpPut writes one entry into dst, which must be exactly lpEntrySize long.
// A -0 score is stored as 0: Redis's listpack keeps an integral score as an
// integer (zzlInsertAt, double2ll), which loses the sign of zero, so ZSCORE
// of a listpack member added with -0 replies "0".
func lpPut(dst, member []byte, score float64) {
	if score == 0 {
		score = 0
	}
	k := binary.PutUvarint(dst, uint64(len(member)))
	k += copy(dst[k:], member)
	binary.LittleEndian.PutUint64(dst[k:], math.Float64bits(score))
	k += 8
	putBackVarint(dst[k:], uint64(len(member)))
}

// putBackVarint writes v into dst (exactly uvarintLen(v) bytes) so that it can
// be decoded starting from the last byte.
func putBackVarint(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		b := byte(v & 0x7f)
		v >>= 7
		if i > 0 {
			b |= 0x80
		}
		dst[i] = b
	}
}

// lpRead decodes the entry starting at off and returns the offset of the next.
func lpRead(lp []byte, off int) (member []byte, score float64, next int) {
	var mlen uint64
	var k int
	if b := lp[off]; b < 0x80 {
		mlen, k = uint64(b), 1
	} else {
		mlen, k = binary.Uvarint(lp[off:])
		if k <= 0 {
			panic("BUG: zset: corrupt listpack entry")
		}
	}
	p := off + k
	end := p + int(mlen)
	member = lp[p:end:end]
	score = math.Float64frombits(binary.LittleEndian.Uint64(lp[end:]))
	return member, score, end + 8 + k
}

// lpPrev returns the start offset of the entry that ends at end.
func lpPrev(lp []byte, end int) int {
	var v uint64
	shift := 0
	p := end - 1
	for {
		b := lp[p]
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			break
		}
		p--
		shift += 7
	}
	k := end - p
	return p - 8 - int(v) - k
}

// lpFind returns the offset, size and index of member's entry.
func (z *ZSet) lpFind(member []byte) (off, size, idx int, score float64, ok bool) {
	for off < len(z.lp) {
		m, s, next := lpRead(z.lp, off)
		if bytes.Equal(m, member) {
			return off, next - off, idx, s, true
		}
		off = next
		idx++
	}
	return 0, 0, 0, 0, false
}

// lpInsert inserts a member that is not present, keeping the order
// (zzlInsert: before the first entry with a greater score, ties by member).
func (z *ZSet) lpInsert(member []byte, score float64) {
	off := 0
	for off < len(z.lp) {
		m, s, next := lpRead(z.lp, off)
		if s > score || (s == score && bytes.Compare(m, member) > 0) {
			break
		}
		off = next
	}
	sz := lpEntrySize(len(member))
	n := len(z.lp)
	z.lp = append(z.lp, make([]byte, sz)...)
	copy(z.lp[off+sz:], z.lp[off:n])
	lpPut(z.lp[off:off+sz], member, score)
	z.lpLen++
}

// lpDelete removes the entry at [off, off+size).
func (z *ZSet) lpDelete(off, size int) {
	n := copy(z.lp[off:], z.lp[off+size:])
	z.lp = z.lp[:off+n]
	z.lpLen--
}

// lpOffset returns the start offset of the entry with index idx (which may be
// lpLen, giving len(lp)). It walks from whichever end is nearer.
func (z *ZSet) lpOffset(idx int) int {
	if idx >= z.lpLen {
		return len(z.lp)
	}
	if idx <= z.lpLen/2 {
		off := 0
		for ; idx > 0; idx-- {
			_, _, off = lpRead(z.lp, off)
		}
		return off
	}
	off := len(z.lp)
	for i := z.lpLen; i > idx; i-- {
		off = lpPrev(z.lp, off)
	}
	return off
}

// lpCountWhile returns the index of the first entry for which keep is false
// (entries are visited from the head, like zzlFirstInRange).
func (z *ZSet) lpCountWhile(keep func(member []byte, score float64) bool) int {
	off, n := 0, 0
	for off < len(z.lp) {
		m, s, next := lpRead(z.lp, off)
		if !keep(m, s) {
			break
		}
		off = next
		n++
	}
	return n
}

// lpDeleteRange removes count entries starting at index start.
func (z *ZSet) lpDeleteRange(start, count int) {
	from := z.lpOffset(start)
	to := from
	for i := 0; i < count; i++ {
		_, _, to = lpRead(z.lp, to)
	}
	n := copy(z.lp[from:], z.lp[to:])
	z.lp = z.lp[:from+n]
	z.lpLen -= count
}
