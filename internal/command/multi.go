package command

import (
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).
//
// While a client is in MULTI, the dispatcher queues its commands (after
// the lookup, arity and auth checks; a rejected command flags the
// transaction so EXEC aborts). EXEC locks, in ascending order, the shards
// of every queued command's keys and of every WATCHed key — or every
// shard if one queued command is a whole-keyspace command — checks the
// watched keys and runs the queue back to back under those locks: atomic
// and isolated across cores.
//
// WATCH registers the client on (db, key) in the watch table stripe of
// the key's shard. Ctx.Modified (signalModifiedKey), the keyspace's expiry
// hook and the whole-database commands (TouchAllWatchedKeysInDB) mark the
// watchers dirty while they hold the key's shard lock, and WATCH
// registers under that lock too; so a write to a watched key is either
// before the WATCH (and not a conflict) or flags the client before EXEC,
// which takes the same lock, looks at the flag.
//
// Redis's watchedKey.expired (a key already logically expired when
// watched) needs no counterpart: WATCH looks the key up, which deletes a
// stale key before the client is registered, and at EXEC a watched key
// that has expired since is expired by the same lookup, whose expiry hook
// flags the client — Redis's isWatchedKeyExpired.
//
// Lock order: shard locks -> watchStripe.mu (a leaf: nothing is called
// while it is held).

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
	spec  *Spec
	first int      // index of its first argument in multiState.ends
	argv  [][]byte // set by EXEC (argsFor), slices of the arena
}

// multiState is a client's transaction (conn goroutine only). The queued
// arguments are copied into one arena; argument k is
// arena[ends[k-1]:ends[k]]. The state is reused by the client's next
// transaction, so a steady MULTI/EXEC load allocates nothing.
type multiState struct {
	queue     []queuedCommand
	arena     []byte
	ends      []int
	argv      [][]byte // EXEC's argument slices
	dirtyExec bool     // a command was rejected while queueing (CLIENT_DIRTY_EXEC)
}

// reset empties ms for reuse, dropping buffers that grew large.
func (ms *multiState) reset() {
	if cap(ms.arena) > 1<<20 || cap(ms.ends) > 1<<16 {
		*ms = multiState{}
		return
	}
	clear(ms.argv)
	*ms = multiState{queue: ms.queue[:0], arena: ms.arena[:0], ends: ms.ends[:0], argv: ms.argv[:0]}
}

// buildArgv makes every queued command's argv point into the arena (which
// no longer grows once EXEC runs).
func (ms *multiState) buildArgv() {
	argv := ms.argv[:0]
	start := 0
	for _, end := range ms.ends {
		argv = append(argv, ms.arena[start:end:end])
		start = end
	}
	ms.argv = argv
	for i := range ms.queue {
		q := &ms.queue[i]
		n := len(ms.ends) - q.first
		if i+1 < len(ms.queue) {
			n = ms.queue[i+1].first - q.first
		}
		q.argv = argv[q.first : q.first+n : q.first+n]
	}
}

// watchedKey is one WATCHed key of a client.
type watchedKey struct {
	db     int
	stripe int // index into watching.stripes
	key    string
}

// watchStripes is the number of watch table stripes; a key's stripe is
// its shard modulo watchStripes, so the touch of a key contends only with
// WATCHes of keys of the same stripe.
const watchStripes = 64

// watching is the WATCH registry: Redis's per-db watched_keys dicts,
// striped by shard.
type watching struct {
	count   atomic.Int64 // watched (client, key) pairs: 0 makes touches free
	stripes [watchStripes]watchStripe
}

type watchStripe struct {
	mu   sync.Mutex
	byDB map[int]map[string][]*Client // guarded by mu
	_    [40]byte                     // keep stripes on separate cache lines
}

func (e *Engine) watchStripeOf(key []byte) int { return e.KS.ShardOf(key) % watchStripes }

// InMulti reports whether the client is queueing a transaction.
func (cl *Client) InMulti() bool { return cl.multi != nil }

// queueable reports whether a command is queued, not run, inside MULTI:
// every command but these six (processCommand).
func queueable(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	return true
}

// flagTransaction marks the transaction of cl aborted (EXECABORT): called
// for every command rejected while queueing.
func flagTransaction(cl *Client) {
	if cl.multi != nil {
		cl.multi.dirtyExec = true
	}
}

// queue is queueMultiCommand: it copies the command into the transaction
// and replies QUEUED. A transaction already doomed (a rejected command, or
// a watched key touched) keeps nothing more, as Redis, which CLIENT LIST's
// multi= count shows.
func (e *Engine) queue(cl *Client, spec *Spec, argv [][]byte, w *resp.Writer) {
	cl.lastCmd.Store(spec)
	ms := cl.multi
	if !ms.dirtyExec && !cl.dirtyCAS.Load() {
		ms.queue = append(ms.queue, queuedCommand{spec: spec, first: len(ms.ends)})
		for _, a := range argv {
			ms.arena = append(ms.arena, a...)
			ms.ends = append(ms.ends, len(ms.arena))
		}
		cl.MultiQueued.Store(int32(len(ms.queue)))
	}
	w.Status("QUEUED")
}

// writeMeta returns the metadata of a queued command that writes or may
// replicate, or nil: EXEC counts as such a command for CLIENT PAUSE WRITE
// (processCommand's is_may_replicate_command with mstate.cmd_flags).
func (ms *multiState) writeMeta() *meta.Command {
	for _, q := range ms.queue {
		if q.spec.Meta.FlagMask&(meta.FlagWrite|meta.FlagMayReplicate) != 0 {
			return q.spec.Meta
		}
	}
	return nil
}

func multiCommand(c *Ctx) {
	if c.C.multi != nil {
		c.Error("ERR MULTI calls can not be nested")
		return
	}
	ms := c.C.multiFree
	if ms == nil {
		ms = &multiState{}
	}
	c.C.multiFree = nil
	c.C.multi = ms
	c.C.MultiQueued.Store(0)
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

// discardTransaction leaves MULTI and forgets the queue and the WATCHes
// (and with them the dirty flag).
func (e *Engine) discardTransaction(cl *Client) {
	if cl.multi != nil {
		cl.multi.reset()
		cl.multiFree = cl.multi
	}
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
	ms.buildArgv()
	// Lock everything the queue and the watched keys touch, then check the
	// watched keys under those locks: nothing can modify them until the
	// queue has run.
	all := false
	refs := cl.keyBuf[:0]
	keys := cl.execKeys[:0]
	for _, q := range ms.queue {
		if q.spec.Lock != LockKeys {
			all = true
			break
		}
		var err error
		refs, err = q.spec.Meta.Keys(q.argv, refs[:0])
		if err != nil {
			continue
		}
		for _, r := range refs {
			if r.Pos < len(q.argv) {
				keys = append(keys, q.argv[r.Pos])
			}
		}
	}
	cl.keyBuf = refs[:0]
	var shards []int
	if all {
		e.KS.LockAllWait(cl.blocker())
	} else {
		for i := range cl.watched {
			keys = append(keys, []byte(cl.watched[i].key))
		}
		shards = e.appendShards(cl.execShards[:0], keys)
		e.KS.LockWait(shards, cl.blocker())
	}
	clear(keys)
	cl.execKeys, cl.execShards = keys[:0], shards[:0]
	e.expireWatchedKeys(cl)
	if cl.dirtyCAS.Load() {
		e.unlockExec(all, shards)
		e.discardTransaction(cl)
		c.W.NullArray()
		return
	}
	// Unwatch first, as Redis: the transaction's own writes must not flag
	// the client.
	e.unwatchAll(cl)
	cl.multi = nil
	cl.MultiQueued.Store(0)
	cl.SetFlag(FlagMulti, false)
	c.W.Array(len(ms.queue))
	sub := &cl.execCtx
	for _, q := range ms.queue {
		// A SELECT inside changes cl.DB for the commands after it.
		*sub = Ctx{E: e, C: cl, Argv: q.argv, W: c.W, DB: e.dbFor(cl, cl.DB), Spec: q.spec, InExec: true, AllLocked: all}
		e.run(sub)
	}
	*sub = Ctx{}
	if len(cl.prop.ops) > 0 {
		e.flushProp(cl, nil)
	}
	e.unlockExec(all, shards)
	ms.reset()
	cl.multiFree = ms
}

func (e *Engine) unlockExec(all bool, shards []int) {
	if all {
		e.KS.ReleaseAll()
	} else {
		e.KS.Release(shards)
	}
}

// expireWatchedKeys is Redis's isWatchedKeyExpired: it looks up every
// watched key, which expires a key whose time has come and so, through the
// expiry hook, flags its watchers (this client among them). The shards of
// the watched keys must be locked.
func (e *Engine) expireWatchedKeys(cl *Client) {
	for i := range cl.watched {
		wk := &cl.watched[i]
		e.KS.DB(wk.db).Exists([]byte(wk.key))
	}
}

func watchCommand(c *Ctx) {
	if c.C.multi != nil {
		c.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	// No point in watching if the client is already dirty.
	if c.C.dirtyCAS.Load() {
		c.W.OK()
		return
	}
	for _, k := range c.Argv[1:] {
		c.E.watchKey(c, k)
	}
	c.W.OK()
}

// watchKey is watchForKey: it registers c's client on key in c's database.
// The key's shard is locked.
func (e *Engine) watchKey(c *Ctx, key []byte) {
	cl := c.C
	db := c.DB.ID()
	for i := range cl.watched {
		if cl.watched[i].db == db && cl.watched[i].key == string(key) {
			return
		}
	}
	// Expire a stale key now, before the client is registered: a key that
	// was already expired when watched does not fail EXEC when it is
	// deleted (Redis's watchedKey.expired).
	c.DB.Exists(key)
	wk := watchedKey{db: db, stripe: e.watchStripeOf(key), key: string(key)}
	cl.watched = append(cl.watched, wk)
	s := &e.watchers.stripes[wk.stripe]
	s.mu.Lock()
	if s.byDB == nil {
		s.byDB = map[int]map[string][]*Client{}
	}
	m := s.byDB[db]
	if m == nil {
		m = map[string][]*Client{}
		s.byDB[db] = m
	}
	m[wk.key] = append(m[wk.key], cl)
	s.mu.Unlock()
	e.watchers.count.Add(1)
}

func unwatchCommand(c *Ctx) {
	c.E.unwatchAll(c.C)
	c.W.OK()
}

// unwatchAll forgets every key cl watches and clears its dirty flag.
func (e *Engine) unwatchAll(cl *Client) {
	for i := range cl.watched {
		wk := &cl.watched[i]
		s := &e.watchers.stripes[wk.stripe]
		s.mu.Lock()
		m := s.byDB[wk.db]
		cs := m[wk.key]
		for j, x := range cs {
			if x == cl {
				cs = append(cs[:j:j], cs[j+1:]...)
				break
			}
		}
		if len(cs) == 0 {
			delete(m, wk.key)
			if len(m) == 0 {
				delete(s.byDB, wk.db)
			}
		} else {
			m[wk.key] = cs
		}
		s.mu.Unlock()
		e.watchers.count.Add(-1)
	}
	clear(cl.watched) // drop the key strings
	cl.watched = cl.watched[:0]
	// Only now: a touch that found cl registered has finished, and none
	// can flag it any more.
	cl.dirtyCAS.Store(false)
}

// touchWatchedKey is Redis's touchWatchedKey: every client watching
// (db, key) will fail its EXEC. The key's shard is locked.
func (e *Engine) touchWatchedKey(db int, key []byte) {
	if e.watchers.count.Load() == 0 {
		return
	}
	s := &e.watchers.stripes[e.watchStripeOf(key)]
	s.mu.Lock()
	for _, cl := range s.byDB[db][string(key)] {
		cl.dirtyCAS.Store(true)
	}
	s.mu.Unlock()
}

// TouchAllWatchedKeysInDB is Redis's touchAllWatchedKeysInDb for FLUSHDB,
// FLUSHALL and SWAPDB (other < 0 but for SWAPDB): the watchers of keys of
// db that exist in db, or in other (whose data db is about to get), are
// flagged. It must run before the data changes, with every shard locked.
//
// Existence is checked with the keyspace's lookup, which expires stale
// keys: a key watched while live that has expired since flags its
// watchers through the expiry hook (Redis flags them here since the key is
// still in its dict), and a stale key is not a key (Redis's
// watchedKey.expired cases).
func (e *Engine) TouchAllWatchedKeysInDB(db, other int) {
	if e.watchers.count.Load() == 0 {
		return
	}
	var keys []string
	for i := range e.watchers.stripes {
		s := &e.watchers.stripes[i]
		keys = keys[:0]
		s.mu.Lock()
		for k := range s.byDB[db] {
			keys = append(keys, k)
		}
		s.mu.Unlock()
		// The lookups below may expire keys, whose hook takes s.mu: it is
		// not held. No client can WATCH meanwhile (every shard is held);
		// an UNWATCH may, so the watchers are read again below.
		for _, k := range keys {
			kb := []byte(k)
			if !e.KS.DB(db).Exists(kb) && (other < 0 || !e.KS.DB(other).Exists(kb)) {
				continue
			}
			s.mu.Lock()
			for _, cl := range s.byDB[db][k] {
				cl.dirtyCAS.Store(true)
			}
			s.mu.Unlock()
		}
	}
}
