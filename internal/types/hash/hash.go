// Package hash is the value type behind Redis hash keys (src/t_hash.c).
//
// A hash starts in the compact "listpack" encoding (see listpack.go): one
// byte slice, fields in insertion order, linear lookups. It converts for good
// to the "hashtable" encoding (a bytesmap) when it gets more than
// hash-max-listpack-entries fields or a field or value longer than
// hash-max-listpack-value bytes, exactly when Redis 7.0 does; like Redis it
// never converts back.
//
// Slices a Hash returns alias its memory: they must not be modified and are
// valid until the next change to the hash. A Hash is not safe for concurrent
// use; callers hold their shard lock.
package hash

import (
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/internal/types/bytesmap"
)

// Redis 7.0's defaults for the conversion limits (src/config.c; the
// compiled-in default for hash-max-listpack-entries is 512, not 128).
const (
	DefaultMaxListpackEntries = 512
	DefaultMaxListpackValue   = 64
)

// Encoding names, as OBJECT ENCODING reports them.
const (
	EncodingListpack  = "listpack"
	EncodingHashtable = "hashtable"
)

// Limits are the configured conversion thresholds.
type Limits struct {
	MaxListpackEntries int // hash-max-listpack-entries
	MaxListpackValue   int // hash-max-listpack-value
}

// DefaultLimits returns Redis's default limits.
func DefaultLimits() Limits {
	return Limits{MaxListpackEntries: DefaultMaxListpackEntries, MaxListpackValue: DefaultMaxListpackValue}
}

// Hash is a Redis hash. The zero value is an empty listpack hash.
type Hash struct {
	// p is the first byte of the listpack encoding when lpCap > 0, the
	// *bytesmap.Map of the hashtable encoding when lpCap == 0 and p is not
	// nil, and nil for an empty hash. Packing both encodings into one
	// pointer and two uint32s keeps a Hash at 16 bytes (a small hash's
	// struct is a sizeable part of it).
	p            unsafe.Pointer
	lpLen, lpCap uint32
}

// listpack returns the listpack encoding, nil when empty or a hashtable.
func (h *Hash) listpack() []byte {
	if h.lpCap == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(h.p), h.lpCap)[:h.lpLen]
}

// setListpack makes lp the hash's listpack encoding (nil: empty).
func (h *Hash) setListpack(lp []byte) {
	if cap(lp) == 0 {
		h.p, h.lpLen, h.lpCap = nil, 0, 0
		return
	}
	if cap(lp) > math.MaxUint32 {
		panic("BUG: hash listpack over 4 GiB")
	}
	h.p, h.lpLen, h.lpCap = unsafe.Pointer(unsafe.SliceData(lp)), uint32(len(lp)), uint32(cap(lp))
}

// table returns the hashtable encoding, nil while a listpack.
func (h *Hash) table() *bytesmap.Map {
	if h.lpCap != 0 {
		return nil
	}
	return (*bytesmap.Map)(h.p)
}

// setTable makes ht the hash's encoding.
func (h *Hash) setTable(ht *bytesmap.Map) {
	h.p, h.lpLen, h.lpCap = unsafe.Pointer(ht), 0, 0
}

// Encoding returns the OBJECT ENCODING name: "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if h.table() != nil {
		return EncodingHashtable
	}
	return EncodingListpack
}

// Len returns the number of fields (HLEN).
func (h *Hash) Len() int {
	if ht := h.table(); ht != nil {
		return ht.Len()
	}
	return lpCount(h.listpack())
}

// Get returns the value of field (HGET).
func (h *Hash) Get(field []byte) (value []byte, ok bool) {
	if ht := h.table(); ht != nil {
		return ht.Get(field)
	}
	lp := h.listpack()
	p := lpFind(lp, field)
	if p < 0 {
		return nil, false
	}
	_, value, _, _ = lpPair(lp, p)
	return value, true
}

// Exists reports whether field is present (HEXISTS).
func (h *Hash) Exists(field []byte) bool {
	if ht := h.table(); ht != nil {
		return ht.Has(field)
	}
	return lpFind(h.listpack(), field) >= 0
}

// StrLen returns the length of field's value, 0 if absent (HSTRLEN).
func (h *Hash) StrLen(field []byte) int {
	v, _ := h.Get(field)
	return len(v)
}

// Set sets field to value and reports whether the field is new (HSET; see
// hashTypeSet and hashTypeTryConversion in src/t_hash.c for the conversion
// rules).
func (h *Hash) Set(field, value []byte, lim Limits) (added bool) {
	if h.table() == nil {
		h.convertIfLong(field, value, lim)
	}
	if ht := h.table(); ht != nil {
		return ht.Set(field, value)
	}
	lp := h.listpack()
	if p := lpFind(lp, field); p >= 0 {
		_, old, vhdr, next := lpPair(lp, p)
		if len(old) == len(value) {
			copy(old, value)
		} else {
			h.setListpack(lpSplice(lp, vhdr, next, value))
		}
		return false
	}
	lp = lpAppend(lp, field, value)
	h.setListpack(lp)
	if lpCount(lp) > lim.MaxListpackEntries {
		h.Convert()
	}
	return true
}

// SetNX sets field to value unless it is present, and reports whether it did
// (HSETNX).
func (h *Hash) SetNX(field, value []byte, lim Limits) (added bool) {
	if h.Exists(field) {
		return false
	}
	return h.Set(field, value, lim)
}

// convertIfLong converts a listpack that field and value may not go into.
func (h *Hash) convertIfLong(field, value []byte, lim Limits) {
	if len(field) > lim.MaxListpackValue || len(value) > lim.MaxListpackValue ||
		len(h.listpack())+len(field)+len(value) > maxListpackBytes {
		h.Convert()
	}
}

// Delete removes field and reports whether it was present (HDEL). The
// caller deletes the key when the hash becomes empty.
func (h *Hash) Delete(field []byte) bool {
	if ht := h.table(); ht != nil {
		return ht.Delete(field)
	}
	lp := h.listpack()
	p := lpFind(lp, field)
	if p < 0 {
		return false
	}
	_, _, _, next := lpPair(lp, p)
	h.setListpack(lpDelete(lp, p, next))
	return true
}

// Convert switches a listpack hash to the hashtable encoding; it does
// nothing to a hashtable. Redis never converts back.
func (h *Hash) Convert() {
	if h.table() != nil {
		return
	}
	lp := h.listpack()
	n := lpCount(lp)
	ht := bytesmap.New(true, n)
	for p := lpHeader; p < len(lp); {
		f, v, _, next := lpPair(lp, p)
		if !ht.Set(f, v) {
			panic("BUG: hash listpack has a duplicate field")
		}
		p = next
	}
	h.setTable(ht)
}

// Range calls fn for every field and value until fn returns false, and
// reports whether it got to the end (HGETALL, HKEYS, HVALS, RDB). A listpack
// is visited in insertion order. fn must not change h.
func (h *Hash) Range(fn func(field, value []byte) bool) bool {
	if ht := h.table(); ht != nil {
		return ht.Range(fn)
	}
	lp := h.listpack()
	for p := lpHeader; p < len(lp); {
		f, v, _, next := lpPair(lp, p)
		if !fn(f, v) {
			return false
		}
		p = next
	}
	return true
}

// Scan calls fn for the next few fields of a HSCAN from cursor and returns
// the next cursor, 0 at the end. A listpack returns everything at once with
// cursor 0, as Redis does (scanGenericCommand in src/db.c); a hashtable
// returns one bucket per call with Redis's guarantee that a field present
// for the whole scan is returned at least once. The command layer calls Scan
// until it has COUNT fields or 10*COUNT calls, as Redis does. fn must not
// change h.
func (h *Hash) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	if ht := h.table(); ht != nil {
		return ht.Scan(cursor, fn)
	}
	h.Range(func(f, v []byte) bool {
		fn(f, v)
		return true
	})
	return 0
}

// RandomField returns a field and its value chosen uniformly at random
// (HRANDFIELD without a count). The hash must not be empty.
func (h *Hash) RandomField(r *rand.Rand) (field, value []byte) {
	if ht := h.table(); ht != nil {
		field, value, _ = ht.Random(r)
		return field, value
	}
	lp := h.listpack()
	n := lpCount(lp)
	if n == 0 {
		panic("BUG: RandomField of an empty hash")
	}
	i := r.IntN(n)
	for p := lpHeader; ; i-- {
		f, v, _, next := lpPair(lp, p)
		if i == 0 {
			return f, v
		}
		p = next
	}
}

// RandomFields calls fn for count random fields, as HRANDFIELD with a count
// does (hrandfieldWithCountCommand in src/t_hash.c), until fn returns false:
//   - count < 0: -count fields picked independently, so possibly repeated,
//     in random order;
//   - count >= Len: every field, in Range order;
//   - otherwise: count distinct fields, a uniform random subset.
//
// The work is O(|count|) for a hashtable when count is small next to the
// hash and O(Len) otherwise, as in Redis. fn must not change h.
func (h *Hash) RandomFields(r *rand.Rand, count int64, fn func(field, value []byte) bool) {
	size := int64(h.Len())
	if count == 0 || size == 0 {
		return
	}
	if count < 0 || count == 1 {
		if count < 0 {
			count = -count
		}
		h.randomRepeated(r, count, fn)
		return
	}
	if count >= size {
		h.Range(fn)
		return
	}
	// Redis builds a copy and removes random fields when count*3 > size
	// (HRANDFIELD_SUB_STRATEGY_MUL), and uses selection sampling for a
	// listpack; a single selection-sampling pass gives the same uniform
	// subset without the copy.
	ht := h.table()
	if ht == nil || count*3 > size {
		remaining := count
		left := size
		h.Range(func(f, v []byte) bool {
			if r.Int64N(left) < remaining {
				remaining--
				if !fn(f, v) {
					return false
				}
			}
			left--
			return remaining > 0
		})
		return
	}
	// A big hashtable and a small count: pick at random and skip repeats.
	seen := make(map[uint64]struct{}, count)
	for int64(len(seen)) < count {
		f, v, id := ht.Random(r)
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		if !fn(f, v) {
			return
		}
	}
}

// randomRepeated calls fn for count fields picked independently.
func (h *Hash) randomRepeated(r *rand.Rand, count int64, fn func(field, value []byte) bool) {
	if ht := h.table(); ht != nil {
		for ; count > 0; count-- {
			f, v, _ := ht.Random(r)
			if !fn(f, v) {
				return
			}
		}
		return
	}
	// Index the listpack once so that each pick is O(1).
	lp := h.listpack()
	var buf [256]uint32
	idx := buf[:0]
	for p := lpHeader; p < len(lp); {
		idx = append(idx, uint32(p))
		_, _, _, p = lpPair(lp, p)
	}
	for ; count > 0; count-- {
		f, v, _, _ := lpPair(lp, int(idx[r.IntN(len(idx))]))
		if !fn(f, v) {
			return
		}
	}
}

// MemoryUsage returns an estimate of the bytes the hash holds, without the
// key.
func (h *Hash) MemoryUsage() int {
	const self = 16 // Hash struct
	if ht := h.table(); ht != nil {
		return self + ht.MemoryUsage()
	}
	return self + cap(h.listpack())
}

// Clone returns a deep copy with the same encoding (hashTypeDup, for COPY).
func (h *Hash) Clone() *Hash {
	src := h.table()
	if src == nil {
		c := &Hash{}
		c.setListpack(append([]byte(nil), h.listpack()...))
		return c
	}
	ht := bytesmap.New(true, src.Len())
	src.Range(func(f, v []byte) bool {
		ht.Set(f, v)
		return true
	})
	c := &Hash{}
	c.setTable(ht)
	return c
}

// DupValue is Clone for the command layer's COPY, which duplicates any
// collection through this method.
func (h *Hash) DupValue() any { return h.Clone() }

// Reserve makes room in a listpack hash for the field/value pairs about
// to be Set (HSET with several pairs), so that they go in with one
// allocation sized to the result instead of a chain of growths whose
// slack a small hash would keep. It does nothing when the pairs will make
// the hash convert to a hashtable.
func (h *Hash) Reserve(pairs [][]byte, lim Limits) {
	if h.table() != nil || len(pairs) < 4 {
		return
	}
	lp := h.listpack()
	need, n := 0, lpCount(lp)
	for i := 0; i+1 < len(pairs); i += 2 {
		f, v := pairs[i], pairs[i+1]
		if len(f) > lim.MaxListpackValue || len(v) > lim.MaxListpackValue {
			return
		}
		need += uvarintLen(len(f)) + len(f) + uvarintLen(len(v)) + len(v)
		n++
	}
	size := max(len(lp), lpHeader) + need
	if n > lim.MaxListpackEntries || size > maxListpackBytes || size <= cap(lp) {
		return
	}
	grown := lpAlloc(size)[:max(len(lp), lpHeader)]
	copy(grown, lp) // a new listpack's header is zero: no pairs
	h.setListpack(grown)
}
