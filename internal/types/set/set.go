// Package set is the value type behind Redis set keys (src/t_set.c).
//
// A set of integers starts as an "intset" (see intset.go): sorted packed
// integers, binary-searched. It converts for good to the "hashtable"
// encoding (a bytesmap without values) when a member is not an integer
// string as Redis's string2ll accepts it, or when it gets more than
// set-max-intset-entries members. Redis 7.0 has no listpack sets (those came
// in 7.2), so a set whose first member is not an integer is a hashtable from
// the start.
//
// Slices a Set returns alias its memory (or a scratch buffer, for intset
// members): they must not be modified and are valid only until the next
// change to the set, or only during the callback they are passed to. A Set
// is not safe for concurrent use; callers hold their shard lock.
package set

import (
	"hash/maphash"
	"math/rand/v2"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/types/bytesmap"
)

// DefaultMaxIntsetEntries is Redis's default set-max-intset-entries.
const DefaultMaxIntsetEntries = 512

// maxIntsetCap is the cap Redis puts on set-max-intset-entries "due to
// intset internals" (setTypeAdd in src/t_set.c).
const maxIntsetCap = 1 << 30

// Encoding names, as OBJECT ENCODING reports them.
const (
	EncodingIntset    = "intset"
	EncodingHashtable = "hashtable"
)

// Strategy thresholds from src/t_set.c.
const (
	spopMoveStrategyMul       = 5 // SPOP_MOVE_STRATEGY_MUL
	srandmemberSubStrategyMul = 3 // SRANDMEMBER_SUB_STRATEGY_MUL
)

// Set is a Redis set. The zero value is an empty intset, like the set
// createIntsetObject makes: its first non-integer member converts it.
type Set struct {
	is []byte        // intset encoding; nil when empty or a hashtable
	ht *bytesmap.Map // hashtable encoding; nil while an intset
}

// Encoding returns the OBJECT ENCODING name: "intset" or "hashtable".
func (s *Set) Encoding() string {
	if s.ht != nil {
		return EncodingHashtable
	}
	return EncodingIntset
}

// Len returns the number of members (SCARD).
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.Len()
	}
	return isLen(s.is)
}

// Add adds member and reports whether it was absent (SADD).
func (s *Set) Add(member []byte, maxIntsetEntries int) (added bool) {
	return s.add(member, maxIntsetEntries, nil)
}

func (s *Set) add(member []byte, maxIntsetEntries int, seed *maphash.Seed) bool {
	if s.ht != nil {
		return s.ht.Add(member)
	}
	v, ok := parseInt(member)
	if !ok {
		s.convert(isLen(s.is)+1, seed)
		return s.ht.Add(member)
	}
	var added bool
	s.is, added = isAdd(s.is, v)
	if added && isLen(s.is) > min(maxIntsetEntries, maxIntsetCap) {
		s.convert(isLen(s.is), seed)
	}
	return added
}

// Remove removes member and reports whether it was present (SREM). The
// caller deletes the key when the set becomes empty.
func (s *Set) Remove(member []byte) bool {
	if s.ht != nil {
		return s.ht.Delete(member)
	}
	v, ok := parseInt(member)
	if !ok {
		return false
	}
	var removed bool
	s.is, removed = isRemove(s.is, v)
	return removed
}

// IsMember reports whether member is present (SISMEMBER): O(1) for a
// hashtable, O(log n) for an intset.
func (s *Set) IsMember(member []byte) bool {
	if s.ht != nil {
		return s.ht.Has(member)
	}
	v, ok := parseInt(member)
	if !ok {
		return false
	}
	_, found := isSearch(s.is, v)
	return found
}

// Convert switches an intset to the hashtable encoding; it does nothing to
// a hashtable. Redis never converts back (except that SPOP with a count can
// rebuild the set, see Pop).
func (s *Set) Convert() { s.convert(isLen(s.is), nil) }

func (s *Set) convert(hint int, seed *maphash.Seed) {
	if s.ht != nil {
		return
	}
	var ht *bytesmap.Map
	if seed != nil {
		ht = bytesmap.NewSeeded(false, hint, *seed)
	} else {
		ht = bytesmap.New(false, hint)
	}
	var buf [20]byte
	for i, n := 0, isLen(s.is); i < n; i++ {
		ht.Add(strconv.AppendInt(buf[:0], isGet(s.is, i), 10))
	}
	s.ht, s.is = ht, nil
}

// Range calls fn for every member until fn returns false, and reports
// whether it got to the end (SMEMBERS, set algebra, RDB). An intset is
// visited in ascending order. fn must not change s, and gets a member that
// is valid only during the call.
func (s *Set) Range(fn func(member []byte) bool) bool {
	if s.ht != nil {
		return s.ht.Range(func(k, _ []byte) bool { return fn(k) })
	}
	var buf [20]byte
	for i, n := 0, isLen(s.is); i < n; i++ {
		if !fn(strconv.AppendInt(buf[:0], isGet(s.is, i), 10)) {
			return false
		}
	}
	return true
}

// Scan calls fn for the next few members of an SSCAN from cursor and
// returns the next cursor, 0 at the end. An intset returns everything at
// once with cursor 0, as Redis does (scanGenericCommand in src/db.c); a
// hashtable returns one bucket per call with Redis's guarantee that a member
// present for the whole scan is returned at least once. fn must not change s.
func (s *Set) Scan(cursor uint64, fn func(member []byte)) uint64 {
	if s.ht != nil {
		return s.ht.Scan(cursor, func(k, _ []byte) { fn(k) })
	}
	s.Range(func(m []byte) bool {
		fn(m)
		return true
	})
	return 0
}

// RandomMember appends a member chosen uniformly at random to dst and
// returns the result (SRANDMEMBER without a count). The set must not be
// empty.
func (s *Set) RandomMember(r *rand.Rand, dst []byte) []byte {
	if s.ht != nil {
		k, _, _ := s.ht.Random(r)
		return append(dst, k...)
	}
	return strconv.AppendInt(dst, s.randomInt(r), 10)
}

func (s *Set) randomInt(r *rand.Rand) int64 {
	n := isLen(s.is)
	if n == 0 {
		panic("BUG: random member of an empty set")
	}
	return isGet(s.is, r.IntN(n))
}

// RandomMembers calls fn for count random members, as SRANDMEMBER with a
// count does (srandmemberWithCountCommand in src/t_set.c), until fn returns
// false:
//   - count < 0: -count members picked independently, so possibly repeated;
//   - count >= Len: every member, in Range order;
//   - otherwise: count distinct members, a uniform random subset.
//
// The work is O(|count|) when count is small next to the set and O(Len)
// otherwise, as in Redis. fn must not change s.
func (s *Set) RandomMembers(r *rand.Rand, count int64, fn func(member []byte) bool) {
	size := int64(s.Len())
	if count == 0 || size == 0 {
		return
	}
	var buf [20]byte
	if count < 0 || count == 1 {
		if count < 0 {
			count = -count
		}
		for ; count > 0; count-- {
			var m []byte
			if s.ht != nil {
				m, _, _ = s.ht.Random(r)
			} else {
				m = strconv.AppendInt(buf[:0], s.randomInt(r), 10)
			}
			if !fn(m) {
				return
			}
		}
		return
	}
	if count >= size {
		s.Range(fn)
		return
	}
	// Redis copies the set and removes random members when
	// count*SRANDMEMBER_SUB_STRATEGY_MUL > size; one selection-sampling pass
	// gives the same uniform subset without the copy.
	if count*srandmemberSubStrategyMul > size {
		remaining, left := count, size
		s.Range(func(m []byte) bool {
			if r.Int64N(left) < remaining {
				remaining--
				if !fn(m) {
					return false
				}
			}
			left--
			return remaining > 0
		})
		return
	}
	// A big set and a small count: pick at random and skip repeats.
	seen := make(map[uint64]struct{}, count)
	for int64(len(seen)) < count {
		var m []byte
		var id uint64
		if s.ht != nil {
			m, _, id = s.ht.Random(r)
		} else {
			i := r.IntN(isLen(s.is))
			id = uint64(i)
			m = strconv.AppendInt(buf[:0], isGet(s.is, i), 10)
		}
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		if !fn(m) {
			return
		}
	}
}

// Pop removes a member chosen uniformly at random, appends it to dst and
// returns the result (SPOP without a count). The set must not be empty.
func (s *Set) Pop(r *rand.Rand, dst []byte) []byte {
	if s.ht != nil {
		k, _, _ := s.ht.Random(r)
		dst = append(dst, k...)
		s.ht.Delete(k)
		return dst
	}
	v := s.randomInt(r)
	s.is, _ = isRemove(s.is, v)
	return strconv.AppendInt(dst, v, 10)
}

// PopN removes min(count, Len) random members and calls fn with each (SPOP
// with a count; spopWithCountCommand in src/t_set.c). count must not be
// negative. fn must not change s and gets a member valid only during the
// call.
//
// As in Redis: when count >= Len every member is returned in Range order and
// the set is left empty (the caller deletes the key and propagates DEL);
// when the members left are many (left*5 > count) random members are
// removed one by one; otherwise random members to keep are moved into a new
// set, built as Redis builds it, so the result may be an intset again (its
// first member decides, then the usual conversions apply with
// maxIntsetEntries), and the rest are returned in Range order.
func (s *Set) PopN(r *rand.Rand, count int64, maxIntsetEntries int, fn func(member []byte)) {
	size := int64(s.Len())
	if count <= 0 || size == 0 {
		return
	}
	if count >= size {
		s.Range(func(m []byte) bool {
			fn(m)
			return true
		})
		*s = Set{}
		return
	}
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		var buf [20]byte
		for ; count > 0; count-- {
			if s.ht != nil {
				k, _, _ := s.ht.Random(r)
				fn(k)
				s.ht.Delete(k)
			} else {
				v := s.randomInt(r)
				fn(strconv.AppendInt(buf[:0], v, 10))
				s.is, _ = isRemove(s.is, v)
			}
		}
		return
	}
	var keep Set
	var seed *maphash.Seed
	if s.ht != nil {
		sd := s.ht.Seed() // keep the SCAN cursor space of the old table
		seed = &sd
	}
	var buf []byte
	for ; remaining > 0; remaining-- {
		buf = s.RandomMember(r, buf[:0])
		keep.add(buf, maxIntsetEntries, seed)
		s.Remove(buf)
	}
	s.Range(func(m []byte) bool {
		fn(m)
		return true
	})
	*s = keep
}

// MemoryUsage returns an estimate of the bytes the set holds, without the
// key.
func (s *Set) MemoryUsage() int {
	const self = 32 // Set struct
	if s.ht != nil {
		return self + s.ht.MemoryUsage()
	}
	return self + cap(s.is)
}

// Clone returns a deep copy with the same encoding (setTypeDup, for COPY).
func (s *Set) Clone() *Set {
	if s.ht == nil {
		return &Set{is: append([]byte(nil), s.is...)}
	}
	ht := bytesmap.New(false, s.ht.Len())
	s.ht.Range(func(k, _ []byte) bool {
		ht.Add(k)
		return true
	})
	return &Set{ht: ht}
}

// DupValue is Clone for the command layer's COPY, which duplicates any
// collection through this method.
func (s *Set) DupValue() any { return s.Clone() }
