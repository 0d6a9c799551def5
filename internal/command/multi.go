package command

import (
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).
//
// While a client is in MULTI, the dispatcher queues its commands (after
// the lookup, arity and auth checks; a rejected command flags the
// transaction so EXEC aborts). EXEC locks, in ascending order, the shards
// of every queued command's keys — or every shard if one of them is a
// whole-keyspace command — and runs the queue back to back under those
// locks: atomic and isolated across cores.
//
// WATCH registers the client on (db, key); Ctx.Modified, the keyspace's
// expiry and the whole-database commands mark the watchers dirty, under
// the key's shard lock, so a write is always seen before EXEC can take
// the same lock.

func multiCommands() []*Spec {
	return []*Spec{
		{Name: "multi", Handler: multiCommand},
		{Name: "exec", Handler: execCommand},
		{Name: "discard", Handler: discardCommand},
		{Name: "watch", Handler: watchCommand},
		{Name: "unwatch", Handler: unwatchCommand},
	}
}

type queuedCommand struct {
	spec *Spec
	argv [][]byte
}

// multiState is a client's transaction (conn goroutine only).
type multiState struct {
	queue     []queuedCommand
	dirtyExec bool // a command was rejected while queueing
}

// watchedKey is one WATCHed key of a client.
type watchedKey struct {
	db  int
	key string
	// existed records whether the key existed when watched: EXEC fails if
	// such a key has expired since (Redis's isWatchedKeyExpired).
	existed bool
}

type watching struct {
	mu    sync.Mutex
	byKey map[blockKey][]*Client // guarded by mu
	count atomic.Int64           // watched (client, key) pairs
}

// InMulti reports whether the client is queueing a transaction.
func (cl *Client) InMulti() bool { return cl.multi != nil }

// queueable reports whether m is queued, not run, inside MULTI.
func queueable(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	return true
}

// flagTransaction marks the transaction of cl aborted (EXECABORT).
func flagTransaction(cl *Client) {
	if cl.multi != nil {
		cl.multi.dirtyExec = true
	}
}

func (e *Engine) queue(cl *Client, spec *Spec, argv [][]byte, w *resp.Writer) {
	q := queuedCommand{spec: spec, argv: make([][]byte, len(argv))}
	for i, a := range argv {
		q.argv[i] = append([]byte(nil), a...)
	}
	cl.multi.queue = append(cl.multi.queue, q)
	cl.MultiQueued.Store(int32(len(cl.multi.queue)))
	w.Status("QUEUED")
}

func multiCommand(c *Ctx) {
	if c.C.multi != nil {
		c.Error("ERR MULTI calls can not be nested")
		return
	}
	c.C.multi = &multiState{}
	c.C.SetFlag(FlagMulti, true)
	c.W.OK()
}

func discardCommand(c *Ctx) {
	if c.C.multi == nil {
		c.Error("ERR DISCARD without MULTI")
		return
	}
	c.E.discardTransaction(c.C)
	c.W.OK()
}

func (e *Engine) discardTransaction(cl *Client) {
	cl.multi = nil
	cl.MultiQueued.Store(0)
	cl.SetFlag(FlagMulti, false)
	e.unwatchAll(cl)
}

func execCommand(c *Ctx) {
	cl := c.C
	e := c.E
	if cl.multi == nil {
		c.Error("ERR EXEC without MULTI")
		return
	}
	ms := cl.multi
	if ms.dirtyExec {
		e.discardTransaction(cl)
		c.Error("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	// Lock everything the queue touches, then check the watched keys
	// under those locks: nothing can modify them until we are done.
	all := false
	var keys [][]byte
	for _, q := range ms.queue {
		if q.spec.Lock != LockKeys {
			all = true
			break
		}
		refs, err := q.spec.Meta.Keys(q.argv, nil)
		if err != nil {
			continue
		}
		for _, r := range refs {
			if r.Pos < len(q.argv) {
				keys = append(keys, q.argv[r.Pos])
			}
		}
	}
	for _, wk := range cl.watched {
		keys = append(keys, []byte(wk.key))
	}
	var shards []int
	if all {
		e.KS.LockAll()
	} else {
		shards = e.shardsOf(keys)
		e.KS.Lock(shards)
	}
	unlock := func() {
		if all {
			e.KS.ReleaseAll()
		} else {
			e.KS.Release(shards)
		}
	}
	if cl.dirtyCAS.Load() || e.watchedKeyExpired(cl) {
		unlock()
		e.discardTransaction(cl)
		c.W.NullArray()
		return
	}
	e.unwatchAll(cl)
	cl.multi = nil
	cl.MultiQueued.Store(0)
	cl.SetFlag(FlagMulti, false)
	c.W.Array(len(ms.queue))
	for _, q := range ms.queue {
		sub := Ctx{E: e, C: cl, Argv: q.argv, W: c.W, DB: e.KS.DB(cl.DB), Spec: q.spec, InExec: true, AllLocked: all}
		e.run(&sub) // a SELECT inside changes cl.DB for the next ones
	}
	unlock()
}

// watchedKeyExpired reports whether a key that existed when watched has
// expired since. Its shard must be locked.
func (e *Engine) watchedKeyExpired(cl *Client) bool {
	for _, wk := range cl.watched {
		if !wk.existed {
			continue
		}
		db := e.KS.DB(wk.db)
		if _, ok := db.Peek([]byte(wk.key)); !ok {
			return true
		}
	}
	return false
}

func watchCommand(c *Ctx) {
	if c.C.multi != nil {
		c.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	// Redis allows WATCH while the transaction is already doomed.
	if c.C.dirtyCAS.Load() {
		c.W.OK()
		return
	}
	e := c.E
	for _, k := range c.Argv[1:] {
		e.watchKey(c, k)
	}
	c.W.OK()
}

// watchKey registers c's client on key; the key's shard is locked.
func (e *Engine) watchKey(c *Ctx, key []byte) {
	cl := c.C
	db := c.DB.ID()
	for _, wk := range cl.watched {
		if wk.db == db && wk.key == string(key) {
			return
		}
	}
	_, existed := c.DB.Peek(key)
	cl.watched = append(cl.watched, watchedKey{db: db, key: string(key), existed: existed})
	w := &e.watchers
	bk := blockKey{db, string(key)}
	w.mu.Lock()
	if w.byKey == nil {
		w.byKey = map[blockKey][]*Client{}
	}
	w.byKey[bk] = append(w.byKey[bk], cl)
	w.mu.Unlock()
	w.count.Add(1)
}

func unwatchCommand(c *Ctx) {
	c.E.unwatchAll(c.C)
	c.W.OK()
}

// unwatchAll forgets every key cl watches and clears its dirty flag.
func (e *Engine) unwatchAll(cl *Client) {
	cl.dirtyCAS.Store(false)
	if len(cl.watched) == 0 {
		return
	}
	w := &e.watchers
	w.mu.Lock()
	for _, wk := range cl.watched {
		bk := blockKey{wk.db, wk.key}
		cs := w.byKey[bk]
		for i, x := range cs {
			if x == cl {
				cs = append(cs[:i:i], cs[i+1:]...)
				break
			}
		}
		if len(cs) == 0 {
			delete(w.byKey, bk)
		} else {
			w.byKey[bk] = cs
		}
		w.count.Add(-1)
	}
	w.mu.Unlock()
	cl.watched = nil
}

// touchWatchedKey is Redis's touchWatchedKey: every client watching
// (db, key) will fail its EXEC.
func (e *Engine) touchWatchedKey(db int, key []byte) {
	w := &e.watchers
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for _, cl := range w.byKey[blockKey{db, string(key)}] {
		cl.dirtyCAS.Store(true)
	}
	w.mu.Unlock()
}

// TouchAllWatchedKeysInDB is Redis's touchAllWatchedKeysInDb for FLUSHDB,
// FLUSHALL and SWAPDB: watchers of keys that exist in db (or, for SWAPDB,
// in other) are flagged. All shards must be locked.
func (e *Engine) TouchAllWatchedKeysInDB(db, other int) {
	w := &e.watchers
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for bk, cls := range w.byKey {
		if bk.db != db {
			continue
		}
		k := []byte(bk.key)
		exists := e.KS.DB(db).Exists(k) || (other >= 0 && e.KS.DB(other).Exists(k))
		if !exists {
			continue
		}
		for _, cl := range cls {
			cl.dirtyCAS.Store(true)
		}
	}
}
