package command

import (
	"bytes"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
)

// Keyspace commands (Redis's db.c): DEL, EXISTS, TYPE, RENAME, KEYS, SCAN,
// MOVE, COPY, SWAPDB, FLUSHDB... The expire commands are in expire.go and
// OBJECT in object.go; their specs are listed here too (Redis's "generic"
// command group).
func keyCommands() []*Spec {
	specs := []*Spec{
		{Name: "del", Handler: delCommand},
		{Name: "unlink", Handler: unlinkCommand},
		{Name: "exists", Handler: existsCommand},
		{Name: "touch", Handler: touchCommand},
		{Name: "type", Handler: typeCommand},
		{Name: "rename", Handler: renameCommand},
		{Name: "renamenx", Handler: renamenxCommand},
		{Name: "move", Handler: moveCommand},
		{Name: "copy", Handler: copyCommand},
		{Name: "keys", Handler: keysCommand, Lock: LockAll},
		{Name: "scan", Handler: scanCommand, Lock: LockSelf},
		{Name: "randomkey", Handler: randomkeyCommand, Lock: LockAll},
		{Name: "dbsize", Handler: dbsizeCommand, Lock: LockAll},
		{Name: "flushdb", Handler: flushdbCommand, Lock: LockAll},
		{Name: "flushall", Handler: flushallCommand, Lock: LockAll},
		{Name: "swapdb", Handler: swapdbCommand, Lock: LockAll},
	}
	specs = append(specs, expireCommands()...)
	return append(specs, objectCommands()...)
}

// lookupFlags are Redis's LOOKUP_* flags for lookupKeyReadWithFlags.
type lookupFlags uint8

const (
	lookupNoTouch  lookupFlags = 1 << iota // don't update the access time
	lookupNoNotify                         // no "keymiss" event
)

// lookupKeyReadWithFlags is Redis's lookupKeyReadWithFlags (db.c): a read
// lookup that expires a stale key, updates the access time unless
// lookupNoTouch, and counts a keyspace hit or miss.
func lookupKeyReadWithFlags(c *Ctx, key []byte, f lookupFlags) (keyspace.Entry, bool) {
	var e keyspace.Entry
	var ok bool
	if f&lookupNoTouch != 0 {
		e, ok = c.DB.Peek(key)
	} else {
		e, ok = c.DB.Lookup(key)
	}
	if ok {
		c.E.KS.KeyspaceHits.Add(1)
		return e, true
	}
	if f&lookupNoNotify == 0 {
		c.Notify('m', "keymiss", key)
	}
	c.E.KS.KeyspaceMisses.Add(1)
	return e, false
}

// setEntry writes the value of e under key in db with expire at (unix ms,
// 0 for none), keeping its type and string encoding (Redis moves or
// duplicates the robj as it is). e.Str may alias db's memory: the keyspace
// copies it before it can be overwritten.
func setEntry(db *keyspace.DB, key []byte, e keyspace.Entry, at int64) {
	switch {
	case e.Type != keyspace.TypeString:
		db.SetObject(key, e.Type, e.Obj, at)
	case e.Enc == keyspace.EncInt:
		db.SetInt(key, e.Int, at)
	default:
		db.SetString(key, e.Str, at, e.Enc == keyspace.EncRaw)
	}
}

// intArgOrReply is Redis's getIntFromObjectOrReply: msg, when not empty,
// replaces both the parse and the range error.
func intArgOrReply(c *Ctx, b []byte, msg string) (int, bool) {
	n, ok := parseInt(b)
	if !ok {
		if msg == "" {
			msg = ErrNotInt
		}
		c.Error(msg)
		return 0, false
	}
	if n < -1<<31 || n > 1<<31-1 {
		if msg == "" {
			msg = ErrIntRange
		}
		c.Error(msg)
		return 0, false
	}
	return int(n), true
}

// dbIndexOrReply parses a database number as MOVE and COPY do.
func dbIndexOrReply(c *Ctx, b []byte) (*keyspace.DB, bool) {
	id, ok := intArgOrReply(c, b, "")
	if !ok {
		return nil, false
	}
	if id < 0 || id >= c.E.KS.NumDBs() {
		c.Error(ErrDBIndex)
		return nil, false
	}
	return c.E.dbFor(c.C, id), true
}

// delCommand is DEL key [key ...]. Values are freed by the garbage
// collector, so DEL and UNLINK are the same (lazyfree-lazy-user-del).
func delCommand(c *Ctx) {
	n := int64(0)
	for _, k := range c.Argv[1:] {
		if c.DB.Delete(k) { // a stale key is expired first and not counted
			c.Modified(k)
			c.Notify('g', "del", k)
			n++
		}
	}
	c.W.Int(n)
}

func unlinkCommand(c *Ctx) { delCommand(c) }

// existsCommand is EXISTS key [key ...]: a key named twice counts twice.
func existsCommand(c *Ctx) {
	n := int64(0)
	for _, k := range c.Argv[1:] {
		if _, ok := lookupKeyReadWithFlags(c, k, lookupNoTouch); ok {
			n++
		}
	}
	c.W.Int(n)
}

// touchCommand is TOUCH key [key ...] (expire.c): a read lookup per key.
func touchCommand(c *Ctx) {
	n := int64(0)
	for _, k := range c.Argv[1:] {
		if _, ok := lookupKeyReadWithFlags(c, k, 0); ok {
			n++
		}
	}
	c.W.Int(n)
}

func typeCommand(c *Ctx) {
	e, ok := lookupKeyReadWithFlags(c, c.Argv[1], lookupNoTouch)
	if !ok {
		c.W.Status("none")
		return
	}
	c.W.Status(e.Type.String())
}

func renameCommand(c *Ctx)   { renameGeneric(c, false) }
func renamenxCommand(c *Ctx) { renameGeneric(c, true) }

// renameGeneric is Redis's renameGenericCommand: the value moves with its
// expire; an existing destination is replaced (RENAME) or left alone
// (RENAMENX). A key renamed to itself is a no-op, but must exist.
func renameGeneric(c *Ctx, nx bool) {
	src, dst := c.Argv[1], c.Argv[2]
	e, ok := c.DB.Lookup(src) // lookupKeyWrite
	if !ok {
		c.Error(ErrNoSuchKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return
	}
	if c.DB.Exists(dst) {
		if nx {
			c.W.Int(0)
			return
		}
		c.DB.Delete(dst)
	}
	setEntry(c.DB, dst, e, e.ExpireAt)
	c.DB.Delete(src)
	c.Modified(src)
	c.Modified(dst)
	c.Notify('g', "rename_from", src)
	c.Notify('g', "rename_to", dst)
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

// moveCommand is MOVE key db. The target database's table for key is in
// the same shard, already locked by the dispatcher.
func moveCommand(c *Ctx) {
	key := c.Argv[1]
	dst, ok := dbIndexOrReply(c, c.Argv[2])
	if !ok {
		return
	}
	if dst.ID() == c.DB.ID() {
		c.Error(ErrSameObject)
		return
	}
	e, ok := c.DB.Lookup(key) // lookupKeyWrite
	if !ok {
		c.W.Int(0)
		return
	}
	if dst.Exists(key) {
		c.W.Int(0)
		return
	}
	setEntry(dst, key, e, e.ExpireAt)
	c.DB.Delete(key)
	// TODO(notify): move_to belongs to dst's keyspace channel.
	c.Modified(key)
	c.ModifiedIn(dst.ID(), key)
	c.Notify('g', "move_from", key)
	c.Notify('g', "move_to", key)
	c.W.Int(1)
}

// copyCommand is COPY source destination [DB destination-db] [REPLACE].
func copyCommand(c *Ctx) {
	src, dstKey := c.Argv[1], c.Argv[2]
	dst := c.DB
	replace := false
	for j := 3; j < len(c.Argv); j++ {
		switch {
		case c.Is(j, "replace"):
			replace = true
		case c.Is(j, "db") && j+1 < len(c.Argv):
			d, ok := dbIndexOrReply(c, c.Argv[j+1])
			if !ok {
				return
			}
			dst = d
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if dst.ID() == c.DB.ID() && bytes.Equal(src, dstKey) {
		c.Error(ErrSameObject)
		return
	}
	e, ok := lookupKeyReadWithFlags(c, src, 0)
	if !ok {
		c.W.Int(0)
		return
	}
	exists := dst.Exists(dstKey) // lookupKeyWrite
	if exists && !replace {
		c.W.Int(0)
		return
	}
	if e.Type != keyspace.TypeString {
		obj, ok := dupValue(e.Obj)
		if !ok {
			c.Error(ErrUnknownType)
			return
		}
		e.Obj = obj
	}
	if exists {
		dst.Delete(dstKey)
	}
	setEntry(dst, dstKey, e, e.ExpireAt) // copies string bytes
	// TODO(notify): copy_to belongs to dst's keyspace channel.
	c.ModifiedIn(dst.ID(), dstKey)
	c.Notify('g', "copy_to", dstKey)
	c.W.Int(1)
}

// dupValue returns an independent copy of a collection value, as Redis's
// listTypeDup, setTypeDup, zsetDup, hashTypeDup and streamDup.
//
// TODO(copy): the value types in internal/types/* get a Dup method; until
// they do, a value that has none makes COPY reply an error. When they
// land, either give them this method set or add a case per type here.
func dupValue(obj any) (any, bool) {
	if d, ok := obj.(interface{ DupValue() any }); ok {
		return d.DupValue(), true
	}
	return nil, false
}

// keysCommand is KEYS pattern. Stale keys are skipped but not deleted, as
// Redis's keyIsExpired check in keysCommand.
func keysCommand(c *Ctx) {
	pat := c.Argv[1]
	all := len(pat) == 1 && pat[0] == '*'
	d := c.W.Defer()
	n := 0
	c.DB.ForEach(func(k []byte, _ keyspace.Entry) bool {
		if all || StringMatch(pat, k, false) {
			c.W.Bulk(k)
			n++
		}
		return true
	})
	c.W.FinishArray(d, n)
}

// scanCommand is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
// The handler runs without shard locks (LockSelf): DB.Scan locks one shard
// at a time, unless the caller (EXEC) already holds them all.
func scanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[1])
	if !ok {
		c.Error(ErrInvalidCursor)
		return
	}
	count := int64(10)
	var pat, typ []byte
	usePat := false
	for i := 2; i < len(c.Argv); i += 2 {
		more := len(c.Argv) - i
		switch {
		case c.Is(i, "count") && more >= 2:
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
		case c.Is(i, "match") && more >= 2:
			pat = c.Argv[i+1]
			usePat = !(len(pat) == 1 && pat[0] == '*')
		case c.Is(i, "type") && more >= 2:
			typ = c.Argv[i+1]
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	var match func([]byte) bool
	if usePat {
		match = func(k []byte) bool { return StringMatch(pat, k, false) }
	}
	// Keys alias keyspace memory only while their shard is locked: copy
	// them into one buffer.
	var buf []byte
	var ends []int
	n := int(min(count, 1<<56)) // keeps 10*count (the bucket budget) from overflowing
	scan := c.DB.Scan
	if c.AllLocked { // in EXEC or a script: every shard is already held
		scan = c.DB.ScanLocked
	}
	next := scan(cursor, n, match, func(k []byte, e keyspace.Entry) {
		if typ != nil {
			// Redis's TYPE filter is a lookupKeyRead: it counts a hit.
			c.E.KS.KeyspaceHits.Add(1)
			if !bytesEqualFold(typ, e.Type.String()) {
				return
			}
		}
		buf = append(buf, k...)
		ends = append(ends, len(buf))
	})
	c.W.Array(2)
	c.W.BulkInt(int64(next)) // addReplyBulkLongLong
	c.W.Array(len(ends))
	start := 0
	for _, end := range ends {
		c.W.Bulk(buf[start:end])
		start = end
	}
}

// parseScanCursor parses a cursor as Redis's parseScanCursorOrReply: C's
// strtoul in base 10 (an optional sign, a negative value wraps modulo
// 2^64, overflow is an error), with no leading space and nothing after the
// digits. As in C, the empty string is cursor 0 and the digits end at the
// first NUL byte.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isCSpace(b[0]) {
		return 0, false
	}
	i := 0
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (1<<64-1-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if i == start {
		// No digits: strtoul sets the end to the start of the string.
		return 0, len(b) == 0 || b[0] == 0
	}
	if i < len(b) && b[i] != 0 {
		return 0, false
	}
	if overflow {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func randomkeyCommand(c *Ctx) {
	k := c.DB.RandomKey()
	if k == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(k)
}

// dbsizeCommand counts stale keys not yet expired, as Redis's dictSize.
func dbsizeCommand(c *Ctx) { c.W.Int(int64(c.DB.Len())) }

// flushMode parses FLUSHDB/FLUSHALL's [ASYNC|SYNC]; values are freed by
// the garbage collector either way.
func flushMode(c *Ctx) bool {
	switch {
	case len(c.Argv) == 1:
		return true
	case len(c.Argv) == 2 && (c.Is(1, "sync") || c.Is(1, "async")):
		return true
	}
	c.Error(ErrSyntax)
	return false
}

func flushdbCommand(c *Ctx) {
	if !flushMode(c) {
		return
	}
	c.E.TouchAllWatchedKeysInDB(c.DB.ID(), -1) // signalFlushedDb
	c.E.trackingInvalidateKeysOnFlush(c)
	c.DB.Flush()
	c.Dirty()
	c.ForcePropagation() // even when the database was already empty
	c.W.OK()
}

func flushallCommand(c *Ctx) {
	if !flushMode(c) {
		return
	}
	for i := 0; i < c.E.KS.NumDBs(); i++ {
		c.E.TouchAllWatchedKeysInDB(i, -1) // signalFlushedDb(-1)
	}
	c.E.trackingInvalidateKeysOnFlush(c)
	c.E.KS.FlushAll()
	c.Dirty()
	c.ForcePropagation() // even when the databases were already empty
	c.W.OK()
}

// swapdbCommand is SWAPDB index1 index2. Clients stay on their database
// numbers and see the other data.
func swapdbCommand(c *Ctx) {
	a, ok := intArgOrReply(c, c.Argv[1], ErrInvalidFirstDB)
	if !ok {
		return
	}
	b, ok := intArgOrReply(c, c.Argv[2], ErrInvalidSecondDB)
	if !ok {
		return
	}
	n := c.E.KS.NumDBs()
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error(ErrDBIndex)
		return
	}
	if a != b {
		c.E.TouchAllWatchedKeysInDB(a, b)
		c.E.TouchAllWatchedKeysInDB(b, a)
		c.E.KS.SwapDB(a, b)
		c.E.scanDatabaseForReadyKeys(a)
		c.E.scanDatabaseForReadyKeys(b)
	}
	c.Dirty()
	c.W.OK()
}
