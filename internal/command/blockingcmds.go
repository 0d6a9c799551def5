package command

import (
	"math"
	"math/big"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
)

// Blocking commands: the blocking halves of Redis's t_list.c (BLPOP,
// BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP) and t_zset.c (BZPOPMIN, BZPOPMAX,
// BZMPOP), and CLIENT UNBLOCK. The serving logic is the groups' own
// (listPopFirst, listServePop, listServeMove, zsetPop); blocking.go holds
// the waiting machinery.

func blockingCommands() []*Spec {
	return []*Spec{
		{Name: "blpop", Handler: func(c *Ctx) { blockingPop(c, list.Head) }},
		{Name: "brpop", Handler: func(c *Ctx) { blockingPop(c, list.Tail) }},
		{Name: "brpoplpush", Handler: brpoplpushCommand},
		{Name: "blmove", Handler: blmoveCommand},
		{Name: "blmpop", Handler: blmpopCommand},
		{Name: "bzpopmin", Handler: func(c *Ctx) { blockingZPop(c, false) }},
		{Name: "bzpopmax", Handler: func(c *Ctx) { blockingZPop(c, true) }},
		{Name: "bzmpop", Handler: bzmpopCommand},
		{Name: "client|unblock", Handler: clientUnblockCommand},
	}
}

// foreverMs is the timeout (ms) from which a wait is treated as endless:
// ~317 years. Redis computes mstime()+timeout and, for timeouts near
// LLONG_MAX ms, wraps to a negative deadline that never fires.
const foreverMs = 1e13

// parseTimeout is getTimeoutFromObjectOrReply with UNIT_SECONDS
// (timeout.c): a long double number of seconds, converted to milliseconds
// by (long long)ceill(t*1000); 0 waits forever. It returns the deadline
// (zero: none); on error it has replied.
func parseTimeout(c *Ctx, arg []byte) (time.Time, bool) {
	ms, ok := timeoutMillis(arg)
	if !ok {
		c.Error(ErrTimeoutNotFloat)
		return time.Time{}, false
	}
	if ms < 0 {
		c.Error(ErrTimeoutNeg)
		return time.Time{}, false
	}
	if ms == 0 || ms >= foreverMs {
		return time.Time{}, true
	}
	return time.Now().Add(time.Duration(ms) * time.Millisecond), true
}

// timeoutMillis converts a timeout in seconds to milliseconds as Redis
// does on x86-64: strtold (string2ld), then (long long)ceill(t*1000.0) in
// 80-bit long double arithmetic. A result out of the long long range,
// infinities included, converts to LLONG_MIN (the x87 "integer
// indefinite"), so "inf" and "1e20" are negative timeouts, as in Redis.
// ok is false when arg is not a number.
func timeoutMillis(arg []byte) (ms int64, ok bool) {
	// Fast path: a small integer number of seconds (the common "0", "5").
	if len(arg) <= 9 {
		if n, isInt := parseInt(arg); isInt {
			return n * 1000, true
		}
	}
	var d longDouble
	if !d.parse(arg) {
		return 0, false
	}
	if d.inf != 0 {
		return math.MinInt64, true
	}
	var x big.Float
	x.SetMode(big.ToNearestEven).SetPrec(ldPrec).Mul(&d.f, big.NewFloat(1000))
	i, acc := x.Int(nil) // truncated towards zero
	if acc == big.Below {
		i.Add(i, big.NewInt(1)) // ceil of a positive non-integer
	}
	if !i.IsInt64() {
		return math.MinInt64, true
	}
	return i.Int64(), true
}

func nullArrayReply(w *resp.Writer) { w.NullArray() }
func nullReply(w *resp.Writer)      { w.Null() }

// blockingPop is BLPOP/BRPOP key [key ...] timeout (blockingPopGenericCommand).
func blockingPop(c *Ctx, where list.End) {
	deadline, ok := parseTimeout(c, c.Argv[len(c.Argv)-1])
	if !ok {
		return
	}
	keys := c.Argv[1 : len(c.Argv)-1]
	if listPopFirst(c, keys, where, -1) {
		return
	}
	c.Block(&Waiter{
		Type:      keyspace.TypeList,
		Serve:     func(c *Ctx, key []byte) bool { return listServePop(c, key, where, -1) },
		DenyReply: nullArrayReply,
		Deadline:  deadline,
	}, keys)
}

// blmpopCommand is BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n].
// As lmpopGenericCommand, it checks numkeys, the direction and COUNT before
// the timeout.
func blmpopCommand(c *Ctx) {
	keys, where, count, ok := parseMPop(c, 2)
	if !ok {
		return
	}
	deadline, ok := parseTimeout(c, c.Argv[1])
	if !ok {
		return
	}
	if listPopFirst(c, keys, where, count) {
		return
	}
	c.Block(&Waiter{
		Type:      keyspace.TypeList,
		Serve:     func(c *Ctx, key []byte) bool { return listServePop(c, key, where, count) },
		DenyReply: nullArrayReply,
		Deadline:  deadline,
	}, keys)
}

// brpoplpushCommand is BRPOPLPUSH source destination timeout.
func brpoplpushCommand(c *Ctx) {
	deadline, ok := parseTimeout(c, c.Argv[3])
	if !ok {
		return
	}
	blockingMove(c, c.Argv[1], c.Argv[2], list.Tail, list.Head, deadline)
}

// blmoveCommand is BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
func blmoveCommand(c *Ctx) {
	from, ok := listEndFromArg(c, c.Argv[3])
	if !ok {
		return
	}
	to, ok := listEndFromArg(c, c.Argv[4])
	if !ok {
		return
	}
	deadline, ok := parseTimeout(c, c.Argv[5])
	if !ok {
		return
	}
	blockingMove(c, c.Argv[1], c.Argv[2], from, to, deadline)
}

// blockingMove is blmoveGenericCommand: move at once if src holds a list
// (WRONGTYPE if it holds something else), else block on src. The type of
// dst is only checked when an element is moved, as in Redis.
func blockingMove(c *Ctx, src, dst []byte, from, to list.End, deadline time.Time) {
	sl, ok := lookupListWrite(c, src)
	if !ok {
		return
	}
	if sl != nil && sl.Len() > 0 {
		listMove(c, sl, src, dst, from, to)
		return
	}
	dstCopy := append([]byte(nil), dst...)
	c.Block(&Waiter{
		Type:      keyspace.TypeList,
		Serve:     func(c *Ctx, key []byte) bool { return listServeMove(c, key, dstCopy, from, to) },
		LockKeys:  [][]byte{dstCopy},
		DenyReply: nullReply,
		Deadline:  deadline,
	}, [][]byte{src})
}

// blockingZPop is BZPOPMIN/BZPOPMAX key [key ...] timeout: the reply is
// [key, member, score].
func blockingZPop(c *Ctx, max bool) {
	deadline, ok := parseTimeout(c, c.Argv[len(c.Argv)-1])
	if !ok {
		return
	}
	blockingZPopGeneric(c, c.Argv[1:len(c.Argv)-1], max, 1, zpopWithKey, deadline)
}

// bzmpopCommand is BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT n]:
// the reply is [key, [[member, score]...]]. As zmpopGenericCommand, it
// checks numkeys, MIN|MAX and COUNT before the timeout.
func bzmpopCommand(c *Ctx) {
	keys, max, count, ok := zmpopArgs(c, 2)
	if !ok {
		return
	}
	deadline, ok := parseTimeout(c, c.Argv[1])
	if !ok {
		return
	}
	blockingZPopGeneric(c, keys, max, clampInt(count), zpopKeyNested, deadline)
}

// blockingZPopGeneric is blockingGenericZpopCommand once the timeout is
// parsed: pop from the first of keys that holds a sorted set (WRONGTYPE
// if one holds another type before that), else block.
func blockingZPopGeneric(c *Ctx, keys [][]byte, max bool, count int, shape zpopShape, deadline time.Time) {
	for _, key := range keys {
		e, found := c.DB.Lookup(key) // lookupKeyWrite
		if !found {
			continue
		}
		if e.Type != keyspace.TypeZSet {
			c.Error(ErrWrongType)
			return
		}
		if zsetPop(c, key, max, count, shape) {
			return
		}
	}
	c.Block(&Waiter{
		Type:      keyspace.TypeZSet,
		Serve:     func(c *Ctx, key []byte) bool { return zsetPop(c, key, max, count, shape) },
		DenyReply: nullArrayReply,
		Deadline:  deadline,
	}, keys)
}

// clientUnblockCommand is CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
// (networking.c): 1 if the client was blocked on keys and is now
// unblocked, else 0. The reason is checked before the id.
func clientUnblockCommand(c *Ctx) {
	if len(c.Argv) > 4 {
		subcommandSyntaxError(c)
		return
	}
	withError := false
	if len(c.Argv) == 4 {
		switch {
		case c.Is(3, "timeout"):
		case c.Is(3, "error"):
			withError = true
		default:
			c.Error(ErrUnblockReason)
			return
		}
	}
	id, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if target := c.E.Clients.ByID(id); target != nil && c.E.Unblock(target, withError) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}
