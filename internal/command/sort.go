package command

import (
	"bytes"
	"math"
	"slices"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// SORT and SORT_RO (Redis's sort.c). A BY or GET pattern can name any key
// of the database, so the handlers lock for themselves (sortLock).
func sortCommands() []*Spec {
	return []*Spec{
		{Name: "sort", Handler: sortCommand, Lock: LockSelf},
		{Name: "sort_ro", Handler: sortroCommand, Lock: LockSelf},
	}
}

func sortCommand(c *Ctx)   { sortGeneric(c, false) }
func sortroCommand(c *Ctx) { sortGeneric(c, true) }

// sortElem is one element of the sorting vector (redisSortObject): the
// element, its numeric weight, or for ALPHA with BY its comparison string
// (hasCmp is false when the BY key is missing).
type sortElem struct {
	obj    []byte
	score  float64
	cmp    []byte
	hasCmp bool
}

// sortOrder holds what sortCompare reads from Redis's server.sort_* globals.
type sortOrder struct {
	desc, alpha, byPattern, store bool
}

// compare is sortCompare. Without ALPHA, equal weights are ordered by the
// elements' bytes, so the result is deterministic. With ALPHA, strings are
// compared with strcoll (Redis runs with LC_COLLATE from the environment;
// Cinnabar assumes the C locale, where strcoll is strcmp on the C strings),
// except under STORE, which compares the binary strings.
func (o *sortOrder) compare(a, b *sortElem) int {
	var cmp int
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			cmp = 1
		case a.score < b.score:
			cmp = -1
		default:
			cmp = bytes.Compare(a.obj, b.obj)
		}
	case o.byPattern:
		switch {
		case !a.hasCmp || !b.hasCmp:
			switch {
			case a.hasCmp == b.hasCmp:
				cmp = 0
			case !a.hasCmp:
				cmp = -1
			default:
				cmp = 1
			}
		case o.store:
			cmp = bytes.Compare(a.cmp, b.cmp)
		default:
			cmp = bytes.Compare(cBytes(a.cmp), cBytes(b.cmp))
		}
	case o.store:
		cmp = bytes.Compare(a.obj, b.obj)
	default:
		cmp = bytes.Compare(cBytes(a.obj), cBytes(b.obj))
	}
	if o.desc {
		return -cmp
	}
	return cmp
}

// cBytes is b up to its first NUL, as C string functions see it.
func cBytes(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortGeneric is sortCommandGeneric; readonly is SORT_RO, which has no
// STORE option.
func sortGeneric(c *Ctx, readonly bool) {
	var (
		desc, alpha, dontsort bool
		limitStart            int64
		limitCount            int64 = -1
		sortby, storekey      []byte
		gets                  [][]byte
		patterns              bool // a BY or GET names other keys
	)
	argv := c.Argv
	for j := 2; j < len(argv); j++ {
		left := len(argv) - j - 1
		switch {
		case cstrIs(argv[j], "asc"):
			desc = false
		case cstrIs(argv[j], "desc"):
			desc = true
		case cstrIs(argv[j], "alpha"):
			alpha = true
		case cstrIs(argv[j], "limit") && left >= 2:
			var ok bool
			if limitStart, ok = parseInt(argv[j+1]); ok {
				limitCount, ok = parseInt(argv[j+2])
			}
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			j += 2
		case !readonly && cstrIs(argv[j], "store") && left >= 1:
			storekey = argv[j+1]
			j++
		case cstrIs(argv[j], "by") && left >= 1:
			sortby = argv[j+1]
			// A constant BY (no '*') means: don't sort. It sticks even
			// if a later BY has a pattern, as in Redis.
			if bytes.IndexByte(cBytes(sortby), '*') < 0 {
				dontsort = true
			} else {
				patterns = true
			}
			j++
		case cstrIs(argv[j], "get") && left >= 1:
			gets = append(gets, argv[j+1])
			if bytes.IndexByte(cBytes(argv[j+1]), '*') >= 0 {
				patterns = true
			}
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}

	unlock := sortLock(c, patterns, argv[1], storekey)
	defer unlock()

	var (
		l   *list.List
		s   *set.Set
		z   *zset.ZSet
		typ = keyspace.TypeList // a missing key sorts as an empty list
	)
	if e, found := lookupKeyRead(c, argv[1]); found {
		typ = e.Type
		switch v := e.Obj.(type) {
		case *list.List:
			l = v
		case *set.Set:
			s = v
		case *zset.ZSet:
			z = v
		default:
			c.Error(ErrWrongType)
			return
		}
	}

	// A set has no order of its own: with STORE or from a script
	// (CLIENT_SCRIPT) it is sorted even under BY nosort, so that replicas
	// and the AOF see the same result.
	if dontsort && typ == keyspace.TypeSet && (storekey != nil || c.InScript) {
		dontsort, alpha, sortby = false, true, nil
	}
	if z != nil {
		z.Convert() // SORT leaves a sorted set in the skiplist encoding
	}

	vectorlen := 0
	switch {
	case l != nil:
		vectorlen = l.Len()
	case s != nil:
		vectorlen = s.Len()
	case z != nil:
		vectorlen = z.Len()
	}

	// LIMIT, clamped to the vector as Redis does.
	n := int64(vectorlen)
	start := min(max(limitStart, 0), n)
	limitCount = min(max(limitCount, -1), n)
	end := n - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}

	// Lists and sorted sets under BY nosort load only the LIMIT window.
	if typ != keyspace.TypeSet && dontsort && (start != 0 || end != n-1) {
		vectorlen = int(end - start + 1)
	}

	// Load the vector. Elements are copied into one buffer: the BY and
	// GET lookups below may expire keys, which is a write.
	var arena []byte
	var ends []int
	add := func(b []byte) {
		arena = append(arena, b...)
		ends = append(ends, len(arena))
	}
	switch {
	case l != nil && dontsort:
		if end >= start {
			from := int(start)
			if desc {
				from = l.Len() - int(start) - 1
			}
			it := l.Iter(from, desc)
			for len(ends) < vectorlen {
				e, ok := it.Next()
				if !ok {
					break
				}
				arena = e.Append(arena)
				ends = append(ends, len(arena))
			}
			end -= start
			start = 0
		}
	case l != nil:
		it := l.Iter(0, false)
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			arena = e.Append(arena)
			ends = append(ends, len(arena))
		}
	case s != nil:
		s.Range(func(m []byte) bool {
			add(m)
			return true
		})
	case z != nil && dontsort:
		it := z.RangeByRank(int(start), int(start)+vectorlen-1, desc)
		for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
			add(m)
		}
		end -= start
		start = 0
	case z != nil:
		it := z.All()
		for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
			add(m)
		}
	}
	if len(ends) != vectorlen {
		panic("BUG: SORT loaded a vector of the wrong length")
	}
	vector := make([]sortElem, vectorlen)
	from := 0
	for i, to := range ends {
		vector[i].obj = arena[from:to:to]
		from = to
	}

	conversionError := false
	if !dontsort {
		var cmpArena []byte
		var cmpEnds []int
		for i := range vector {
			byval := vector[i].obj
			if sortby != nil {
				v, found := sortLookup(c, sortby, vector[i].obj)
				if !found {
					continue
				}
				byval = v
			}
			if alpha {
				if sortby != nil {
					vector[i].hasCmp = true
					cmpArena = append(cmpArena, byval...)
					cmpEnds = append(cmpEnds, len(cmpArena))
				}
				continue
			}
			score, used, erange := strtod(byval)
			vector[i].score = score
			if erange || math.IsNaN(score) || (used < len(byval) && byval[used] != 0) {
				conversionError = true
			}
		}
		// The comparison strings, now that their buffer has stopped moving.
		from, k := 0, 0
		for i := range vector {
			if vector[i].hasCmp {
				to := cmpEnds[k]
				vector[i].cmp = cmpArena[from:to:to]
				from = to
				k++
			}
		}
		o := sortOrder{desc: desc, alpha: alpha, byPattern: sortby != nil, store: storekey != nil}
		if sortby != nil && (start != 0 || end != int64(vectorlen)-1) {
			pqsort(vector, o.compare, int(start), int(end))
		} else {
			// glibc's qsort is a merge sort, so stable: elements that
			// compare equal keep the order they were loaded in.
			slices.SortStableFunc(vector, func(a, b sortElem) int { return o.compare(&a, &b) })
		}
	}

	outputlen := end - start + 1
	if len(gets) > 0 {
		outputlen *= int64(len(gets))
	}
	switch {
	case conversionError:
		c.Error(ErrSortScores)
	case storekey == nil:
		c.W.Array(int(outputlen))
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				c.W.Bulk(vector[j].obj)
			}
			for _, pat := range gets {
				if v, found := sortLookup(c, pat, vector[j].obj); found {
					c.W.Bulk(v)
				} else {
					c.W.Null()
				}
			}
		}
	default:
		if outputlen == 0 {
			if c.DB.Delete(storekey) {
				c.Modified(storekey)
				c.Notify('g', "del", storekey)
			}
			c.W.Int(0)
			return
		}
		out := sortNewList(c)
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				out.Push(list.Tail, vector[j].obj)
			}
			for _, pat := range gets {
				v, _ := sortLookup(c, pat, vector[j].obj) // a missing value is stored as ""
				out.Push(list.Tail, v)
			}
		}
		c.DB.SetObject(storekey, keyspace.TypeList, out, keyspace.NoExpire)
		c.Modified(storekey)
		c.Notify('l', "sortstore", storekey)
		c.W.Int(outputlen)
	}
}

// sortLock locks what SORT touches and returns the matching unlock: every
// shard when a BY or GET pattern can name any key, else the shards of the
// sorted key and of the STORE key. Under EXEC or a script every shard is
// already held.
func sortLock(c *Ctx, everything bool, key, storekey []byte) func() {
	switch {
	case c.AllLocked:
		return func() {}
	case everything:
		c.E.KS.LockAllWait(c.C.blocker())
		return func() { c.E.flushUnitNow(c); c.E.KS.ReleaseAll() }
	}
	keys := [][]byte{key}
	if storekey != nil {
		keys = append(keys, storekey)
	}
	shards := c.E.shardsOf(keys)
	c.E.KS.LockWait(shards, c.C.blocker())
	return func() { c.E.flushUnitNow(c); c.E.KS.Release(shards) }
}

// sortNewList is createQuicklistObject: an empty list with the configured
// list-max-listpack-size and list-compress-depth.
func sortNewList(c *Ctx) *list.List {
	fill, depth := -2, 0
	if cfg := c.E.Cfg; cfg != nil {
		fill = int(cfg.ListMaxListpackSize.Load())
		depth = int(cfg.ListCompressDepth.Load())
	}
	return list.New(fill, depth)
}

// sortLookup is lookupKeyByPattern: the value that pattern names for the
// element elem. "#" is the element itself. Otherwise the first '*' is
// replaced by elem to make a key name, and a "->field" after the '*'
// names a field of the hash at that key; the key must hold a string (or,
// with a field, a hash). Redis reads the pattern as a C string where it
// searches ('#', '*', "->") but copies its full length. The lookup counts
// keyspace hits and misses like any read. The value is valid until the
// next write to the database.
func sortLookup(c *Ctx, pattern, elem []byte) ([]byte, bool) {
	cpat := cBytes(pattern)
	if len(cpat) == 1 && cpat[0] == '#' {
		return elem, true
	}
	p := bytes.IndexByte(cpat, '*')
	if p < 0 {
		return nil, false
	}
	var field []byte
	postfix := pattern[p+1:]
	if f := bytes.Index(cpat[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(cpat) {
		f += p + 1
		field = pattern[f+2:]
		postfix = pattern[p+1 : f]
	}
	key := make([]byte, 0, p+len(elem)+len(postfix))
	key = append(key, pattern[:p]...)
	key = append(key, elem...)
	key = append(key, postfix...)
	e, found := lookupKeyRead(c, key)
	if !found {
		return nil, false
	}
	if field != nil {
		if e.Type != keyspace.TypeHash {
			return nil, false
		}
		h, _ := hashOf(c, e)
		return h.Get(field)
	}
	if e.Type != keyspace.TypeString {
		return nil, false
	}
	if e.Enc == keyspace.EncInt {
		return stringBytes(e, nil), true
	}
	return e.Str, true
}
