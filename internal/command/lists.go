package command

import (
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
)

// List commands (Redis's t_list.c). The blocking variants live with the
// blocking infrastructure; they reuse listPopReply, listPopRangeReply,
// listPopFirst, listMove and the listServe* functions below, which are the
// halves of t_list.c that BLPOP & co. share with the non-blocking commands.
func listCommands() []*Spec {
	return []*Spec{
		{Name: "lpush", Handler: lpushCommand},
		{Name: "rpush", Handler: rpushCommand},
		{Name: "lpushx", Handler: lpushxCommand},
		{Name: "rpushx", Handler: rpushxCommand},
		{Name: "linsert", Handler: linsertCommand},
		{Name: "llen", Handler: llenCommand},
		{Name: "lindex", Handler: lindexCommand},
		{Name: "lset", Handler: lsetCommand},
		{Name: "lpop", Handler: lpopCommand},
		{Name: "rpop", Handler: rpopCommand},
		{Name: "lmpop", Handler: lmpopCommand},
		{Name: "lrange", Handler: lrangeCommand},
		{Name: "ltrim", Handler: ltrimCommand},
		{Name: "lpos", Handler: lposCommand},
		{Name: "lrem", Handler: lremCommand},
		{Name: "lmove", Handler: lmoveCommand},
		{Name: "rpoplpush", Handler: rpoplpushCommand},
	}
}

// lookupListWrite is lookupKeyWrite + checkType(OBJ_LIST): it returns the
// list at key, nil if the key does not exist. For a key of another type it
// replies WRONGTYPE and ok is false.
func lookupListWrite(c *Ctx, key []byte) (l *list.List, ok bool) {
	e, found := c.DB.Lookup(key)
	if !found {
		return nil, true
	}
	return listOf(c, e)
}

// lookupListRead is lookupKeyRead + checkType(OBJ_LIST): like
// lookupListWrite, but counting keyspace hits and misses.
func lookupListRead(c *Ctx, key []byte) (l *list.List, ok bool) {
	e, found := lookupKeyRead(c, key)
	if !found {
		return nil, true
	}
	return listOf(c, e)
}

func listOf(c *Ctx, e keyspace.Entry) (*list.List, bool) {
	if e.Type != keyspace.TypeList {
		c.Error(ErrWrongType)
		return nil, false
	}
	l, isList := e.Obj.(*list.List)
	if !isList {
		panic("BUG: list key without a *list.List value")
	}
	return l, true
}

// createList stores a new empty list at key with the configured
// list-max-listpack-size and list-compress-depth (createQuicklistObject +
// quicklistSetOptions + dbAdd). Creating the key is what wakes clients
// blocked on it: the keyspace's OnAdd hook is Redis's dbAdd ->
// signalKeyAsReady.
func createList(c *Ctx, key []byte) *list.List {
	fill, depth := -2, 0
	if cfg := c.E.Cfg; cfg != nil {
		fill = int(cfg.ListMaxListpackSize.Load())
		depth = int(cfg.ListCompressDepth.Load())
	}
	l := list.New(fill, depth)
	c.DB.SetObject(key, keyspace.TypeList, l, keyspace.NoExpire)
	return l
}

// writeListEntry replies with one element as a bulk string.
func writeListEntry(w *resp.Writer, e list.Entry) {
	if e.IsInt {
		w.BulkInt(e.Int)
		return
	}
	w.Bulk(e.Str)
}

// listEndFromArg is getListPositionFromObjectOrReply: LEFT is the head,
// RIGHT the tail (compared as C strings, case-insensitively); anything else
// replies with a syntax error.
func listEndFromArg(c *Ctx, arg []byte) (list.End, bool) {
	switch {
	case cstrIs(arg, "right"):
		return list.Tail, true
	case cstrIs(arg, "left"):
		return list.Head, true
	}
	c.Error(ErrSyntax)
	return 0, false
}

// pushGeneric implements LPUSH/RPUSH/LPUSHX/RPUSHX (pushGenericCommand);
// xx pushes only onto an existing list.
func pushGeneric(c *Ctx, where list.End, xx bool) {
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		if xx {
			c.W.Int(0)
			return
		}
		l = createList(c, key)
	}
	for _, v := range c.Argv[2:] {
		l.Push(where, v)
	}
	c.W.Int(int64(l.Len()))
	event := "rpush"
	if where == list.Head {
		event = "lpush"
	}
	c.Modified(key)
	c.Notify('l', event, key)
}

func lpushCommand(c *Ctx)  { pushGeneric(c, list.Head, false) }
func rpushCommand(c *Ctx)  { pushGeneric(c, list.Tail, false) }
func lpushxCommand(c *Ctx) { pushGeneric(c, list.Head, true) }
func rpushxCommand(c *Ctx) { pushGeneric(c, list.Tail, true) }

// LINSERT key BEFORE|AFTER pivot element
func linsertCommand(c *Ctx) {
	var after bool
	switch {
	case cstrIs(c.Argv[2], "after"):
		after = true
	case cstrIs(c.Argv[2], "before"):
	default:
		c.Error(ErrSyntax)
		return
	}
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	var inserted bool
	if after {
		inserted = l.InsertAfter(c.Argv[3], c.Argv[4])
	} else {
		inserted = l.InsertBefore(c.Argv[3], c.Argv[4])
	}
	if !inserted {
		c.W.Int(-1)
		return
	}
	c.Modified(key)
	c.Notify('l', "linsert", key)
	c.W.Int(int64(l.Len()))
}

// LLEN key
func llenCommand(c *Ctx) {
	l, ok := lookupListRead(c, c.Argv[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(l.Len()))
}

// LINDEX key index. The key is looked up before the index is parsed, as
// t_list.c lindexCommand does.
func lindexCommand(c *Ctx) {
	l, ok := lookupListRead(c, c.Argv[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	i, isInt := parseInt(c.Argv[2])
	if !isInt {
		c.Error(ErrNotInt)
		return
	}
	e, found := l.Index(int(i))
	if !found {
		c.W.Null()
		return
	}
	writeListEntry(c.W, e)
}

// LSET key index element
func lsetCommand(c *Ctx) {
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	i, isInt := parseInt(c.Argv[2])
	if !isInt {
		c.Error(ErrNotInt)
		return
	}
	if !l.Set(int(i), c.Argv[3]) {
		c.Error(ErrOutOfRange)
		return
	}
	c.W.OK()
	c.Modified(key)
	c.Notify('l', "lset", key)
}

// listElementsRemoved is t_list.c's listElementsRemoved: the bookkeeping
// after elements were popped from the where end of l, the list at key
// (notification, deleting the emptied key, signalModifiedKey). It reports
// whether the key was deleted.
func listElementsRemoved(c *Ctx, key []byte, l *list.List, where list.End) (deleted bool) {
	event := "rpop"
	if where == list.Head {
		event = "lpop"
	}
	c.Notify('l', event, key)
	if l.Len() == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
		deleted = true
	}
	c.Modified(key)
	return deleted
}

// listPopReply pops one element from the where end of l, the non-empty
// list at key, replies with it as a bulk string and does the bookkeeping
// (LPOP/RPOP without count). It reports whether the key was deleted.
func listPopReply(c *Ctx, key []byte, l *list.List, where list.End) (deleted bool) {
	var buf [64]byte
	v, ok := l.Pop(where, buf[:0])
	if !ok {
		panic("BUG: pop from an empty list")
	}
	c.W.Bulk(v)
	return listElementsRemoved(c, key, l, where)
}

// listPopRangeReply pops up to count (> 0) elements from the where end of
// l, the non-empty list at key, replies with them as an array in pop
// order and does the bookkeeping (LPOP/RPOP with count: addListRangeReply
// + listTypeDelRange + listElementsRemoved). It reports whether the key
// was deleted.
func listPopRangeReply(c *Ctx, key []byte, l *list.List, where list.End, count int) (deleted bool) {
	n := min(count, l.Len())
	c.W.Array(n)
	var it list.Iterator
	if where == list.Head {
		it = l.Iter(0, false)
	} else {
		it = l.Iter(-1, true)
	}
	for range n {
		e, ok := it.Next()
		if !ok {
			panic("BUG: list shorter than its length")
		}
		writeListEntry(c.W, e)
	}
	if where == list.Head {
		l.DelRange(0, n)
	} else {
		l.DelRange(-n, n)
	}
	return listElementsRemoved(c, key, l, where)
}

// listPopRangeWithKeyReply is listPopRangeAndReplyWithKey: the reply is
// [key, [elements...]] (LMPOP, BLMPOP).
func listPopRangeWithKeyReply(c *Ctx, key []byte, l *list.List, where list.End, count int) (deleted bool) {
	c.W.Array(2)
	c.W.Bulk(key)
	return listPopRangeReply(c, key, l, where, count)
}

// popGeneric implements LPOP/RPOP key [count] (popGenericCommand).
func popGeneric(c *Ctx, where list.End) {
	if len(c.Argv) > 3 {
		c.WrongArity()
		return
	}
	hasCount := len(c.Argv) == 3
	count := 0
	if hasCount {
		n, ok := parseInt(c.Argv[2])
		if !ok || n < 0 {
			c.Error(ErrNotPositive)
			return
		}
		count = int(n)
	}
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		if hasCount {
			c.W.NullArray()
		} else {
			c.W.Null()
		}
		return
	}
	if hasCount && count == 0 {
		c.W.Array(0)
		return
	}
	if !hasCount {
		listPopReply(c, key, l, where)
		return
	}
	listPopRangeReply(c, key, l, where, count)
}

func lpopCommand(c *Ctx) { popGeneric(c, list.Head) }
func rpopCommand(c *Ctx) { popGeneric(c, list.Tail) }

// listPopFirst pops from the first non-empty list among keys, the common
// part of mpopGenericCommand and blockingPopGenericCommand. count > 0
// replies [key, [elements...]] with up to count elements (LMPOP, BLMPOP);
// count < 0 replies [key, element] with one element (BLPOP, BRPOP).
// Missing keys are skipped; a key of another type met before any list
// replies WRONGTYPE. It reports whether it replied: if not, no key held a
// list, and the caller replies with a null array or blocks.
func listPopFirst(c *Ctx, keys [][]byte, where list.End, count int) (replied bool) {
	for _, key := range keys {
		l, ok := lookupListWrite(c, key)
		if !ok {
			return true
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		// Propagated as LPOP/RPOP key [min(count, len)].
		pop := []byte("RPOP")
		if where == list.Head {
			pop = []byte("LPOP")
		}
		if count > 0 {
			if c.E.propagating() {
				c.Rewrite(pop, key, itoa(int64(min(count, l.Len()))))
			}
		} else {
			c.Rewrite(pop, key)
		}
		if count > 0 {
			listPopRangeWithKeyReply(c, key, l, where, count)
			return true
		}
		c.W.Array(2)
		c.W.Bulk(key)
		listPopReply(c, key, l, where)
		return true
	}
	return false
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func lmpopCommand(c *Ctx) {
	keys, where, count, ok := parseMPop(c, 1)
	if !ok {
		return
	}
	if !listPopFirst(c, keys, where, count) {
		c.W.NullArray()
	}
}

// parseMPop parses the arguments of LMPOP/BLMPOP from the numkeys argument
// at index numkeysIdx (lmpopGenericCommand): the keys, the end to pop
// from and the count (default 1). On error it has replied.
func parseMPop(c *Ctx, numkeysIdx int) (keys [][]byte, where list.End, count int, ok bool) {
	numkeys, isInt := parseInt(c.Argv[numkeysIdx])
	if !isInt || numkeys < 1 {
		c.Error(ErrNumkeysPositive)
		return nil, 0, 0, false
	}
	// Redis computes where_idx = numkeys_idx + numkeys + 1 in a long and
	// overflows for numkeys near LONG_MAX; any numkeys past argv is a
	// syntax error here.
	if numkeys >= int64(len(c.Argv)-numkeysIdx-1) {
		c.Error(ErrSyntax)
		return nil, 0, 0, false
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	if where, ok = listEndFromArg(c, c.Argv[whereIdx]); !ok {
		return nil, 0, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(c.Argv); j++ {
		moreArgs := j < len(c.Argv)-1
		if count == -1 && cstrIs(c.Argv[j], "count") && moreArgs {
			j++
			n, isInt := parseInt(c.Argv[j])
			if !isInt || n < 1 {
				c.Error(ErrCountPositive)
				return nil, 0, 0, false
			}
			count = int(n)
			continue
		}
		c.Error(ErrSyntax)
		return nil, 0, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Argv[numkeysIdx+1 : whereIdx], where, count, true
}

// LRANGE key start stop
func lrangeCommand(c *Ctx) {
	start, ok1 := parseInt(c.Argv[2])
	stop, ok2 := parseInt(c.Argv[3])
	if !ok1 || !ok2 {
		c.Error(ErrNotInt)
		return
	}
	l, ok := lookupListRead(c, c.Argv[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Array(0)
		return
	}
	listRangeReply(c, l, int(start), int(stop))
}

// listRangeReply is addListRangeReply without reverse: the elements from
// start to stop inclusive, negative indexes counting from the tail.
func listRangeReply(c *Ctx, l *list.List, start, stop int) {
	lo, hi, ok := l.Bounds(start, stop)
	if !ok {
		c.W.Array(0)
		return
	}
	c.W.Array(hi - lo + 1)
	it := l.Iter(lo, false)
	for range hi - lo + 1 {
		e, ok := it.Next()
		if !ok {
			panic("BUG: list shorter than its length")
		}
		writeListEntry(c.W, e)
	}
}

// LTRIM key start stop
func ltrimCommand(c *Ctx) {
	start, ok1 := parseInt(c.Argv[2])
	stop, ok2 := parseInt(c.Argv[3])
	if !ok1 || !ok2 {
		c.Error(ErrNotInt)
		return
	}
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		c.W.OK()
		return
	}
	l.Trim(int(start), int(stop))
	c.Notify('l', "ltrim", key)
	if l.Len() == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
	}
	c.Modified(key)
	c.W.OK()
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func lposCommand(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for j := 3; j < len(c.Argv); j++ {
		moreArgs := j < len(c.Argv)-1
		switch {
		case cstrIs(c.Argv[j], "rank") && moreArgs:
			j++
			n, ok := parseInt(c.Argv[j])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n == 0 {
				c.Error(ErrRankZero)
				return
			}
			rank = n
		case cstrIs(c.Argv[j], "count") && moreArgs:
			j++
			n, ok := parseInt(c.Argv[j])
			if !ok || n < 0 {
				c.Error(ErrCountNegative)
				return
			}
			count = n
		case cstrIs(c.Argv[j], "maxlen") && moreArgs:
			j++
			n, ok := parseInt(c.Argv[j])
			if !ok || n < 0 {
				c.Error(ErrMaxlenNegative)
				return
			}
			maxlen = n
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	l, ok := lookupListRead(c, c.Argv[1])
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			c.W.Array(0)
		} else {
			c.W.Null()
		}
		return
	}
	if count == -1 {
		var one [1]int
		res := l.Pos(one[:0], c.Argv[2], int(rank), 1, int(maxlen))
		if len(res) == 0 {
			c.W.Null()
			return
		}
		c.W.Int(int64(res[0]))
		return
	}
	var small [16]int
	res := l.Pos(small[:0], c.Argv[2], int(rank), int(count), int(maxlen))
	c.W.Array(len(res))
	for _, i := range res {
		c.W.Int(int64(i))
	}
}

// LREM key count element
func lremCommand(c *Ctx) {
	count, isInt := parseInt(c.Argv[2])
	if !isInt {
		c.Error(ErrNotInt)
		return
	}
	key := c.Argv[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	removed := l.Remove(int(count), c.Argv[3])
	if removed > 0 {
		c.Modified(key)
		c.Notify('l', "lrem", key)
	}
	if l.Len() == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
	}
	c.W.Int(int64(removed))
}

// listMove moves one element from the wherefrom end of sl, the non-empty
// list at src, to the whereto end of the list at dst, creating it if
// needed, and replies with the element (the body of lmoveGenericCommand
// once the source is known; lmoveHandlePush). src and dst may be the same
// key: the list rotates. If dst holds another type it replies WRONGTYPE,
// moves nothing and reports false.
func listMove(c *Ctx, sl *list.List, src, dst []byte, wherefrom, whereto list.End) (moved bool) {
	dl, ok := lookupListWrite(c, dst)
	if !ok {
		return false
	}
	var buf [64]byte
	v, popped := sl.Pop(wherefrom, buf[:0])
	if !popped {
		panic("BUG: move from an empty list")
	}
	// lmoveHandlePush
	if dl == nil {
		dl = createList(c, dst)
	}
	c.Modified(dst)
	dl.Push(whereto, v)
	pushEvent := "rpush"
	if whereto == list.Head {
		pushEvent = "lpush"
	}
	c.Notify('l', pushEvent, dst)
	c.W.Bulk(v)

	popEvent := "rpop"
	if wherefrom == list.Head {
		popEvent = "lpop"
	}
	c.Notify('l', popEvent, src)
	if sl.Len() == 0 {
		c.DB.Delete(src)
		c.Notify('g', "del", src)
	}
	c.Modified(src)
	switch c.Spec.Name {
	case "blmove": // propagated as the non-blocking command
		c.Rewrite([]byte("LMOVE"), src, dst, endName(wherefrom), endName(whereto))
	case "brpoplpush":
		c.Rewrite([]byte("RPOPLPUSH"), src, dst)
	}
	return true
}

// lmoveGeneric implements LMOVE and RPOPLPUSH (lmoveGenericCommand).
func lmoveGeneric(c *Ctx, wherefrom, whereto list.End) {
	src := c.Argv[1]
	sl, ok := lookupListWrite(c, src)
	if !ok {
		return
	}
	if sl == nil || sl.Len() == 0 {
		c.W.Null()
		return
	}
	listMove(c, sl, src, c.Argv[2], wherefrom, whereto)
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func lmoveCommand(c *Ctx) {
	wherefrom, ok := listEndFromArg(c, c.Argv[3])
	if !ok {
		return
	}
	whereto, ok := listEndFromArg(c, c.Argv[4])
	if !ok {
		return
	}
	lmoveGeneric(c, wherefrom, whereto)
}

// RPOPLPUSH source destination
func rpoplpushCommand(c *Ctx) { lmoveGeneric(c, list.Tail, list.Head) }

// listServePop serves a client blocked by BLPOP/BRPOP (count < 0) or
// BLMPOP (count > 0) on key, the pop half of serveClientBlockedOnList: if
// key holds a non-empty list it pops, replies as listPopFirst does and
// reports true; otherwise it writes nothing and reports false. It fits
// Waiter.Serve.
func listServePop(c *Ctx, key []byte, where list.End, count int) bool {
	e, found := c.DB.Peek(key)
	if !found || e.Type != keyspace.TypeList {
		return false
	}
	return listPopFirst(c, [][]byte{key}, where, count)
}

// listServeMove serves a client blocked by BLMOVE/BRPOPLPUSH on src, the
// move half of serveClientBlockedOnList: if src holds a non-empty list it
// moves one element to dst (or replies WRONGTYPE if dst holds another
// type) and reports true; otherwise it writes nothing and reports false.
// It fits Waiter.Serve with dst in LockKeys.
func listServeMove(c *Ctx, src, dst []byte, wherefrom, whereto list.End) bool {
	e, found := c.DB.Peek(src)
	if !found || e.Type != keyspace.TypeList {
		return false
	}
	sl := e.Obj.(*list.List)
	if sl.Len() == 0 {
		return false
	}
	listMove(c, sl, src, dst, wherefrom, whereto)
	return true
}

// endName is LEFT or RIGHT, as LMOVE takes them.
func endName(e list.End) []byte {
	if e == list.Head {
		return []byte("LEFT")
	}
	return []byte("RIGHT")
}
