package set

import (
	"encoding/binary"
	"math"
)

// The intset encoding (after Redis's src/intset.c): sorted, distinct
// integers packed little-endian at the smallest width, 2, 4 or 8 bytes, that
// holds them all. Adding a wider integer rewrites the set at the new width;
// removing one never narrows it, as in Redis.
//
//	+-----------+---------+---------+-----
//	| width (1) | int (w) | int (w) | ...
//	+-----------+---------+---------+-----
//
// An empty intset is a nil slice.

// widthFor returns the intset width needed for v.
func widthFor(v int64) int {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

func isWidth(is []byte) int {
	if len(is) == 0 {
		return 2
	}
	return int(is[0])
}

func isLen(is []byte) int {
	if len(is) == 0 {
		return 0
	}
	return (len(is) - 1) / int(is[0])
}

func isGetW(is []byte, w, i int) int64 {
	p := 1 + i*w
	switch w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(is[p:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(is[p:])))
	}
	return int64(binary.LittleEndian.Uint64(is[p:]))
}

func isGet(is []byte, i int) int64 { return isGetW(is, int(is[0]), i) }

func isPut(is []byte, w, i int, v int64) {
	p := 1 + i*w
	switch w {
	case 2:
		binary.LittleEndian.PutUint16(is[p:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(is[p:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(is[p:], uint64(v))
	}
}

// isSearch returns the position of v, or where it would be inserted.
func isSearch(is []byte, v int64) (pos int, found bool) {
	n := isLen(is)
	if n == 0 || widthFor(v) > isWidth(is) {
		if n > 0 && v > 0 {
			return n, false
		}
		return 0, false
	}
	w := int(is[0])
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		x := isGetW(is, w, mid)
		switch {
		case x == v:
			return mid, true
		case x < v:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
}

// isAdd adds v and reports whether it was absent.
func isAdd(is []byte, v int64) ([]byte, bool) {
	n := isLen(is)
	w := isWidth(is)
	if nw := widthFor(v); nw > w {
		// Upgrade: v is below or above every current member.
		out := make([]byte, 1+(n+1)*nw, 1+(n+1)*nw+(n+1)*nw/4)
		out[0] = byte(nw)
		off := 0
		if v < 0 {
			isPut(out, nw, 0, v)
			off = 1
		} else {
			isPut(out, nw, n, v)
		}
		for i := range n {
			isPut(out, nw, i+off, isGetW(is, w, i))
		}
		return out, true
	}
	pos, found := isSearch(is, v)
	if found {
		return is, false
	}
	if is == nil {
		is = make([]byte, 1, 1+4*w)
		is[0] = byte(w)
	}
	size := len(is) + w
	if size > cap(is) {
		grown := make([]byte, len(is), size+size/4)
		copy(grown, is)
		is = grown
	}
	is = is[:size]
	copy(is[1+(pos+1)*w:], is[1+pos*w:size-w])
	isPut(is, w, pos, v)
	return is, true
}

// isRemove removes v and reports whether it was present.
func isRemove(is []byte, v int64) ([]byte, bool) {
	pos, found := isSearch(is, v)
	if !found {
		return is, false
	}
	if isLen(is) == 1 {
		return nil, true
	}
	w := int(is[0])
	is = append(is[:1+pos*w], is[1+(pos+1)*w:]...)
	if cap(is) > 2*len(is)+64 {
		is = append(make([]byte, 0, len(is)), is...)
	}
	return is, true
}

// parseInt parses b as Redis's string2ll (src/util.c) does: an optional
// '-', no leading zeros, no '+' or spaces, in the int64 range. Only strings
// it accepts can live in an intset, since their text round-trips.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
