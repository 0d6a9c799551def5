package command

import (
	"math"
	"strconv"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
)

// Blocking list commands (Redis's t_list.c blocking half). The serving
// logic is the list group's (listPopFirst, listMove); blocking.go holds
// the waiting machinery.

func blockingListCommands() []*Spec {
	return []*Spec{
		{Name: "blpop", Handler: func(c *Ctx) { blockingPop(c, list.Head) }},
		{Name: "brpop", Handler: func(c *Ctx) { blockingPop(c, list.Tail) }},
		{Name: "brpoplpush", Handler: brpoplpushCommand},
		{Name: "blmove", Handler: blmoveCommand},
		{Name: "blmpop", Handler: blmpopCommand},
	}
}

// parseTimeout is getTimeoutFromObjectOrReply with UNIT_SECONDS: a float
// number of seconds, 0 = forever. It returns the deadline (zero: none).
func parseTimeout(c *Ctx, arg []byte) (time.Time, bool) {
	f, err := strconv.ParseFloat(string(arg), 64)
	if err != nil || math.IsNaN(f) || len(arg) == 0 || arg[0] == ' ' {
		c.Error("ERR timeout is not a float or out of range")
		return time.Time{}, false
	}
	ms := math.Ceil(f * 1000)
	if ms < 0 {
		c.Error(ErrTimeoutNeg)
		return time.Time{}, false
	}
	if ms == 0 {
		return time.Time{}, true
	}
	if ms > 1e15 || math.IsInf(ms, 1) {
		// Far beyond any real wait: treat as forever (Redis overflows here).
		return time.Time{}, true
	}
	return time.Now().Add(time.Duration(ms) * time.Millisecond), true
}

func nullArrayReply(w *resp.Writer) { w.NullArray() }
func nullReply(w *resp.Writer)      { w.Null() }

// blockingPop is BLPOP/BRPOP key [key ...] timeout.
func blockingPop(c *Ctx, where list.End) {
	deadline, ok := parseTimeout(c, c.Argv[len(c.Argv)-1])
	if !ok {
		return
	}
	keys := c.Argv[1 : len(c.Argv)-1]
	if c.failed || listPopFirst(c, keys, where, -1) {
		return
	}
	c.Block(&Waiter{
		Serve:        func(c *Ctx, key []byte) bool { return listServePop(c, key, where, -1) },
		TimeoutReply: nullArrayReply,
		Deadline:     deadline,
	}, keys)
}

// blmpopCommand is BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n].
func blmpopCommand(c *Ctx) {
	deadline, ok := parseTimeout(c, c.Argv[1])
	if !ok {
		return
	}
	keys, where, count, ok := parseMPop(c, 2)
	if !ok {
		return
	}
	if listPopFirst(c, keys, where, count) {
		return
	}
	c.Block(&Waiter{
		Serve:        func(c *Ctx, key []byte) bool { return listServePop(c, key, where, count) },
		TimeoutReply: nullArrayReply,
		Deadline:     deadline,
	}, keys)
}

func brpoplpushCommand(c *Ctx) {
	deadline, ok := parseTimeout(c, c.Argv[3])
	if !ok {
		return
	}
	blockingMove(c, c.Argv[1], c.Argv[2], list.Tail, list.Head, deadline)
}

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
		Serve:        func(c *Ctx, key []byte) bool { return listServeMove(c, key, dstCopy, from, to) },
		LockKeys:     [][]byte{dstCopy},
		TimeoutReply: nullReply,
		Deadline:     deadline,
	}, [][]byte{src})
}
