package command

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
)

// Hash commands (Redis's t_hash.c).
func hashCommands() []*Spec {
	return []*Spec{
		{Name: "hset", Handler: hsetCommand},
		{Name: "hmset", Handler: hmsetCommand},
		{Name: "hsetnx", Handler: hsetnxCommand},
		{Name: "hget", Handler: hgetCommand},
		{Name: "hmget", Handler: hmgetCommand},
		{Name: "hgetall", Handler: hgetallCommand},
		{Name: "hkeys", Handler: hkeysCommand},
		{Name: "hvals", Handler: hvalsCommand},
		{Name: "hdel", Handler: hdelCommand},
		{Name: "hlen", Handler: hlenCommand},
		{Name: "hstrlen", Handler: hstrlenCommand},
		{Name: "hexists", Handler: hexistsCommand},
		{Name: "hincrby", Handler: hincrbyCommand},
		{Name: "hincrbyfloat", Handler: hincrbyfloatCommand},
		{Name: "hrandfield", Handler: hrandfieldCommand},
		{Name: "hscan", Handler: hscanCommand},
	}
}

// hashLimits reads hash-max-listpack-entries / hash-max-listpack-value
// (and their ziplist aliases) from the live config.
func hashLimits(c *Ctx) hash.Limits {
	if c.E.Cfg == nil {
		return hash.DefaultLimits()
	}
	return hash.Limits{
		MaxListpackEntries: int(c.E.Cfg.HashMaxListpackEntries.Load()),
		MaxListpackValue:   int(c.E.Cfg.HashMaxListpackValue.Load()),
	}
}

// hashOf is checkType(OBJ_HASH) on a found entry.
func hashOf(c *Ctx, e keyspace.Entry) (*hash.Hash, bool) {
	if e.Type != keyspace.TypeHash {
		c.Error(ErrWrongType)
		return nil, false
	}
	h, isHash := e.Obj.(*hash.Hash)
	if !isHash {
		panic("BUG: hash key without a *hash.Hash value")
	}
	return h, true
}

// hashLookupWrite is lookupKeyWrite + checkType: h is nil for a missing
// key; ok is false after a WRONGTYPE reply.
func hashLookupWrite(c *Ctx, key []byte) (h *hash.Hash, ok bool) {
	e, found := c.DB.Lookup(key)
	if !found {
		return nil, true
	}
	return hashOf(c, e)
}

// hashLookupRead is lookupKeyRead (hit/miss statistics, keymiss event) +
// checkType.
func hashLookupRead(c *Ctx, key []byte) (h *hash.Hash, ok bool) {
	e, found := lookupKeyRead(c, key)
	if !found {
		return nil, true
	}
	return hashOf(c, e)
}

// hashLookupWriteOrCreate is hashTypeLookupWriteOrCreate: the hash at key,
// a new empty one stored at key if it is missing.
func hashLookupWriteOrCreate(c *Ctx, key []byte) (*hash.Hash, bool) {
	h, ok := hashLookupWrite(c, key)
	if !ok || h != nil {
		return h, ok
	}
	h = &hash.Hash{}
	c.DB.SetObject(key, keyspace.TypeHash, h, keyspace.NoExpire)
	return h, true
}

// hashSetPairs is the body of HSET and HMSET: it sets the field/value pairs
// of argv[2:] and returns how many fields were new. The caller checked that
// the pairs are complete.
func hashSetPairs(c *Ctx) (created int64, ok bool) {
	key := c.Argv[1]
	h, ok := hashLookupWriteOrCreate(c, key)
	if !ok {
		return 0, false
	}
	lim := hashLimits(c)
	h.Reserve(c.Argv[2:], lim)
	for i := 2; i+1 < len(c.Argv); i += 2 {
		if h.Set(c.Argv[i], c.Argv[i+1], lim) {
			created++
		}
	}
	c.Modified(key)
	c.Notify('h', "hset", key)
	return created, true
}

// HSET key field value [field value ...]
func hsetCommand(c *Ctx) {
	if len(c.Argv)%2 == 1 {
		c.WrongArity()
		return
	}
	if n, ok := hashSetPairs(c); ok {
		c.W.Int(n)
	}
}

// HMSET key field value [field value ...]: HSET replying +OK.
func hmsetCommand(c *Ctx) {
	if len(c.Argv)%2 == 1 {
		c.WrongArity()
		return
	}
	if _, ok := hashSetPairs(c); ok {
		c.W.OK()
	}
}

// HSETNX key field value
func hsetnxCommand(c *Ctx) {
	key := c.Argv[1]
	h, ok := hashLookupWriteOrCreate(c, key)
	if !ok {
		return
	}
	if !h.SetNX(c.Argv[2], c.Argv[3], hashLimits(c)) {
		c.W.Int(0)
		return
	}
	c.W.Int(1)
	c.Modified(key)
	c.Notify('h', "hset", key)
}

// HGET key field
func hgetCommand(c *Ctx) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	if v, found := h.Get(c.Argv[2]); found {
		c.W.Bulk(v)
		return
	}
	c.W.Null()
}

// HMGET key field [field ...]: a missing key is an empty hash.
func hmgetCommand(c *Ctx) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, f := range c.Argv[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.Null()
	}
}

// What genericHgetallCommand returns (OBJ_HASH_KEY, OBJ_HASH_VALUE).
const (
	hashKeys   = 1
	hashValues = 2
)

// hgetallGeneric is genericHgetallCommand: HGETALL replies with a map,
// HKEYS and HVALS with an array.
func hgetallGeneric(c *Ctx, what int) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashKeys|hashValues {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f, v []byte) bool {
		if what&hashKeys != 0 {
			c.W.Bulk(f)
		}
		if what&hashValues != 0 {
			c.W.Bulk(v)
		}
		return true
	})
}

func hgetallCommand(c *Ctx) { hgetallGeneric(c, hashKeys|hashValues) }
func hkeysCommand(c *Ctx)   { hgetallGeneric(c, hashKeys) }
func hvalsCommand(c *Ctx)   { hgetallGeneric(c, hashValues) }

// HDEL key field [field ...]: the key goes when its last field does.
func hdelCommand(c *Ctx) {
	key := c.Argv[1]
	h, ok := hashLookupWrite(c, key)
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(removeElements(c, key, c.Argv[2:], h.Delete, h.Len, 'h', "hdel"))
}

// removeElements is the loop of HDEL and SREM: it removes each element,
// deletes the key when the last one goes (and stops there, as Redis), and
// signals the change and its events. It returns how many were removed.
func removeElements(c *Ctx, key []byte, elems [][]byte, remove func([]byte) bool, length func() int, class byte, event string) int64 {
	deleted := int64(0)
	removed := false
	for _, el := range elems {
		if remove(el) {
			deleted++
			if length() == 0 {
				c.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.Modified(key)
		c.Notify(class, event, key)
		if removed {
			c.Notify('g', "del", key)
		}
	}
	return deleted
}

// HLEN key
func hlenCommand(c *Ctx) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

// HSTRLEN key field
func hstrlenCommand(c *Ctx) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.StrLen(c.Argv[2])))
}

// HEXISTS key field
func hexistsCommand(c *Ctx) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil || !h.Exists(c.Argv[2]) {
		c.W.Int(0)
		return
	}
	c.W.Int(1)
}

// HINCRBY key field increment. The increment is parsed before the key is
// looked up, as in hincrbyCommand.
func hincrbyCommand(c *Ctx) {
	incr, ok := parseInt(c.Argv[3])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	h, ok := hashLookupWrite(c, key)
	if !ok {
		return
	}
	var value int64
	if h != nil {
		if v, found := h.Get(field); found {
			if value, ok = parseInt(v); !ok {
				c.Error(ErrHashNotInt)
				return
			}
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.Error(ErrOverflow)
		return
	}
	value += incr
	if h == nil {
		h, _ = hashLookupWriteOrCreate(c, key)
	}
	var buf [20]byte
	h.Set(field, strconv.AppendInt(buf[:0], value, 10), hashLimits(c))
	c.W.Int(value)
	c.Modified(key)
	c.Notify('h', "hincrby", key)
}

// HINCRBYFLOAT key field increment, in long double arithmetic like
// INCRBYFLOAT.
func hincrbyfloatCommand(c *Ctx) {
	var value, incr longDouble
	if !incr.parse(c.Argv[3]) {
		c.Error(ErrNotFloat)
		return
	}
	if incr.inf != 0 {
		c.Error(ErrHashNaNOrInf)
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	h, ok := hashLookupWrite(c, key)
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.Get(field); found && !value.parse(v) {
			c.Error(ErrHashNotFloat)
			return
		}
	}
	if !value.add(&incr) {
		c.Error(ErrNaNOrInf)
		return
	}
	if h == nil {
		h, _ = hashLookupWriteOrCreate(c, key)
	}
	s := value.appendHuman(nil)
	h.Set(field, s, hashLimits(c))
	c.W.Bulk(s)
	c.Modified(key)
	c.Notify('h', "hincrbyfloat", key)
	// Propagated as HSET: replicas must not redo the float arithmetic.
	c.Rewrite([]byte("HSET"), key, field, s)
}

// HRANDFIELD key [count [WITHVALUES]]
func hrandfieldCommand(c *Ctx) {
	r := rand.New(zrandSource{})
	if len(c.Argv) >= 3 {
		if l, withValues, ok := parseRandCount(c, "withvalues"); ok {
			hrandfieldWithCount(c, r, l, withValues)
		}
		return
	}
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	f, _ := h.RandomField(r)
	c.W.Bulk(f)
}

// hrandfieldWithCount is hrandfieldWithCountCommand: a negative count picks
// that many fields independently, a positive one distinct fields (the whole
// hash, in order, when count >= HLEN). With values, RESP2 gets a flat
// array, RESP3 an array of [field, value] pairs.
func hrandfieldWithCount(c *Ctx, r *rand.Rand, l int64, withValues bool) {
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.W.Array(0)
		return
	}
	n := int64(h.Len())
	if l > 0 {
		n = min(l, n)
	} else {
		n = -l
	}
	if withValues && c.W.Proto < 3 {
		c.W.Array(int(2 * n))
	} else {
		c.W.Array(int(n))
	}
	h.RandomFields(r, l, func(f, v []byte) bool {
		if withValues && c.W.Proto >= 3 {
			c.W.Array(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
		return true
	})
}

// scanOptions parses the COUNT and MATCH options of HSCAN, SSCAN (and
// ZSCAN) from argv[3:], as scanGenericCommand does. pat is nil when every
// element matches.
func scanOptions(c *Ctx) (count int, pat []byte, ok bool) {
	n := int64(10)
	for i := 3; i < len(c.Argv); i += 2 {
		more := len(c.Argv) - i
		switch {
		case cstrIs(c.Argv[i], "count") && more >= 2:
			v, isInt := parseInt(c.Argv[i+1])
			if !isInt {
				c.Error(ErrNotInt)
				return 0, nil, false
			}
			if v < 1 {
				c.Error(ErrSyntax)
				return 0, nil, false
			}
			n = v
		case cstrIs(c.Argv[i], "match") && more >= 2:
			pat = c.Argv[i+1]
			if len(pat) == 1 && pat[0] == '*' {
				pat = nil
			}
		default:
			c.Error(ErrSyntax)
			return 0, nil, false
		}
	}
	// Capped so that the iteration budget, 10 (or 20) × COUNT, cannot
	// overflow.
	return int(min(n, 1<<56)), pat, true
}

// writeEmptyScan is Redis's shared.emptyscan: cursor 0, no elements.
func writeEmptyScan(c *Ctx) {
	c.W.Array(2)
	c.W.BulkString("0")
	c.W.Array(0)
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: scanGenericCommand for a
// hash. A listpack is returned whole with cursor 0; a hashtable is walked
// one bucket at a time until COUNT fields were collected or 10×2×COUNT
// buckets were visited (Redis doubles COUNT for hashes because its list
// holds fields and values).
func hscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrInvalidCursor)
		return
	}
	h, ok := hashLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		writeEmptyScan(c)
		return
	}
	count, pat, ok := scanOptions(c)
	if !ok {
		return
	}
	var sc scanBuf
	collect := func(f, v []byte) {
		if pat == nil || StringMatch(pat, f, false) {
			sc.add(f)
			sc.add(v)
		}
	}
	if h.Encoding() == hash.EncodingListpack {
		cursor = h.Scan(0, collect)
	} else {
		seen := 0
		counting := func(f, v []byte) {
			seen++
			collect(f, v)
		}
		budget := 20 * count // maxiterations = 10 × (COUNT×2)
		for {
			cursor = h.Scan(cursor, counting)
			if cursor == 0 || budget == 0 || seen >= count {
				break
			}
			budget--
		}
	}
	sc.reply(c, cursor)
}

// scanBuf collects the strings of one HSCAN or SSCAN reply in one buffer:
// the slices the value types hand to Scan callbacks are valid only during
// the call.
type scanBuf struct {
	buf  []byte
	ends []int
}

func (sc *scanBuf) add(b []byte) {
	sc.buf = append(sc.buf, b...)
	sc.ends = append(sc.ends, len(sc.buf))
}

// reply writes [cursor, [strings...]].
func (sc *scanBuf) reply(c *Ctx, cursor uint64) {
	c.W.Array(2)
	c.W.BulkInt(int64(cursor)) // addReplyBulkLongLong
	c.W.Array(len(sc.ends))
	start := 0
	for _, end := range sc.ends {
		c.W.Bulk(sc.buf[start:end])
		start = end
	}
}
