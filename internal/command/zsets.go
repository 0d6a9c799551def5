package command

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// Sorted set commands (Redis's t_zset.c). The value is a *zset.ZSet; the
// blocking variants (BZPOPMIN, BZPOPMAX, BZMPOP) live with the blocking
// code and serve clients through zsetPop.
func zsetCommands() []*Spec {
	return []*Spec{
		{Name: "zadd", Handler: zaddCommand},
		{Name: "zincrby", Handler: zincrbyCommand},
		{Name: "zrem", Handler: zremCommand},
		{Name: "zremrangebyrank", Handler: zremrangebyrankCommand},
		{Name: "zremrangebyscore", Handler: zremrangebyscoreCommand},
		{Name: "zremrangebylex", Handler: zremrangebylexCommand},
		{Name: "zunionstore", Handler: zunionstoreCommand},
		{Name: "zinterstore", Handler: zinterstoreCommand},
		{Name: "zdiffstore", Handler: zdiffstoreCommand},
		{Name: "zunion", Handler: zunionCommand},
		{Name: "zinter", Handler: zinterCommand},
		{Name: "zintercard", Handler: zintercardCommand},
		{Name: "zdiff", Handler: zdiffCommand},
		{Name: "zrange", Handler: zrangeCommand},
		{Name: "zrangestore", Handler: zrangestoreCommand},
		{Name: "zrevrange", Handler: zrevrangeCommand},
		{Name: "zrangebyscore", Handler: zrangebyscoreCommand},
		{Name: "zrevrangebyscore", Handler: zrevrangebyscoreCommand},
		{Name: "zrangebylex", Handler: zrangebylexCommand},
		{Name: "zrevrangebylex", Handler: zrevrangebylexCommand},
		{Name: "zcount", Handler: zcountCommand},
		{Name: "zlexcount", Handler: zlexcountCommand},
		{Name: "zcard", Handler: zcardCommand},
		{Name: "zscore", Handler: zscoreCommand},
		{Name: "zmscore", Handler: zmscoreCommand},
		{Name: "zrank", Handler: zrankCommand},
		{Name: "zrevrank", Handler: zrevrankCommand},
		{Name: "zscan", Handler: zscanCommand},
		{Name: "zpopmin", Handler: zpopminCommand},
		{Name: "zpopmax", Handler: zpopmaxCommand},
		{Name: "zmpop", Handler: zmpopCommand},
		{Name: "zrandmember", Handler: zrandmemberCommand},
	}
}

// zsetLimits reads zset-max-listpack-entries / zset-max-listpack-value
// (and their ziplist aliases) from the live config.
func zsetLimits(c *Ctx) zset.Limits {
	if c.E.Cfg == nil {
		return zset.DefaultLimits()
	}
	return zset.Limits{
		MaxListpackEntries: int(c.E.Cfg.ZsetMaxListpackEntries.Load()),
		MaxListpackValue:   int(c.E.Cfg.ZsetMaxListpackValue.Load()),
	}
}

// zsetLookupWrite is lookupKeyWrite followed by checkType: z is nil for a
// missing key; ok is false after a WRONGTYPE reply.
func zsetLookupWrite(c *Ctx, key []byte) (z *zset.ZSet, ok bool) {
	e, found := c.DB.Lookup(key)
	if !found {
		return nil, true
	}
	if e.Type != keyspace.TypeZSet {
		c.Error(ErrWrongType)
		return nil, false
	}
	return e.Obj.(*zset.ZSet), true
}

// zsetLookupRead is lookupKeyRead (hit/miss statistics, keymiss event)
// followed by checkType.
func zsetLookupRead(c *Ctx, key []byte) (z *zset.ZSet, ok bool) {
	e, found := lookupKeyRead(c, key)
	if !found {
		return nil, true
	}
	if e.Type != keyspace.TypeZSet {
		c.Error(ErrWrongType)
		return nil, false
	}
	return e.Obj.(*zset.ZSet), true
}

// zsetArrayLen writes the header of a reply of n elements. With scores,
// RESP2 gets one flat array of member, score, member, score...; RESP3 an
// array of [member, score] pairs (not a map: the order matters), see
// zrangeResultBeginClient.
func zsetArrayLen(c *Ctx, n int, withScores bool) {
	if withScores && c.W.Proto < 3 {
		c.W.Array(2 * n)
		return
	}
	c.W.Array(n)
}

// zsetReplyElem writes one element of a reply headed by zsetArrayLen.
func zsetReplyElem(c *Ctx, member []byte, score float64, withScores bool) {
	if withScores && c.W.Proto >= 3 {
		c.W.Array(2)
	}
	c.W.Bulk(member)
	if withScores {
		c.W.Double(score)
	}
}

// ---------------------------------------------------------------------------
// Score parsing: C's strtod, as Redis uses it.

// strtod is glibc's strtod (C locale) on the C string in b, which ends at
// the first NUL: leading white space, an optional sign, then a decimal or
// hexadecimal ("0x") number with an optional exponent, "inf", "infinity" or
// "nan[(chars)]", all case-insensitive. It returns the value, how many
// bytes were consumed (0: no conversion) and whether errno would be ERANGE
// (overflow to ±Inf, or a nonzero value that rounds to zero).
func strtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	if len(rest) >= 3 && bytesEqualFold(rest[:3], "inf") {
		n = i + 3
		if len(rest) >= 8 && bytesEqualFold(rest[:8], "infinity") {
			n = i + 8
		}
		if neg {
			return math.Inf(-1), n, false
		}
		return math.Inf(1), n, false
	}
	if len(rest) >= 3 && bytesEqualFold(rest[:3], "nan") {
		n = i + 3
		if n < len(b) && b[n] == '(' {
			k := n + 1
			for k < len(b) && (isAlnum(b[k]) || b[k] == '_') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				n = k + 1
			}
		}
		return math.NaN(), n, false
	}
	hex := len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')
	isDigit := isDecDigit
	j := 0
	expChar := byte('e')
	if hex {
		isDigit = isHexDigit
		j = 2
		expChar = 'p'
	}
	digits, nonzero := 0, false
	for ; j < len(rest) && isDigit(rest[j]); j++ {
		digits++
		nonzero = nonzero || rest[j] != '0'
	}
	if j < len(rest) && rest[j] == '.' {
		for j++; j < len(rest) && isDigit(rest[j]); j++ {
			digits++
			nonzero = nonzero || rest[j] != '0'
		}
	}
	if digits == 0 {
		if hex { // "0x" without digits: only the "0" converts
			if neg {
				return math.Copysign(0, -1), i + 1, false
			}
			return 0, i + 1, false
		}
		return 0, 0, false
	}
	hasExp := false
	if j < len(rest) && (rest[j]|0x20) == expChar {
		k := j + 1
		if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
			k++
		}
		if k < len(rest) && isDecDigit(rest[k]) {
			for k < len(rest) && isDecDigit(rest[k]) {
				k++
			}
			j, hasExp = k, true
		}
	}
	n = i + j
	num := b[start:n]
	var tmp [64]byte
	if hex && !hasExp { // Go wants the binary exponent of a hex float
		num = append(append(tmp[:0], num...), 'p', '0')
	}
	v, err := strconv.ParseFloat(string(num), 64)
	if err != nil && !math.IsInf(v, 0) && v != 0 {
		panic("BUG: strtod: cannot parse validated number " + strconv.Quote(string(num)) + ": " + err.Error())
	}
	erange = math.IsInf(v, 0) || (v == 0 && nonzero)
	return v, n, erange
}

func isDecDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDecDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func isAlnum(c byte) bool {
	return isDecDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// parseScore is Redis's string2d (getDoubleFromObject): the whole argument
// must be a number, with no leading space; NaN, overflow and underflow to
// zero are refused. Hex floats and "inf" are accepted, as strtod does.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtod(b)
	if n != len(b) || math.IsNaN(v) || (erange && (math.IsInf(v, 0) || v == 0)) {
		return 0, false
	}
	return v, true
}

// parseRangeScore parses one end of a score range as zslParseRange: an
// optional "(" for an exclusive end, then strtod, which must reach the end
// of the C string. Unlike parseScore it accepts leading spaces, the empty
// string (0) and out-of-range values (±inf, 0).
func parseRangeScore(b []byte) (v float64, exclusive, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		exclusive = true
		b = b[1:]
	}
	v, n, _ := strtod(b)
	if n < len(b) && b[n] != 0 {
		return 0, false, false
	}
	if math.IsNaN(v) {
		return 0, false, false
	}
	return v, exclusive, true
}

// parseScoreRange is zslParseRange.
func parseScoreRange(min, max []byte) (r zset.ScoreRange, ok bool) {
	var okMin, okMax bool
	r.Min, r.MinEx, okMin = parseRangeScore(min)
	r.Max, r.MaxEx, okMax = parseRangeScore(max)
	return r, okMin && okMax
}

// parseLexRange is zslParseLexRange.
func parseLexRange(min, max []byte) (r zset.LexRange, ok bool) {
	var okMin, okMax bool
	r.Min, okMin = zset.ParseLexBound(min)
	r.Max, okMax = zset.ParseLexBound(max)
	return r, okMin && okMax
}

// appendListpackScore formats a score as a listpack stores it (zzlInsertAt):
// an integral value within ±2^62 as an integer (double2ll; this also makes
// -0 "0"), anything else as d2string does ("%.17g", "inf", "-inf"). ZSCAN
// replies with this text for a listpack-encoded set.
func appendListpackScore(dst []byte, v float64) []byte {
	const lim = 1 << 62 // LLONG_MAX/2 as a double
	if v >= -lim && v <= lim && v == math.Trunc(v) {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return resp.AppendDouble(dst, v)
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY

// ZADD input flags (ZADD_IN_* in server.h).
const (
	zaddIncr = 1 << iota
	zaddNX
	zaddXX
	zaddGT
	zaddLT
)

// zsetAdd outcomes (ZADD_OUT_*).
const (
	zaddOutNaN = 1 << iota
	zaddOutAdded
	zaddOutUpdated
	zaddOutNop
)

// zsetAdd is Redis's zsetAdd: it adds member or updates its score under
// the ZADD flags and returns the outcome and the resulting score.
func zsetAdd(z *zset.ZSet, score float64, member []byte, flags int, lim zset.Limits) (out int, newScore float64) {
	if math.IsNaN(score) {
		return zaddOutNaN, 0
	}
	cur, exists := z.Score(member)
	if exists {
		if flags&zaddNX != 0 {
			return zaddOutNop, 0
		}
		if flags&zaddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return zaddOutNaN, 0
			}
		}
		if (flags&zaddLT != 0 && score >= cur) || (flags&zaddGT != 0 && score <= cur) {
			return zaddOutNop, 0
		}
		if score != cur {
			z.Update(member, score)
			out = zaddOutUpdated
		}
		return out, score
	}
	if flags&zaddXX != 0 {
		return zaddOutNop, 0
	}
	z.Insert(member, score, lim)
	return zaddOutAdded, score
}

func zaddCommand(c *Ctx) { zaddGeneric(c, 0) }

func zincrbyCommand(c *Ctx) { zaddGeneric(c, zaddIncr) }

// zaddGeneric is zaddGenericCommand (ZADD and ZINCRBY).
func zaddGeneric(c *Ctx, flags int) {
	key := c.Argv[1]
	ch := false
	idx := 2
options:
	for ; idx < len(c.Argv); idx++ {
		a := c.Argv[idx]
		switch {
		case cstrIs(a, "nx"):
			flags |= zaddNX
		case cstrIs(a, "xx"):
			flags |= zaddXX
		case cstrIs(a, "ch"):
			ch = true
		case cstrIs(a, "incr"):
			flags |= zaddIncr
		case cstrIs(a, "gt"):
			flags |= zaddGT
		case cstrIs(a, "lt"):
			flags |= zaddLT
		default:
			break options
		}
	}
	incr := flags&zaddIncr != 0
	nx, xx := flags&zaddNX != 0, flags&zaddXX != 0
	gt, lt := flags&zaddGT != 0, flags&zaddLT != 0
	elements := len(c.Argv) - idx
	if elements%2 != 0 || elements == 0 {
		c.Error(ErrSyntax)
		return
	}
	elements /= 2
	if nx && xx {
		c.Error(ErrZaddNXXX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.Error(ErrZaddGTLTNX)
		return
	}
	if incr && elements > 1 {
		c.Error(ErrZaddIncrPair)
		return
	}
	// Parse every score first: the command runs fully or not at all.
	var scratch [8]float64
	scores := scratch[:0]
	for j := 0; j < elements; j++ {
		v, ok := parseScore(c.Argv[idx+2*j])
		if !ok {
			c.Error(ErrNotFloat)
			return
		}
		scores = append(scores, v)
	}
	z, ok := zsetLookupWrite(c, key)
	if !ok {
		return
	}
	lim := zsetLimits(c)
	added, updated, processed := 0, 0, 0
	var score float64
	if z == nil {
		if xx {
			zaddReply(c, incr, ch, processed, added, updated, score)
			return
		}
		z = zset.New(lim, 0, len(c.Argv[idx+1]))
		// The key is stored right away as dbAdd does: a new key wakes
		// clients blocked on it once the command is done.
		c.DB.SetObject(key, keyspace.TypeZSet, z, keyspace.NoExpire)
	}
	for j, s := range scores {
		out, newScore := zsetAdd(z, s, c.Argv[idx+2*j+1], flags, lim)
		if out&zaddOutNaN != 0 {
			c.Error(ErrZsetNaN)
			break
		}
		if out&zaddOutAdded != 0 {
			added++
		}
		if out&zaddOutUpdated != 0 {
			updated++
		}
		if out&zaddOutNop == 0 {
			processed++
		}
		score = newScore
		if j == len(scores)-1 {
			zaddReply(c, incr, ch, processed, added, updated, score)
		}
	}
	if added > 0 || updated > 0 {
		c.Modified(key)
		event := "zadd"
		if incr {
			event = "zincr"
		}
		c.Notify('z', event, key)
	}
}

func zaddReply(c *Ctx, incr, ch bool, processed, added, updated int, score float64) {
	switch {
	case incr && processed > 0:
		c.W.Double(score)
	case incr:
		c.W.Null()
	case ch:
		c.W.Int(int64(added + updated))
	default:
		c.W.Int(int64(added))
	}
}

// ---------------------------------------------------------------------------
// ZREM, ZREMRANGEBY*

func zremCommand(c *Ctx) {
	key := c.Argv[1]
	z, ok := zsetLookupWrite(c, key)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range c.Argv[2:] {
		if z.Delete(m) {
			deleted++
		}
		if z.Len() == 0 {
			c.DB.Delete(key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		c.Notify('z', "zrem", key)
		if removed {
			c.Notify('g', "del", key)
		}
		c.Modified(key)
	}
	c.W.Int(int64(deleted))
}

// zrangeType is the kind of range of ZRANGE and friends (zrange_type).
type zrangeType uint8

const (
	zrangeAuto zrangeType = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

func zremrangebyrankCommand(c *Ctx)  { zremrangeGeneric(c, zrangeRank) }
func zremrangebyscoreCommand(c *Ctx) { zremrangeGeneric(c, zrangeScore) }
func zremrangebylexCommand(c *Ctx)   { zremrangeGeneric(c, zrangeLex) }

// zremrangeGeneric is zremrangeGenericCommand.
func zremrangeGeneric(c *Ctx, rt zrangeType) {
	key := c.Argv[1]
	var start, end int64
	var sr zset.ScoreRange
	var lr zset.LexRange
	var event string
	switch rt {
	case zrangeRank:
		event = "zremrangebyrank"
		var ok1, ok2 bool
		start, ok1 = parseInt(c.Argv[2])
		end, ok2 = parseInt(c.Argv[3])
		if !ok1 || !ok2 {
			c.Error(ErrNotInt)
			return
		}
	case zrangeScore:
		event = "zremrangebyscore"
		var ok bool
		if sr, ok = parseScoreRange(c.Argv[2], c.Argv[3]); !ok {
			c.Error(ErrMinMaxNotFloat)
			return
		}
	case zrangeLex:
		event = "zremrangebylex"
		var ok bool
		if lr, ok = parseLexRange(c.Argv[2], c.Argv[3]); !ok {
			c.Error(ErrMinMaxNotLex)
			return
		}
	}
	z, ok := zsetLookupWrite(c, key)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	var deleted int
	switch rt {
	case zrangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		start = max(start, 0)
		if start > end || start >= llen {
			c.W.Int(0)
			return
		}
		end = min(end, llen-1)
		deleted = z.DeleteRangeByRank(int(start), int(end))
	case zrangeScore:
		deleted = z.DeleteRangeByScore(sr)
	case zrangeLex:
		deleted = z.DeleteRangeByLex(lr)
	}
	removed := false
	if z.Len() == 0 {
		c.DB.Delete(key)
		removed = true
	}
	if deleted > 0 {
		c.Modified(key)
		c.Notify('z', event, key)
		if removed {
			c.Notify('g', "del", key)
		}
	}
	c.W.Int(int64(deleted))
}

// ---------------------------------------------------------------------------
// ZRANGE and friends

func zrangeCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeAuto, false, false) }

func zrangestoreCommand(c *Ctx) { zrangeGeneric(c, 2, true, zrangeAuto, false, false) }

func zrevrangeCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeRank, true, true) }

func zrangebyscoreCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeScore, true, false) }

func zrevrangebyscoreCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeScore, true, true) }

func zrangebylexCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeLex, true, false) }

func zrevrangebylexCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeLex, true, true) }

// zrangeGeneric is zrangeGenericCommand: src is the index of the source
// key, store makes it ZRANGESTORE (destination argv[1]), fixedDir says the
// command fixes the direction (rev) instead of accepting REV.
func zrangeGeneric(c *Ctx, src int, store bool, rt zrangeType, fixedDir, rev bool) {
	key := c.Argv[src]
	minIdx, maxIdx := src+1, src+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := src + 3; j < len(c.Argv); j++ {
		a := c.Argv[j]
		left := len(c.Argv) - j - 1
		switch {
		case !store && cstrIs(a, "withscores"):
			withScores = true
		case cstrIs(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = parseInt(c.Argv[j+1]); !ok {
				c.Error(ErrNotInt)
				return
			}
			if limit, ok = parseInt(c.Argv[j+2]); !ok {
				c.Error(ErrNotInt)
				return
			}
			j += 2
		case !fixedDir && cstrIs(a, "rev"):
			fixedDir, rev = true, true
		case rt == zrangeAuto && cstrIs(a, "bylex"):
			rt = zrangeLex
		case rt == zrangeAuto && cstrIs(a, "byscore"):
			rt = zrangeScore
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if rt == zrangeAuto {
		rt = zrangeRank
	}
	if limit != -1 && rt == zrangeRank {
		c.Error(ErrZrangeLimit)
		return
	}
	if withScores && rt == zrangeLex {
		c.Error(ErrZrangeLexScores)
		return
	}
	if rev && rt != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx // the range is given as max, min
	}
	var start, end int64
	var sr zset.ScoreRange
	var lr zset.LexRange
	switch rt {
	case zrangeRank:
		var ok1, ok2 bool
		start, ok1 = parseInt(c.Argv[minIdx])
		end, ok2 = parseInt(c.Argv[maxIdx])
		if !ok1 || !ok2 {
			c.Error(ErrNotInt)
			return
		}
	case zrangeScore:
		var ok bool
		if sr, ok = parseScoreRange(c.Argv[minIdx], c.Argv[maxIdx]); !ok {
			c.Error(ErrMinMaxNotFloat)
			return
		}
	case zrangeLex:
		var ok bool
		if lr, ok = parseLexRange(c.Argv[minIdx], c.Argv[maxIdx]); !ok {
			c.Error(ErrMinMaxNotLex)
			return
		}
	}
	e, found := lookupKeyRead(c, key)
	if !found {
		if store {
			zrangeStore(c, nil, 0)
		} else {
			c.W.Array(0)
		}
		return
	}
	if e.Type != keyspace.TypeZSet {
		c.Error(ErrWrongType)
		return
	}
	z := e.Obj.(*zset.ZSet)
	var it zset.Iterator
	sizeHint := 0 // ZRANGESTORE: createZsetObject only when a rank range is known to be large
	switch rt {
	case zrangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		start = max(start, 0)
		if start <= end && start < llen {
			end = min(end, llen-1)
			it = z.RangeByRank(int(start), int(end), rev)
			sizeHint = it.Len()
		}
	case zrangeScore:
		it = z.RangeByScore(sr, rev, clampInt(offset), clampInt(limit))
	case zrangeLex:
		it = z.RangeByLex(lr, rev, clampInt(offset), clampInt(limit))
	}
	if store {
		zrangeStore(c, &it, sizeHint)
		return
	}
	zsetArrayLen(c, it.Len(), withScores)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		zsetReplyElem(c, m, s, withScores)
	}
}

// clampInt converts a C long to int (the same on 64-bit platforms).
func clampInt(v int64) int {
	return int(max(min(v, math.MaxInt), math.MinInt))
}

// zrangeStore stores the range it walks into ZRANGESTORE's destination
// (zrangeResultBeginStore / zrangeResultFinalizeStore): a rank range known
// to exceed zset-max-listpack-entries starts in the large encoding, anything
// else as a listpack that converts as it grows. An empty result deletes the
// destination.
func zrangeStore(c *Ctx, it *zset.Iterator, sizeHint int) {
	dst := c.Argv[1]
	n := 0
	if it != nil {
		n = it.Len()
	}
	if n == 0 {
		c.W.Int(0)
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify('g', "del", dst)
		}
		return
	}
	lim := zsetLimits(c)
	z := zset.New(lim, sizeHint, 0)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		z.Insert(m, s, lim)
	}
	c.DB.SetObject(dst, keyspace.TypeZSet, z, keyspace.NoExpire)
	c.Modified(dst)
	c.W.Int(int64(n))
	c.Notify('z', "zrangestore", dst)
}

func zcountCommand(c *Ctx) {
	r, ok := parseScoreRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrMinMaxNotFloat)
		return
	}
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountScore(r)))
}

func zlexcountCommand(c *Ctx) {
	r, ok := parseLexRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrMinMaxNotLex)
		return
	}
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountLex(r)))
}

// ---------------------------------------------------------------------------
// ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK

func zcardCommand(c *Ctx) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.Len()))
}

func zscoreCommand(c *Ctx) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	if s, ok := z.Score(c.Argv[2]); ok {
		c.W.Double(s)
	} else {
		c.W.Null()
	}
}

func zmscoreCommand(c *Ctx) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		if z == nil {
			c.W.Null() // a missing key is an empty set
			continue
		}
		if s, ok := z.Score(m); ok {
			c.W.Double(s)
		} else {
			c.W.Null()
		}
	}
}

func zrankCommand(c *Ctx) { zrankGeneric(c, false) }

func zrevrankCommand(c *Ctx) { zrankGeneric(c, true) }

func zrankGeneric(c *Ctx, reverse bool) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	if r, ok := z.Rank(c.Argv[2], reverse); ok {
		c.W.Int(int64(r))
	} else {
		c.W.Null()
	}
}

// ---------------------------------------------------------------------------
// ZSCAN

// zscanCommand is ZSCAN key cursor [MATCH pattern] [COUNT count], Redis's
// scanGenericCommand for a sorted set: a listpack is returned whole with
// cursor 0; the large encoding is walked bucket by bucket until COUNT
// elements (or 10×2×COUNT buckets) were seen. Scores are strings: as
// stored in the listpack, or "%.17g" for the large encoding.
func zscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrInvalidCursor)
		return
	}
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Array(2)
		c.W.BulkString("0")
		c.W.Array(0)
		return
	}
	count := int64(10)
	var pat []byte
	usePat := false
	for i := 3; i < len(c.Argv); i += 2 {
		more := len(c.Argv) - i
		switch {
		case cstrIs(c.Argv[i], "count") && more >= 2:
			n, ok := parseInt(c.Argv[i+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return
			}
			count = n
		case cstrIs(c.Argv[i], "match") && more >= 2:
			pat = c.Argv[i+1]
			usePat = !(len(pat) == 1 && pat[0] == '*')
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	type elem struct {
		m []byte
		s float64
	}
	var elems []elem
	collect := func(m []byte, s float64) { elems = append(elems, elem{m, s}) }
	listpack := z.Encoding() == zset.EncodingListpack
	if listpack {
		cursor = z.Scan(0, collect)
	} else {
		want := int(min(count, 1<<56))
		budget := 20 * want // maxiterations: ten times COUNT, which counts members and scores
		for {
			cursor = z.Scan(cursor, collect)
			if cursor == 0 || budget == 0 || len(elems) >= want {
				break
			}
			budget--
		}
	}
	n := 0
	for _, e := range elems {
		if !usePat || StringMatch(pat, e.m, false) {
			elems[n] = e
			n++
		}
	}
	c.W.Array(2)
	c.W.BulkInt(int64(cursor))
	c.W.Array(2 * n)
	var buf [32]byte
	for _, e := range elems[:n] {
		c.W.Bulk(e.m)
		if listpack {
			c.W.Bulk(appendListpackScore(buf[:0], e.s))
		} else {
			c.W.Bulk(resp.AppendDouble(buf[:0], e.s))
		}
	}
}

// ---------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP

// zpopShape is the reply shape of a pop (genericZpopCommand's emitkey and
// use_nested_array).
type zpopShape uint8

const (
	zpopFlat      zpopShape = iota // ZPOPMIN/ZPOPMAX: member, score, member, score...
	zpopNested                     // ZPOPMIN/ZPOPMAX with a count in RESP3: [[member, score]...]
	zpopWithKey                    // BZPOPMIN/BZPOPMAX: [key, member, score]
	zpopKeyNested                  // ZMPOP/BZMPOP: [key, [[member, score]...]]
)

// zsetPop pops up to count (>= 1) elements, the lowest or (max) the
// highest, from the sorted set at key and replies with them in the given
// shape; the key is deleted when it becomes empty. It reports false, and
// writes nothing, when key holds no sorted set. The caller holds key's
// shard; the blocking commands call it to serve a client once key exists.
func zsetPop(c *Ctx, key []byte, max bool, count int, shape zpopShape) bool {
	e, found := c.DB.Lookup(key)
	if !found || e.Type != keyspace.TypeZSet {
		return false
	}
	z := e.Obj.(*zset.ZSet)
	n := min(count, z.Len())
	if n <= 0 {
		return false
	}
	nested := false
	switch shape {
	case zpopFlat:
		c.W.Array(2 * n)
	case zpopNested:
		c.W.Array(n)
		nested = true
	case zpopWithKey:
		c.W.Array(2*n + 1)
		c.W.Bulk(key)
	case zpopKeyNested:
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(n)
		nested = true
	}
	emit := func(m []byte, s float64) {
		if nested {
			c.W.Array(2)
		}
		c.W.Bulk(m)
		c.W.Double(s)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
		z.PopMax(n, emit)
	} else {
		z.PopMin(n, emit)
	}
	c.Notify('z', event, key)
	c.Modified(key)
	if z.Len() == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
	}
	// ZMPOP and the blocking pops propagate as ZPOPMIN/ZPOPMAX.
	if name := c.Spec.Name; name == "zmpop" || name == "bzmpop" || name == "bzpopmin" || name == "bzpopmax" {
		cmd := []byte("ZPOPMIN")
		if max {
			cmd = []byte("ZPOPMAX")
		}
		if name == "bzpopmin" || name == "bzpopmax" {
			c.Rewrite(cmd, key)
		} else {
			if c.E.propagating() {
				c.Rewrite(cmd, key, itoa(int64(n)))
			}
		}
	}
	return true
}

// zpopGeneric is genericZpopCommand for the non-blocking commands: it pops
// from the first of keys that exists (WRONGTYPE if that one is not a
// sorted set). count -1 is a plain single pop.
func zpopGeneric(c *Ctx, keys [][]byte, max bool, count int64, shape zpopShape, nilWhenEmpty bool) {
	var key []byte
	for _, k := range keys {
		e, found := c.DB.Lookup(k)
		if !found {
			continue
		}
		if e.Type != keyspace.TypeZSet {
			c.Error(ErrWrongType)
			return
		}
		key = k
		break
	}
	if key == nil {
		if nilWhenEmpty {
			c.W.NullArray()
		} else {
			c.W.Array(0)
		}
		return
	}
	if count == 0 {
		c.W.Array(0)
		return
	}
	if count == -1 {
		count = 1
	}
	zsetPop(c, key, max, clampInt(count), shape)
}

func zpopminCommand(c *Ctx) { zpopMinMax(c, false) }

func zpopmaxCommand(c *Ctx) { zpopMinMax(c, true) }

// zpopMinMax is ZPOPMIN/ZPOPMAX key [count]: a flat reply, except for RESP3
// with a count, which gets [member, score] pairs.
func zpopMinMax(c *Ctx, max bool) {
	if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.Argv) == 3 {
		n, ok := parseInt(c.Argv[2])
		if !ok || n < 0 {
			c.Error(ErrNotPositive)
			return
		}
		count = n
	}
	shape := zpopFlat
	if c.W.Proto >= 3 && count != -1 {
		shape = zpopNested
	}
	zpopGeneric(c, c.Argv[1:2], max, count, shape, false)
}

// zmpopArgs parses ZMPOP/BZMPOP's numkeys key... MIN|MAX [COUNT count]
// from argv[numkeysIdx] on (zmpopGenericCommand); it replies with the
// error when ok is false.
func zmpopArgs(c *Ctx, numkeysIdx int) (keys [][]byte, max bool, count int64, ok bool) {
	numkeys, valid := parseInt(c.Argv[numkeysIdx])
	if !valid || numkeys < 1 {
		c.Error(ErrNumkeysPositive)
		return nil, false, 0, false
	}
	if numkeys >= int64(len(c.Argv)-numkeysIdx-1) {
		c.Error(ErrSyntax)
		return nil, false, 0, false
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	switch {
	case cstrIs(c.Argv[whereIdx], "min"):
	case cstrIs(c.Argv[whereIdx], "max"):
		max = true
	default:
		c.Error(ErrSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(c.Argv); j++ {
		more := len(c.Argv) - 1 - j
		if count == -1 && cstrIs(c.Argv[j], "count") && more > 0 {
			j++
			n, valid := parseInt(c.Argv[j])
			if !valid || n < 1 {
				c.Error(ErrCountPositive)
				return nil, false, 0, false
			}
			count = n
			continue
		}
		c.Error(ErrSyntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Argv[numkeysIdx+1 : whereIdx], max, count, true
}

// zmpopCommand is ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
func zmpopCommand(c *Ctx) {
	keys, max, count, ok := zmpopArgs(c, 1)
	if !ok {
		return
	}
	// TODO(propagation): Redis replicates ZMPOP as ZPOPMIN/ZPOPMAX key count.
	zpopGeneric(c, keys, max, count, zpopKeyNested, true)
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER

// zrandSource is a math/rand/v2 Source over the runtime's goroutine-safe
// generator; it has no state of its own.
type zrandSource struct{}

func (zrandSource) Uint64() uint64 { return rand.Uint64() }

// zrandmemberCommand is ZRANDMEMBER key [count [WITHSCORES]].
func zrandmemberCommand(c *Ctx) {
	r := rand.New(zrandSource{})
	if len(c.Argv) >= 3 {
		if l, withScores, ok := parseRandCount(c, "withscores"); ok {
			zrandmemberWithCount(c, r, l, withScores)
		}
		return
	}
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	m, _, _ := z.RandomMember(r)
	c.W.Bulk(m)
}

// parseRandCount parses the "count [WITHSCORES|WITHVALUES]" arguments of
// ZRANDMEMBER and HRANDFIELD (argv[2:]), with their range checks; it has
// replied with the error when !ok.
func parseRandCount(c *Ctx, withWord string) (count int64, with, ok bool) {
	l, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return 0, false, false
	}
	if l == math.MinInt64 {
		c.Error(ErrZrandRange)
		return 0, false, false
	}
	if len(c.Argv) > 4 || (len(c.Argv) == 4 && !cstrIs(c.Argv[3], withWord)) {
		c.Error(ErrSyntax)
		return 0, false, false
	}
	if len(c.Argv) == 4 {
		with = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			c.Error(ErrZrandOutOfRange)
			return 0, false, false
		}
	}
	return l, with, true
}

// zrandmemberWithCount is zrandmemberWithCountCommand: a negative count
// returns that many elements drawn independently, a positive one distinct
// elements (the whole set, in order, when count >= ZCARD).
func zrandmemberWithCount(c *Ctx, r *rand.Rand, l int64, withScores bool) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.W.Array(0)
		return
	}
	n := int64(z.Len())
	if l < 0 {
		zsetArrayLen(c, clampInt(-l), withScores)
	} else {
		zsetArrayLen(c, int(min(l, n)), withScores)
	}
	z.RandomMembers(clampInt(l), r, func(m []byte, s float64) bool {
		zsetReplyElem(c, m, s, withScores)
		return true
	})
}

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD

// Set operations (SET_OP_* in server.h).
const (
	zsetOpUnion = iota
	zsetOpInter
	zsetOpDiff
)

// Aggregates (REDIS_AGGR_*).
const (
	zaggrSum = iota
	zaggrMin
	zaggrMax
)

// zsetOpSrc is one input of a set operation (zsetopsrc): a sorted set, a
// set (every member scores 1) or a missing key (empty).
type zsetOpSrc struct {
	z      *zset.ZSet
	s      *set.Set
	weight float64
}

func (src *zsetOpSrc) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// each calls fn for every element; member is valid only during the call.
func (src *zsetOpSrc) each(fn func(member []byte, score float64) bool) {
	switch {
	case src.z != nil:
		it := src.z.All()
		for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
			if !fn(m, s) {
				return
			}
		}
	case src.s != nil:
		src.s.Range(func(m []byte) bool { return fn(m, 1) })
	}
}

// find is zuiFind: the score of member in the input.
func (src *zsetOpSrc) find(member []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(member)
	case src.s != nil && src.s.IsMember(member):
		return 1, true
	}
	return 0, false
}

// zunionInterAggregate folds val into *target; a sum of +inf and -inf is 0.
func zunionInterAggregate(target *float64, val float64, aggr int) {
	switch aggr {
	case zaggrSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case zaggrMin:
		if val < *target {
			*target = val
		}
	case zaggrMax:
		if val > *target {
			*target = val
		}
	}
}

// zsetOpResult accumulates the elements of a set operation's result:
// members copied into one buffer.
type zsetOpResult struct {
	buf    []byte
	elems  []zsetOpElem
	maxLen int
}

type zsetOpElem struct {
	start, end int
	score      float64
}

func (r *zsetOpResult) add(member []byte, score float64) int {
	start := len(r.buf)
	r.buf = append(r.buf, member...)
	r.elems = append(r.elems, zsetOpElem{start, len(r.buf), score})
	r.maxLen = max(r.maxLen, len(member))
	return len(r.elems) - 1
}

func (r *zsetOpResult) member(e zsetOpElem) []byte { return r.buf[e.start:e.end] }

// sort orders the result as a sorted set: by score, then member bytes.
func (r *zsetOpResult) sort() {
	slices.SortFunc(r.elems, func(a, b zsetOpElem) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		}
		return bytes.Compare(r.member(a), r.member(b))
	})
}

func zunionstoreCommand(c *Ctx) { zsetOpGeneric(c, c.Argv[1], 2, zsetOpUnion, false) }
func zinterstoreCommand(c *Ctx) { zsetOpGeneric(c, c.Argv[1], 2, zsetOpInter, false) }
func zdiffstoreCommand(c *Ctx)  { zsetOpGeneric(c, c.Argv[1], 2, zsetOpDiff, false) }
func zunionCommand(c *Ctx)      { zsetOpGeneric(c, nil, 1, zsetOpUnion, false) }
func zinterCommand(c *Ctx)      { zsetOpGeneric(c, nil, 1, zsetOpInter, false) }
func zintercardCommand(c *Ctx)  { zsetOpGeneric(c, nil, 1, zsetOpInter, true) }
func zdiffCommand(c *Ctx)       { zsetOpGeneric(c, nil, 1, zsetOpDiff, false) }

// zsetOpGeneric is zunionInterDiffGenericCommand: dst is the destination
// of the *STORE forms (nil otherwise), numkeysIdx the index of numkeys;
// cardOnly makes it ZINTERCARD.
func zsetOpGeneric(c *Ctx, dst []byte, numkeysIdx int, op int, cardOnly bool) {
	setnum, ok := parseInt(c.Argv[numkeysIdx])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if setnum < 1 {
		c.Error(errZsetAtLeastOneKey(c.Spec.Meta.Name))
		return
	}
	if setnum > int64(len(c.Argv)-(numkeysIdx+1)) {
		c.Error(ErrSyntax)
		return
	}
	srcs := make([]zsetOpSrc, setnum)
	j := numkeysIdx + 1
	for i := range srcs {
		srcs[i].weight = 1
		e, found := lookupKeyRead(c, c.Argv[j])
		j++
		if !found {
			continue
		}
		switch e.Type {
		case keyspace.TypeZSet:
			srcs[i].z = e.Obj.(*zset.ZSet)
		case keyspace.TypeSet:
			srcs[i].s = e.Obj.(*set.Set)
		default:
			c.Error(ErrWrongType)
			return
		}
	}
	aggr := zaggrSum
	withScores := false
	limit := int64(0)
	for j < len(c.Argv) {
		remaining := len(c.Argv) - j
		a := c.Argv[j]
		switch {
		case op != zsetOpDiff && !cardOnly && remaining >= int(setnum)+1 && cstrIs(a, "weights"):
			j++
			for i := range srcs {
				w, ok := parseScore(c.Argv[j])
				if !ok {
					c.Error(ErrWeightNotFloat)
					return
				}
				srcs[i].weight = w
				j++
			}
		case op != zsetOpDiff && !cardOnly && remaining >= 2 && cstrIs(a, "aggregate"):
			switch b := c.Argv[j+1]; {
			case cstrIs(b, "sum"):
				aggr = zaggrSum
			case cstrIs(b, "min"):
				aggr = zaggrMin
			case cstrIs(b, "max"):
				aggr = zaggrMax
			default:
				c.Error(ErrSyntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && cstrIs(a, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && cstrIs(a, "limit"):
			n, ok := parseInt(c.Argv[j+1])
			if !ok || n < 0 {
				c.Error(ErrZLimitNegative)
				return
			}
			limit = n
			j += 2
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if op != zsetOpDiff {
		// Smallest first (a stable sort, as glibc's qsort is in
		// practice): it decides the order in which scores are summed.
		slices.SortStableFunc(srcs, func(a, b zsetOpSrc) int { return a.len() - b.len() })
	}

	var res zsetOpResult
	switch op {
	case zsetOpInter:
		if srcs[0].len() == 0 {
			break
		}
		card := int64(0)
		srcs[0].each(func(m []byte, s float64) bool {
			score := srcs[0].weight * s
			if math.IsNaN(score) {
				score = 0
			}
			for k := 1; k < len(srcs); k++ {
				v, ok := srcs[k].find(m)
				if !ok {
					return true
				}
				zunionInterAggregate(&score, v*srcs[k].weight, aggr)
			}
			if cardOnly {
				card++
				return limit == 0 || card < limit
			}
			res.add(m, score)
			return true
		})
		if cardOnly {
			c.W.Int(card)
			return
		}
	case zsetOpUnion:
		index := make(map[string]int, srcs[len(srcs)-1].len())
		for k := range srcs {
			src := &srcs[k]
			src.each(func(m []byte, s float64) bool {
				score := src.weight * s
				if math.IsNaN(score) {
					score = 0
				}
				if i, ok := index[string(m)]; ok {
					zunionInterAggregate(&res.elems[i].score, score, aggr)
				} else {
					index[string(m)] = res.add(m, score)
				}
				return true
			})
		}
	case zsetOpDiff:
		if srcs[0].len() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s float64) bool {
			for k := 1; k < len(srcs); k++ {
				if _, ok := srcs[k].find(m); ok {
					return true
				}
			}
			res.add(m, s)
			return true
		})
	}
	if cardOnly {
		c.W.Int(0)
		return
	}
	res.sort()
	if dst != nil {
		zsetOpStore(c, dst, op, &res)
		return
	}
	zsetArrayLen(c, len(res.elems), withScores)
	for _, e := range res.elems {
		zsetReplyElem(c, res.member(e), e.score, withScores)
	}
}

// zsetOpStore writes a *STORE result to dst: a listpack when it is small
// enough (zsetConvertToListpackIfNeeded), the key deleted when it is empty.
func zsetOpStore(c *Ctx, dst []byte, op int, res *zsetOpResult) {
	if len(res.elems) == 0 {
		c.W.Int(0)
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify('g', "del", dst)
		}
		return
	}
	lim := zsetLimits(c)
	z := zset.New(lim, len(res.elems), res.maxLen)
	for _, e := range res.elems {
		z.Insert(res.member(e), e.score, lim)
	}
	z.ConvertToListpackIfNeeded(lim)
	c.DB.SetObject(dst, keyspace.TypeZSet, z, keyspace.NoExpire)
	c.Modified(dst)
	c.W.Int(int64(z.Len()))
	event := "zunionstore"
	switch op {
	case zsetOpInter:
		event = "zinterstore"
	case zsetOpDiff:
		event = "zdiffstore"
	}
	c.Notify('z', event, dst)
}
