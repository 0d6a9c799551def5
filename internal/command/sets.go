package command

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
)

// Set commands (Redis's t_set.c).
func setCommands() []*Spec {
	return []*Spec{
		{Name: "sadd", Handler: saddCommand},
		{Name: "srem", Handler: sremCommand},
		{Name: "smove", Handler: smoveCommand},
		{Name: "sismember", Handler: sismemberCommand},
		{Name: "smismember", Handler: smismemberCommand},
		{Name: "scard", Handler: scardCommand},
		{Name: "spop", Handler: spopCommand},
		{Name: "srandmember", Handler: srandmemberCommand},
		{Name: "smembers", Handler: sinterCommand}, // as in Redis's command table
		{Name: "sinter", Handler: sinterCommand},
		{Name: "sintercard", Handler: sintercardCommand},
		{Name: "sinterstore", Handler: sinterstoreCommand},
		{Name: "sunion", Handler: sunionCommand},
		{Name: "sunionstore", Handler: sunionstoreCommand},
		{Name: "sdiff", Handler: sdiffCommand},
		{Name: "sdiffstore", Handler: sdiffstoreCommand},
		{Name: "sscan", Handler: sscanCommand},
	}
}

// setMaxIntsetEntries reads set-max-intset-entries from the live config.
func setMaxIntsetEntries(c *Ctx) int {
	if c.E.Cfg == nil {
		return set.DefaultMaxIntsetEntries
	}
	return int(c.E.Cfg.SetMaxIntsetEntries.Load())
}

// setOf is checkType(OBJ_SET) on a found entry.
func setOf(c *Ctx, e keyspace.Entry) (*set.Set, bool) {
	if e.Type != keyspace.TypeSet {
		c.Error(ErrWrongType)
		return nil, false
	}
	s, isSet := e.Obj.(*set.Set)
	if !isSet {
		panic("BUG: set key without a *set.Set value")
	}
	return s, true
}

// setLookupWrite is lookupKeyWrite + checkType: s is nil for a missing
// key; ok is false after a WRONGTYPE reply.
func setLookupWrite(c *Ctx, key []byte) (s *set.Set, ok bool) {
	e, found := c.DB.Lookup(key)
	if !found {
		return nil, true
	}
	return setOf(c, e)
}

// setLookupRead is lookupKeyRead (hit/miss statistics, keymiss event) +
// checkType.
func setLookupRead(c *Ctx, key []byte) (s *set.Set, ok bool) {
	e, found := lookupKeyRead(c, key)
	if !found {
		return nil, true
	}
	return setOf(c, e)
}

// setsLookupRead looks the keys up for SINTER, SUNION, SDIFF & co.: nil
// for a missing key. ok is false after a WRONGTYPE reply.
// buf is scratch space for the result.
func setsLookupRead(c *Ctx, keys [][]byte, buf []*set.Set) ([]*set.Set, bool) {
	sets := buf[:0]
	for _, k := range keys {
		s, ok := setLookupRead(c, k)
		if !ok {
			return nil, false
		}
		sets = append(sets, s)
	}
	return sets, true
}

// SADD key member [member ...]. A new key's set starts as an intset unless
// its first member is not an integer (setTypeCreate); the zero set.Set
// behaves the same.
func saddCommand(c *Ctx) {
	key := c.Argv[1]
	s, ok := setLookupWrite(c, key)
	if !ok {
		return
	}
	if s == nil {
		s = &set.Set{}
		c.DB.SetObject(key, keyspace.TypeSet, s, keyspace.NoExpire)
	}
	max := setMaxIntsetEntries(c)
	added := int64(0)
	for _, m := range c.Argv[2:] {
		if s.Add(m, max) {
			added++
		}
	}
	if added > 0 {
		c.Modified(key)
		c.Notify('s', "sadd", key)
	}
	c.W.Int(added)
}

// SREM key member [member ...]: the key goes when its last member does.
func sremCommand(c *Ctx) {
	key := c.Argv[1]
	s, ok := setLookupWrite(c, key)
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(removeElements(c, key, c.Argv[2:], s.Remove, s.Len, 's', "srem"))
}

// SMOVE source destination member. A missing source replies 0 before the
// destination's type is checked, as smoveCommand does.
func smoveCommand(c *Ctx) {
	srcKey, dstKey, member := c.Argv[1], c.Argv[2], c.Argv[3]
	srcE, srcFound := c.DB.Lookup(srcKey)
	dstE, dstFound := c.DB.Lookup(dstKey)
	if !srcFound {
		c.W.Int(0)
		return
	}
	src, ok := setOf(c, srcE)
	if !ok {
		return
	}
	var dst *set.Set
	if dstFound {
		if dst, ok = setOf(c, dstE); !ok {
			return
		}
	}
	if src == dst {
		if src.IsMember(member) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if !src.Remove(member) {
		c.W.Int(0)
		return
	}
	c.Notify('s', "srem", srcKey)
	if src.Len() == 0 {
		c.DB.Delete(srcKey)
		c.Notify('g', "del", srcKey)
	}
	if dst == nil {
		dst = &set.Set{}
		c.DB.SetObject(dstKey, keyspace.TypeSet, dst, keyspace.NoExpire)
	}
	c.Modified(srcKey)
	if dst.Add(member, setMaxIntsetEntries(c)) {
		c.Modified(dstKey)
		c.Notify('s', "sadd", dstKey)
	}
	c.W.Int(1)
}

// SISMEMBER key member
func sismemberCommand(c *Ctx) {
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if s != nil && s.IsMember(c.Argv[2]) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// SMISMEMBER key member [member ...]: a missing key is an empty set.
func smismemberCommand(c *Ctx) {
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		if s != nil && s.IsMember(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// SCARD key
func scardCommand(c *Ctx) {
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(s.Len()))
}

// SPOP key [count]
func spopCommand(c *Ctx) {
	if len(c.Argv) == 3 {
		spopWithCount(c)
		return
	} else if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	key := c.Argv[1]
	s, ok := setLookupWrite(c, key)
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	var buf [64]byte
	m := s.Pop(rand.New(zrandSource{}), buf[:0])
	c.Rewrite([]byte("SREM"), key, m) // the member chosen, not another random one
	c.Notify('s', "spop", key)
	c.W.Bulk(m)
	if s.Len() == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
	}
	c.Modified(key)
}

// spopWithCount is spopWithCountCommand. The reply is a set (RESP3 "~").
// Popping everything replies as SUNION of the key would (the members
// gathered into a new set, so their order is that set's) and deletes it.
func spopWithCount(c *Ctx) {
	count, ok := parseInt(c.Argv[2])
	if !ok || count < 0 { // getPositiveLongFromObjectOrReply: one message for both
		c.Error(ErrNotPositive)
		return
	}
	key := c.Argv[1]
	s, ok := setLookupWrite(c, key)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Set(0)
		return
	}
	c.Notify('s', "spop", key)
	if count >= int64(s.Len()) {
		setUnionDiff(c, []*set.Set{s}, nil, setOpUnion)
		c.DB.Delete(key)
		c.Notify('g', "del", key)
		c.Modified(key)
		c.Rewrite([]byte("DEL"), key)
		return
	}
	c.W.Set(int(count))
	// Propagated as one SREM per member popped (a MULTI/EXEC).
	prop := c.E.propagating()
	srem := []byte("SREM")
	s.PopN(rand.New(zrandSource{}), count, setMaxIntsetEntries(c), func(m []byte) {
		c.W.Bulk(m)
		if prop {
			c.AlsoPropagate(srem, key, m)
		}
	})
	c.PreventPropagation()
	c.Modified(key)
}

// SRANDMEMBER key [count]
func srandmemberCommand(c *Ctx) {
	if len(c.Argv) == 3 {
		srandmemberWithCount(c)
		return
	} else if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	var buf [64]byte
	c.W.Bulk(s.RandomMember(rand.New(zrandSource{}), buf[:0]))
}

// srandmemberWithCount is srandmemberWithCountCommand: a negative count
// picks that many members independently, a positive one distinct members
// (the whole set, in order, when count >= SCARD). The reply is an array.
func srandmemberWithCount(c *Ctx) {
	l, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if l == math.MinInt64 {
		c.Error(ErrZrandRange)
		return
	}
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if s == nil || l == 0 {
		c.W.Array(0)
		return
	}
	if l > 0 {
		c.W.Array(int(min(l, int64(s.Len()))))
	} else {
		c.W.Array(int(-l))
	}
	s.RandomMembers(rand.New(zrandSource{}), l, func(m []byte) bool {
		c.W.Bulk(m)
		return true
	})
}

// SINTER key [key ...] and SMEMBERS key
func sinterCommand(c *Ctx) { setInter(c, c.Argv[1:], nil, false, 0) }

// SINTERSTORE destination key [key ...]
func sinterstoreCommand(c *Ctx) { setInter(c, c.Argv[2:], c.Argv[1], false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardCommand(c *Ctx) {
	numkeys, ok := parseInt(c.Argv[1])
	if !ok || numkeys < 1 {
		c.Error(ErrNumkeysPositive)
		return
	}
	if numkeys > int64(len(c.Argv)-2) {
		c.Error(ErrNumkeysArgs)
		return
	}
	limit := int64(0)
	for j := 2 + int(numkeys); j < len(c.Argv); j++ {
		if cstrIs(c.Argv[j], "limit") && j+1 < len(c.Argv) {
			j++
			if limit, ok = parseInt(c.Argv[j]); !ok || limit < 0 {
				c.Error(ErrZLimitNegative)
				return
			}
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	setInter(c, c.Argv[2:2+numkeys], nil, true, limit)
}

// setInter is sinterGenericCommand: the members of the smallest set that
// every other set has, replied as a set (in the smallest set's order),
// counted (cardOnly, stopping at limit when it is not 0), or stored at dst.
func setInter(c *Ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	var buf [4]*set.Set
	sets, ok := setsLookupRead(c, keys, buf[:])
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		// A missing key is an empty set: the result is empty.
		switch {
		case dst != nil:
			if c.DB.Delete(dst) {
				c.Modified(dst)
				c.Notify('g', "del", dst)
			}
			c.W.Int(0)
		case cardOnly:
			c.W.Int(0)
		default:
			c.W.Set(0)
		}
		return
	}
	// Smallest first; stable like glibc's qsort (a merge sort), so that
	// sets of equal size keep their order.
	slices.SortStableFunc(sets, func(a, b *set.Set) int { return a.Len() - b.Len() })
	first := sets[0]
	var out *set.Set
	var mark resp.Deferred
	single := len(sets) == 1 // SMEMBERS: the count is known
	switch {
	case dst != nil:
		out = &set.Set{}
	case cardOnly:
	case single:
		c.W.Set(first.Len())
	default:
		mark = c.W.Defer()
	}
	max := setMaxIntsetEntries(c)
	card := int64(0)
	first.Range(func(m []byte) bool {
		for _, s := range sets[1:] {
			if s != first && !s.IsMember(m) {
				return true
			}
		}
		switch {
		case cardOnly:
			card++
			return limit == 0 || card < limit
		case out != nil:
			out.Add(m, max)
		default:
			c.W.Bulk(m)
			card++
		}
		return true
	})
	switch {
	case cardOnly:
		c.W.Int(card)
	case out != nil:
		setStore(c, dst, out, "sinterstore")
	case !single:
		c.W.FinishSet(mark, int(card))
	}
}

// setStore is the end of the set *STORE commands: a non-empty result
// replaces dst (setKey: any type, no TTL), an empty one deletes it.
func setStore(c *Ctx, dst []byte, out *set.Set, event string) {
	if n := out.Len(); n > 0 {
		c.DB.SetObject(dst, keyspace.TypeSet, out, keyspace.NoExpire)
		c.W.Int(int64(n))
		c.Modified(dst)
		c.Notify('s', event, dst)
		return
	}
	c.W.Int(0)
	if c.DB.Delete(dst) {
		c.Modified(dst)
		c.Notify('g', "del", dst)
	}
}

// Set operations of sunionDiffGenericCommand (SET_OP_UNION, SET_OP_DIFF).
const (
	setOpUnion = iota
	setOpDiff
)

func sunionCommand(c *Ctx) { setUnionDiffKeys(c, c.Argv[1:], nil, setOpUnion) }
func sdiffCommand(c *Ctx)  { setUnionDiffKeys(c, c.Argv[1:], nil, setOpDiff) }
func sunionstoreCommand(c *Ctx) {
	setUnionDiffKeys(c, c.Argv[2:], c.Argv[1], setOpUnion)
}
func sdiffstoreCommand(c *Ctx) {
	setUnionDiffKeys(c, c.Argv[2:], c.Argv[1], setOpDiff)
}

func setUnionDiffKeys(c *Ctx, keys [][]byte, dst []byte, op int) {
	var buf [4]*set.Set
	sets, ok := setsLookupRead(c, keys, buf[:])
	if !ok {
		return
	}
	setUnionDiff(c, sets, dst, op)
}

// setUnionDiff is sunionDiffGenericCommand over looked-up sets (nil for a
// missing key): the result is built as a new set, so its encoding and,
// for an intset, its order are what Redis's are; it is replied as a set or
// stored at dst.
//
// SDIFF picks one of Redis's two algorithms by the same estimate, since
// they can leave the result in different encodings: the first adds only
// the members of the first set that no other set has, the second adds all
// of the first set and removes the others' members.
func setUnionDiff(c *Ctx, sets []*set.Set, dst []byte, op int) {
	first := sets[0]
	sameset := false
	for _, s := range sets[1:] {
		if s != nil && s == first {
			sameset = true
		}
	}
	diffAlgo := 1
	if op == setOpDiff && first != nil && !sameset {
		var work1, work2 int64
		for _, s := range sets {
			if s != nil {
				work1 += int64(first.Len())
				work2 += int64(s.Len())
			}
		}
		// Algorithm 1 has better constants and stops early on common
		// members: give it an advantage.
		work1 /= 2
		if work1 > work2 {
			diffAlgo = 2
		}
		// (Redis also orders the other sets by decreasing size for
		// algorithm 1; that only changes how soon a member is rejected.)
	}
	max := setMaxIntsetEntries(c)
	out := &set.Set{}
	card := 0
	switch {
	case op == setOpUnion:
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.Range(func(m []byte) bool {
				if out.Add(m, max) {
					card++
				}
				return true
			})
		}
	case sameset || first == nil:
		// The first set is one of the others, or empty: nothing is left.
	case diffAlgo == 1:
		first.Range(func(m []byte) bool {
			for _, s := range sets[1:] {
				if s != nil && s.IsMember(m) {
					return true
				}
			}
			out.Add(m, max)
			card++
			return true
		})
	default:
		for j, s := range sets {
			if s == nil {
				continue
			}
			s.Range(func(m []byte) bool {
				if j == 0 {
					if out.Add(m, max) {
						card++
					}
				} else if out.Remove(m) {
					card--
				}
				return true
			})
			if card == 0 {
				break
			}
		}
	}
	if dst == nil {
		c.W.Set(card)
		out.Range(func(m []byte) bool {
			c.W.Bulk(m)
			return true
		})
		return
	}
	event := "sunionstore"
	if op == setOpDiff {
		event = "sdiffstore"
	}
	setStore(c, dst, out, event)
}

// SSCAN key cursor [MATCH pattern] [COUNT count]: scanGenericCommand for a
// set. An intset is returned whole with cursor 0; a hashtable is walked
// one bucket at a time until COUNT members were collected or 10×COUNT
// buckets were visited.
func sscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrInvalidCursor)
		return
	}
	s, ok := setLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if s == nil {
		writeEmptyScan(c)
		return
	}
	count, pat, ok := scanOptions(c)
	if !ok {
		return
	}
	var sc scanBuf
	seen := 0
	collect := func(m []byte) {
		seen++
		if pat == nil || StringMatch(pat, m, false) {
			sc.add(m)
		}
	}
	if s.Encoding() == set.EncodingIntset {
		cursor = s.Scan(0, collect)
	} else {
		budget := 10 * count // maxiterations
		for {
			cursor = s.Scan(cursor, collect)
			if cursor == 0 || budget == 0 || seen >= count {
				break
			}
			budget--
		}
	}
	sc.reply(c, cursor)
}
