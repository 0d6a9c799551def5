package rdb

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// Version is the RDB version this package writes (Redis 7.0's RDB_VERSION).
const Version = 10

// Value type bytes (RDB_TYPE_* in src/rdb.h).
const (
	TypeString          = 0
	TypeList            = 1
	TypeSet             = 2
	TypeZSet            = 3
	TypeHash            = 4
	TypeZSet2           = 5
	TypeModule          = 6
	TypeModule2         = 7
	TypeHashZipmap      = 9
	TypeListZiplist     = 10
	TypeSetIntset       = 11
	TypeZSetZiplist     = 12
	TypeHashZiplist     = 13
	TypeListQuicklist   = 14
	TypeStreamListpacks = 15
	TypeHashListpack    = 16
	TypeZSetListpack    = 17
	TypeListQuicklist2  = 18
	TypeStreamListpack2 = 19
)

// Opcodes of FUNCTION payloads (RDB_OPCODE_FUNCTION2, and the pre-GA
// RDB_OPCODE_FUNCTION of 7.0 release candidates).
const (
	OpFunction2 = 245
	OpFunction  = 246
)

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
const (
	containerPlain  = 1
	containerPacked = 2
)

// ErrUnsupportedType is returned for keys whose type this package cannot
// serialize (streams).
var ErrUnsupportedType = errors.New("unsupported value type")

// AppendLen appends n in the RDB length encoding.
func AppendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		dst = append(dst, 0x80)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	dst = append(dst, 0x81)
	return binary.BigEndian.AppendUint64(dst, n)
}

// appendIntEncoded appends x as an int-encoded string when it fits in 32
// bits (rdbEncodeInteger); ok is false otherwise.
func appendIntEncoded(dst []byte, x int64) ([]byte, bool) {
	switch {
	case x >= math.MinInt8 && x <= math.MaxInt8:
		return append(dst, 0xC0, byte(x)), true
	case x >= math.MinInt16 && x <= math.MaxInt16:
		return append(dst, 0xC1, byte(x), byte(x>>8)), true
	case x >= math.MinInt32 && x <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(dst, 0xC2), uint32(x)), true
	}
	return dst, false
}

// Encoder serializes values. Its zero value compresses strings longer
// than 20 bytes with LZF as Redis does with rdbcompression yes (the
// default); it keeps the compressor's table between calls, so reusing one
// Encoder saves allocations. An Encoder is not safe for concurrent use.
type Encoder struct {
	NoCompression bool // rdbcompression no
	lz            lzfState
	scratch       []byte
}

// AppendString appends s with a new Encoder (see Encoder.AppendString).
func AppendString(dst, s []byte) []byte {
	var w Encoder
	return w.AppendString(dst, s)
}

// AppendString appends s as Redis's rdbSaveRawString does: int-encoded
// when it is a short canonical integer that fits in 32 bits, LZF-encoded
// when longer than 20 bytes and compression saves at least 4 bytes,
// otherwise length-prefixed.
func (w *Encoder) AppendString(dst, s []byte) []byte {
	if len(s) <= 11 {
		if x, ok := resp.ParseInt(s); ok {
			if out, ok := appendIntEncoded(dst, x); ok {
				return out
			}
		}
	}
	if !w.NoCompression && len(s) > 20 {
		start := len(dst)
		c, ok := w.lz.compress(dst, s, len(s)-4)
		if ok {
			// Move the compressed bytes behind the 0xC3 header.
			clen := len(c) - start
			var hdr [19]byte
			h := append(hdr[:0], 0xC3)
			h = AppendLen(h, uint64(clen))
			h = AppendLen(h, uint64(len(s)))
			c = append(c, h...)
			copy(c[start+len(h):], c[start:start+clen])
			copy(c[start:], h)
			return c
		}
		dst = c
	}
	dst = AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendInt appends x as a string object (rdbSaveLongLongAsStringObject).
func AppendInt(dst []byte, x int64) []byte {
	if out, ok := appendIntEncoded(dst, x); ok {
		return out
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], x, 10)
	dst = AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// double2ll is Redis's double2ll: the integer equal to d, when there is one
// that can be printed without precision loss.
func double2ll(d float64) (int64, bool) {
	const lim = float64(math.MaxInt64 / 2)
	if !(d >= -lim && d <= lim) {
		return 0, false
	}
	x := int64(d)
	return x, float64(x) == d
}

// appendScoreString appends Redis's d2string form of a score (the form a
// listpack sorted set stores when the score is not integral).
func appendScoreString(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// AppendValue appends the type byte and serialized value of e (rdbSaveObjectType
// + rdbSaveObject), choosing the encodings Redis 7.0 writes.
func AppendValue(dst []byte, e keyspace.Entry) ([]byte, error) {
	var w Encoder
	return w.AppendValue(dst, e)
}

// AppendValue is the package's AppendValue with w's settings.
func (w *Encoder) AppendValue(dst []byte, e keyspace.Entry) ([]byte, error) {
	switch e.Type {
	case keyspace.TypeString:
		dst = append(dst, TypeString)
		if e.Enc == keyspace.EncInt {
			return AppendInt(dst, e.Int), nil
		}
		return w.AppendString(dst, e.Str), nil
	case keyspace.TypeList:
		l, ok := e.Obj.(*list.List)
		if !ok {
			panic("BUG: rdb: list entry without *list.List")
		}
		return w.appendList(dst, l), nil
	case keyspace.TypeSet:
		s, ok := e.Obj.(*set.Set)
		if !ok {
			panic("BUG: rdb: set entry without *set.Set")
		}
		return w.appendSet(dst, s), nil
	case keyspace.TypeHash:
		h, ok := e.Obj.(*hash.Hash)
		if !ok {
			panic("BUG: rdb: hash entry without *hash.Hash")
		}
		return w.appendHash(dst, h), nil
	case keyspace.TypeZSet:
		z, ok := e.Obj.(*zset.ZSet)
		if !ok {
			panic("BUG: rdb: zset entry without *zset.ZSet")
		}
		return w.appendZSet(dst, z), nil
	}
	return dst, ErrUnsupportedType
}

// appendBlobAt moves the blob built at dst[start:] into the scratch
// buffer and appends it back as a string (compressed if it pays).
func (w *Encoder) appendBlobAt(dst []byte, start int) []byte {
	w.scratch = append(w.scratch[:0], dst[start:]...)
	return w.AppendString(dst[:start], w.scratch)
}

func (w *Encoder) appendList(dst []byte, l *list.List) []byte {
	dst = append(dst, TypeListQuicklist2)
	nodes := 0
	l.Nodes(func(n list.Node) bool {
		if n.Len() > 0 {
			nodes++
		}
		return true
	})
	dst = AppendLen(dst, uint64(nodes))
	var buf []byte
	l.Nodes(func(n list.Node) bool {
		if n.Len() == 0 {
			return true
		}
		dst = AppendLen(dst, containerPacked)
		start := len(dst)
		dst = lpNew(dst)
		n.Range(func(e list.Entry) bool {
			if e.IsInt {
				dst = lpAppendInt(dst, e.Int)
			} else {
				buf = e.Append(buf[:0])
				dst = lpAppendString(dst, buf)
			}
			return true
		})
		dst = lpFinish(dst, start, n.Len())
		dst = w.appendBlobAt(dst, start)
		return true
	})
	return dst
}

func (w *Encoder) appendSet(dst []byte, s *set.Set) []byte {
	if s.Encoding() == set.EncodingIntset {
		vs := make([]int64, 0, s.Len())
		s.Range(func(m []byte) bool {
			x, ok := resp.ParseInt(m)
			if !ok {
				panic("BUG: rdb: non-integer member in an intset")
			}
			vs = append(vs, x)
			return true
		})
		slices.Sort(vs)
		dst = append(dst, TypeSetIntset)
		start := len(dst)
		dst = appendIntset(dst, vs)
		return w.appendBlobAt(dst, start)
	}
	dst = append(dst, TypeSet)
	dst = AppendLen(dst, uint64(s.Len()))
	s.Range(func(m []byte) bool {
		dst = w.AppendString(dst, m)
		return true
	})
	return dst
}

func (w *Encoder) appendHash(dst []byte, h *hash.Hash) []byte {
	if h.Encoding() == hash.EncodingListpack {
		dst = append(dst, TypeHashListpack)
		start := len(dst)
		dst = lpNew(dst)
		h.Range(func(f, v []byte) bool {
			dst = lpAppendString(dst, f)
			dst = lpAppendString(dst, v)
			return true
		})
		dst = lpFinish(dst, start, 2*h.Len())
		return w.appendBlobAt(dst, start)
	}
	dst = append(dst, TypeHash)
	dst = AppendLen(dst, uint64(h.Len()))
	h.Range(func(f, v []byte) bool {
		dst = w.AppendString(dst, f)
		dst = w.AppendString(dst, v)
		return true
	})
	return dst
}

func (w *Encoder) appendZSet(dst []byte, z *zset.ZSet) []byte {
	if z.Encoding() == zset.EncodingListpack {
		dst = append(dst, TypeZSetListpack)
		start := len(dst)
		dst = lpNew(dst)
		var buf []byte
		it := z.All()
		for {
			m, sc, ok := it.Next()
			if !ok {
				break
			}
			dst = lpAppendString(dst, m)
			if x, ok := double2ll(sc); ok {
				dst = lpAppendInt(dst, x)
			} else {
				buf = appendScoreString(buf[:0], sc)
				dst = lpAppendString(dst, buf)
			}
		}
		dst = lpFinish(dst, start, 2*z.Len())
		return w.appendBlobAt(dst, start)
	}
	// Redis saves a skiplist from the greatest element to the smallest,
	// so that loading inserts at the head.
	dst = append(dst, TypeZSet2)
	dst = AppendLen(dst, uint64(z.Len()))
	it := z.RangeByRank(0, z.Len()-1, true)
	for {
		m, sc, ok := it.Next()
		if !ok {
			break
		}
		dst = w.AppendString(dst, m)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(sc))
	}
	return dst
}

// AppendFooter appends the DUMP payload footer to the payload that
// starts at dst[start:]: the RDB version and the CRC64 of everything
// from start on.
func AppendFooter(dst []byte, start int) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, Version)
	crc := CRC64(0, dst[start:])
	return binary.LittleEndian.AppendUint64(dst, crc)
}

// AppendDump appends the DUMP payload of e (createDumpPayload).
func AppendDump(dst []byte, e keyspace.Entry) ([]byte, error) {
	var w Encoder
	return w.AppendDump(dst, e)
}

// AppendDump is the package's AppendDump with w's settings.
func (w *Encoder) AppendDump(dst []byte, e keyspace.Entry) ([]byte, error) {
	start := len(dst)
	dst, err := w.AppendValue(dst, e)
	if err != nil {
		return dst[:start], err
	}
	return AppendFooter(dst, start), nil
}

// AppendFunctions appends the FUNCTION DUMP payload of libraries with the
// given codes (rdbSaveFunctions + footer).
func AppendFunctions(dst []byte, codes [][]byte) []byte {
	var w Encoder
	start := len(dst)
	for _, c := range codes {
		dst = append(dst, OpFunction2)
		dst = w.AppendString(dst, c)
	}
	return AppendFooter(dst, start)
}
