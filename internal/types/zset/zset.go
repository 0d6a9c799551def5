// Package zset is the value type behind Redis sorted-set keys.
//
// Elements are ordered as in Redis 7.0 (t_zset.c): by score, ties broken by
// member bytes (memcmp, shorter first). Scores may be ±Inf; NaN is never
// stored (the command layer rejects it, storing one is a bug). -0 and +0
// compare equal, as doubles do in C.
//
// Two encodings, reported by Encoding as Redis's OBJECT ENCODING does:
//
//   - "listpack": one byte slice of (member, score) entries in order, see
//     listpack.go. Used while the set has at most zset-max-listpack-entries
//     members of at most zset-max-listpack-value bytes; conversion to the
//     large encoding happens on the insert that would break a limit and is
//     one-way (except ConvertToListpackIfNeeded, Redis's
//     zsetConvertToListpackIfNeeded, used by the *STORE commands and RDB
//     loading).
//   - "skiplist" (the name Redis reports): member records in pointer-free
//     byte slabs, an open-addressing hash index from member to record, and an
//     order-statistic B+tree over (score, record) giving O(log n) insert,
//     delete, rank, and score/lex/rank seeks. See large.go.
//
// The NX/XX/GT/LT/INCR/CH flags of ZADD are decided by the command layer from
// Score, Insert and Update. Score formatting is not done here.
//
// A ZSet is not safe for concurrent use; callers hold the shard lock. Member
// slices handed out by Iterator, Scan, PopMin/PopMax and the random functions
// alias the set's storage and are valid only until the set is next modified.
package zset

import "unsafe"

// Encoding names as reported by OBJECT ENCODING.
const (
	EncodingListpack = "listpack"
	EncodingSkiplist = "skiplist"
)

// Redis's defaults for the conversion thresholds.
const (
	DefaultMaxListpackEntries = 128
	DefaultMaxListpackValue   = 64
)

// Limits are the small-encoding thresholds, read from the live config by the
// caller on every call since CONFIG SET may change them.
type Limits struct {
	MaxListpackEntries int // zset-max-listpack-entries
	MaxListpackValue   int // zset-max-listpack-value
}

// DefaultLimits returns Redis's default thresholds (128 entries, 64 bytes).
func DefaultLimits() Limits {
	return Limits{MaxListpackEntries: DefaultMaxListpackEntries, MaxListpackValue: DefaultMaxListpackValue}
}

// ZSet is a sorted set. The zero value is an empty listpack-encoded set.
type ZSet struct {
	lp    []byte // listpack encoding, when lg == nil
	lpLen int
	lg    *large
}

// New returns an empty set whose encoding is chosen the way Redis chooses it
// when creating a key: listpack unless the small encoding is disabled
// (MaxListpackEntries == 0) or the caller already knows it will hold more
// than MaxListpackEntries members or a member longer than MaxListpackValue.
// ZADD passes (0, len(first member)); ZRANGESTORE passes (result length, 0).
func New(lim Limits, sizeHint, maxMemberLen int) *ZSet {
	z := &ZSet{}
	if lim.MaxListpackEntries == 0 || sizeHint > lim.MaxListpackEntries || maxMemberLen > lim.MaxListpackValue {
		z.lg = newLarge(sizeHint)
	}
	return z
}

// Encoding returns "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.lg != nil {
		return EncodingSkiplist
	}
	return EncodingListpack
}

// Len returns the number of members (ZCARD).
func (z *ZSet) Len() int {
	if z.lg != nil {
		return z.lg.length
	}
	return z.lpLen
}

// MemoryUsage estimates the bytes of Go heap the set holds, for MEMORY USAGE.
func (z *ZSet) MemoryUsage() int {
	n := int(unsafe.Sizeof(*z))
	if z.lg != nil {
		return n + z.lg.memoryUsage()
	}
	return n + cap(z.lp)
}

// Score returns member's score (ZSCORE).
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.lg != nil {
		return z.lg.score(member)
	}
	_, _, _, s, ok := z.lpFind(member)
	return s, ok
}

// Insert adds a member that is not in the set (the caller checked with
// Score). If the listpack would exceed lim, the set converts to the large
// encoding first, exactly where zsetAdd does. Inserting a present member is a
// bug; the large encoding panics, the listpack does not check.
func (z *ZSet) Insert(member []byte, score float64, lim Limits) {
	checkScore(score)
	if z.lg == nil {
		if z.lpLen+1 > lim.MaxListpackEntries || len(member) > lim.MaxListpackValue ||
			len(z.lp)+len(member) > lpSafetySize {
			z.convert()
		} else {
			z.lpInsert(member, score)
			return
		}
	}
	z.lg.insert(member, score)
}

// Update sets the score of a present member and reports whether it was
// present. As in zsetAdd, nothing changes when the new score equals the old
// one (so -0 does not replace 0). Updates never change the encoding.
func (z *ZSet) Update(member []byte, score float64) bool {
	checkScore(score)
	if z.lg != nil {
		return z.lg.update(member, score)
	}
	off, size, _, old, ok := z.lpFind(member)
	if !ok {
		return false
	}
	if old != score {
		z.lpDelete(off, size)
		z.lpInsert(member, score)
	}
	return true
}

// Delete removes member (ZREM) and reports whether it was present.
func (z *ZSet) Delete(member []byte) bool {
	if z.lg != nil {
		return z.lg.delete(member)
	}
	off, size, _, _, ok := z.lpFind(member)
	if ok {
		z.lpDelete(off, size)
	}
	return ok
}

// convert moves a listpack set to the large encoding (zsetConvert).
func (z *ZSet) convert() {
	lg := newLarge(z.lpLen + 1)
	for off := 0; off < len(z.lp); {
		m, s, next := lpRead(z.lp, off)
		lg.insert(m, s)
		off = next
	}
	z.lg, z.lp, z.lpLen = lg, nil, 0
}

// Convert moves a listpack set to the skiplist encoding for good; it does
// nothing to a skiplist set. SORT does this to the set it sorts
// (zsetConvert(OBJ_ENCODING_SKIPLIST) in Redis's sort.c).
func (z *ZSet) Convert() {
	if z.lg == nil {
		z.convert()
	}
}

// ConvertToListpackIfNeeded converts a large set back to a listpack if it fits
// lim, like zsetConvertToListpackIfNeeded (ZUNIONSTORE, ZINTERSTORE,
// ZDIFFSTORE, and RDB loading of a skiplist-encoded set).
func (z *ZSet) ConvertToListpackIfNeeded(lim Limits) {
	if z.lg == nil || z.lg.length > lim.MaxListpackEntries {
		return
	}
	total := 0
	it := z.RangeByRank(0, z.Len()-1, false)
	for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
		if len(m) > lim.MaxListpackValue {
			return
		}
		total += len(m)
	}
	if total > lpSafetySize {
		return
	}
	var lp []byte
	it = z.RangeByRank(0, z.Len()-1, false)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		sz := lpEntrySize(len(m))
		lp = append(lp, make([]byte, sz)...)
		lpPut(lp[len(lp)-sz:], m, s)
	}
	z.lp, z.lpLen, z.lg = lp, z.lg.length, nil
}

// Clone returns a deep copy with the same encoding (zsetDup, for COPY).
func (z *ZSet) Clone() *ZSet {
	if z.lg == nil {
		c := &ZSet{lpLen: z.lpLen}
		if len(z.lp) > 0 {
			c.lp = append([]byte(nil), z.lp...)
		}
		return c
	}
	lg := newLarge(z.lg.length)
	it := z.RangeByRank(0, z.Len()-1, false)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		lg.insert(m, s)
	}
	return &ZSet{lg: lg}
}

// Rank returns member's 0-based rank (ZRANK), or from the top with reverse
// (ZREVRANK).
func (z *ZSet) Rank(member []byte, reverse bool) (int, bool) {
	var r int
	if z.lg != nil {
		s, ok := z.lg.score(member)
		if !ok {
			return 0, false
		}
		r, _ = z.lg.rankOf(s, member)
	} else {
		var ok bool
		if _, _, r, _, ok = z.lpFind(member); !ok {
			return 0, false
		}
	}
	if reverse {
		r = z.Len() - 1 - r
	}
	return r, true
}

// DupValue is Clone for the command layer's COPY, which duplicates any
// collection through this method.
func (z *ZSet) DupValue() any { return z.Clone() }
