package command

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Blocking operations (BLPOP, BLMOVE, BZPOPMIN, ...), Redis's blocked.c.
//
// A blocking handler that finds nothing to serve registers a Waiter on its
// keys (under the keys' shard locks, so no push can slip in between) and
// returns without a reply. The connection goroutine then waits for the
// waiter to be served, to time out, to be unblocked (CLIENT UNBLOCK/KILL)
// or for its client to disconnect.
//
// A key becomes ready when it is created (keyspace OnAdd = Redis's dbAdd ->
// signalKeyAsReady): blocking only ever waits on missing keys, since empty
// collections are deleted. After every command, with its shards released,
// the dispatcher serves the ready keys: for each key, its waiters in the
// order they blocked, each under the shard locks its serve function needs,
// until the key is gone again. Waiters that wait for another type than the
// key now holds (a BZPOPMIN client when the key became a list) are skipped
// and stay blocked, as in Redis 7.0's serveClientsBlockedOnListKey & co.
// Serving is serialized by serveMu.
//
// Lock order: serveMu -> shard locks -> blocking.mu.

// Waiter is a client blocked on keys.
type Waiter struct {
	cl   *Client
	db   int
	keys [][]byte // copies, without duplicates
	spec *Spec    // the blocking command, for its statistics
	// Type is the value type the waiter is served from (TypeList for
	// BLPOP & co., TypeZSet for BZPOPMIN & co.): Redis's btype.
	Type keyspace.Type
	// Serve tries to serve the client from key with the shards of key and
	// of LockKeys held; it writes the reply to c.W and reports whether it
	// did (false: the key is empty or of another type).
	Serve func(c *Ctx, key []byte) bool
	// LockKeys are extra keys whose shards Serve needs (BLMOVE's target).
	LockKeys [][]byte
	// DenyReply writes the reply of the command when it may not block
	// (inside MULTI or a script): a null array, or a null bulk for BLMOVE
	// and BRPOPLPUSH. A wait that times out or is unblocked by CLIENT
	// UNBLOCK always gets a null array (replyToBlockedClientTimedOut), even
	// BLMOVE's.
	DenyReply func(w *resp.Writer)
	// Deadline is when the wait times out; zero waits forever.
	Deadline time.Time

	state     atomic.Int32
	stamp     int64       // when the client's request was read (Client.ReadStamp)
	cancelReq atomic.Bool // CancelBlock came while the waiter was being served
	reply     []byte
	done      chan struct{}
}

// Waiter states.
const (
	waitBlocked int32 = iota
	waitServing
	waitServed
	waitTimedOut
	waitUnblockedTimeout // CLIENT UNBLOCK id [TIMEOUT]
	waitUnblockedError   // CLIENT UNBLOCK id ERROR
	waitCancelled        // the client went away (disconnect, CLIENT KILL)
)

// Done is closed when the waiter no longer waits (served or unblocked).
func (w *Waiter) Done() <-chan struct{} { return w.done }

// Cancelled reports whether the wait was ended because the client is
// being closed (CLIENT KILL): its connection should run nothing more.
func (w *Waiter) Cancelled() bool { return w.state.Load() == waitCancelled }

type blockKey struct {
	db  int
	key string
}

type blocking struct {
	serveMu  sync.Mutex
	mu       sync.Mutex
	byKey    map[blockKey][]*Waiter // guarded by mu
	ready    []blockKey             // guarded by mu
	readySet map[blockKey]bool      // guarded by mu
	count    atomic.Int64           // registered waiters
	timed    atomic.Int64           // registered waiters with a deadline
	pending  atomic.Bool            // ready is not empty
}

// BlockedClients returns the number of clients blocked on keys.
func (e *Engine) BlockedClients() int64 { return e.block.count.Load() }

// ClientsInTimeoutTable returns the number of clients blocked on keys with
// a timeout (INFO clients_in_timeout_table: Redis's timeout table holds
// only blocked clients whose timeout is not 0).
func (e *Engine) ClientsInTimeoutTable() int64 { return e.block.timed.Load() }

// Block registers the running client as blocked on keys (copied). The
// handler must not reply: the reply comes when the waiter is served, times
// out or is unblocked.
func (c *Ctx) Block(w *Waiter, keys [][]byte) {
	if c.InExec || c.NoBlock {
		// Inside MULTI (or a script) a blocking command does not block
		// (CLIENT_DENY_BLOCKING).
		w.DenyReply(c.W)
		return
	}
	if w.Type != keyspace.TypeList && w.Type != keyspace.TypeZSet && w.Type != keyspace.TypeStream {
		panic("BUG: blocking for a type that cannot be waited on")
	}
	b := &c.E.block
	w.cl = c.C
	w.stamp = c.C.ReadStamp
	w.db = c.DB.ID()
	w.spec = c.Spec
	w.done = make(chan struct{})
	w.keys = make([][]byte, 0, len(keys))
	for _, k := range keys {
		// A key named twice is waited on once (blockForKeys).
		if !slices.ContainsFunc(w.keys, func(x []byte) bool { return string(x) == string(k) }) {
			w.keys = append(w.keys, append([]byte(nil), k...))
		}
	}
	b.mu.Lock()
	if b.byKey == nil {
		b.byKey = map[blockKey][]*Waiter{}
		b.readySet = map[blockKey]bool{}
	}
	for _, k := range w.keys {
		bk := blockKey{w.db, string(k)}
		// FIFO by the time each client's request was read: connections run
		// in parallel, so the one whose request arrived first may register
		// second (Redis's single event loop never reorders them).
		ws := append(b.byKey[bk], w)
		for i := len(ws) - 1; i > 0 && ws[i-1].stamp > w.stamp; i-- {
			ws[i-1], ws[i] = ws[i], ws[i-1]
		}
		b.byKey[bk] = ws
	}
	b.mu.Unlock()
	b.count.Add(1)
	if !w.Deadline.IsZero() {
		b.timed.Add(1)
	}
	c.C.block.Store(w)
	c.C.SetFlag(FlagBlocked, true)
}

// onAdd is the keyspace's dbAdd hook: a new list/zset/stream key may wake
// blocked clients.
func (e *Engine) onAdd(db int, key []byte, t keyspace.Type) {
	e.notifyNew(db, key)
	b := &e.block
	if b.count.Load() == 0 || (t != keyspace.TypeList && t != keyspace.TypeZSet && t != keyspace.TypeStream) {
		return
	}
	bk := blockKey{db, string(key)}
	b.mu.Lock()
	if len(b.byKey[bk]) > 0 && !b.readySet[bk] {
		b.readySet[bk] = true
		b.ready = append(b.ready, bk)
		b.pending.Store(true)
	}
	b.mu.Unlock()
}

// unregisterLocked removes w from every key it waits on. b.mu must be held.
func (b *blocking) unregisterLocked(w *Waiter) {
	for _, k := range w.keys {
		bk := blockKey{w.db, string(k)}
		ws := b.byKey[bk]
		for i, x := range ws {
			if x == w {
				ws = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(b.byKey, bk)
		} else {
			b.byKey[bk] = ws
		}
	}
	b.count.Add(-1)
	if !w.Deadline.IsZero() {
		b.timed.Add(-1)
	}
}

// serveReady serves the clients blocked on keys that became ready. It is
// called with no shard lock held.
func (e *Engine) serveReady() {
	b := &e.block
	b.serveMu.Lock()
	defer b.serveMu.Unlock()
	for b.pending.Load() {
		b.mu.Lock()
		ready := b.ready
		b.ready = nil
		for _, bk := range ready {
			delete(b.readySet, bk)
		}
		b.pending.Store(false)
		b.mu.Unlock()
		for _, bk := range ready {
			e.serveKey(bk)
		}
	}
}

func (e *Engine) serveKey(bk blockKey) {
	b := &e.block
	key := []byte(bk.key)
	// As handleClientsBlockedOnKeys (updateCachedTime): a key that expired
	// while the command that made it ready ran (MULTI ... DEBUG SLEEP ...
	// EXEC) is not served.
	e.RefreshClock()
	var skipped []*Waiter // blocked for another type than the key holds
	for {
		b.mu.Lock()
		var w *Waiter
		for _, x := range b.byKey[bk] {
			if x.state.Load() == waitBlocked && !slices.Contains(skipped, x) {
				w = x
				break
			}
		}
		if w == nil || !w.state.CompareAndSwap(waitBlocked, waitServing) {
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()

		shards := e.shardsOf(append([][]byte{key}, w.LockKeys...))
		e.KS.Lock(shards)
		db := e.KS.DB(bk.db)
		ent, found := db.Peek(key) // expires a stale key, as lookupKeyReadWithFlags
		served, wrongType := false, false
		out := resp.Writer{Proto: w.cl.Proto()}
		ctx := Ctx{E: e, C: w.cl, W: &out, DB: db, Spec: w.spec}
		switch {
		case w.cancelReq.Load():
		case !found:
		case ent.Type != w.Type:
			wrongType = true
		default:
			served = w.Serve(&ctx, key)
			e.TrackingFlushPending(w.cl, &out) // invalidations after the reply
			if served && e.propagating() && ctx.prop&propRewritten != 0 {
				// The pop propagates as its non-blocking form, in the
				// waiter's database (serveClientBlockedOnList).
				e.recordProp(&ctx)
				e.flushProp(w.cl, nil)
			}
		}
		e.KS.Release(shards)

		b.mu.Lock()
		if !served && w.cancelReq.Load() {
			// CLIENT KILL came while we were about to serve it.
			b.unregisterLocked(w)
			w.state.Store(waitCancelled)
			close(w.done)
			b.mu.Unlock()
			continue
		}
		if !served {
			w.state.Store(waitBlocked)
			b.mu.Unlock()
			if wrongType {
				skipped = append(skipped, w)
				continue
			}
			return // the key is gone again
		}
		b.unregisterLocked(w)
		w.reply = out.Buf
		w.state.Store(waitServed)
		close(w.done)
		b.mu.Unlock()
		if ctx.failed && w.spec != nil {
			// updateStatsOnUnblock(..., had_errors): BLMOVE into a key of
			// another type fails the call.
			w.spec.Failed.Add(1)
			e.Stats.FailedCalls.Add(1)
		}
	}
}

// shardsOf returns the sorted, distinct shards of keys.
func (e *Engine) shardsOf(keys [][]byte) []int { return e.appendShards(nil, keys) }

// appendShards appends to out the sorted, distinct shards of keys.
func (e *Engine) appendShards(out []int, keys [][]byte) []int {
	for _, k := range keys {
		out = insertShard(out, e.KS.ShardOf(k))
	}
	return out
}

// insertShard inserts s into the sorted, duplicate-free list out (a
// command touches few shards: insertion beats sorting).
func insertShard(out []int, s int) []int {
	i := len(out)
	for i > 0 && out[i-1] > s {
		i--
	}
	if i > 0 && out[i-1] == s {
		return out
	}
	out = append(out, 0)
	copy(out[i+1:], out[i:])
	out[i] = s
	return out
}

// BlockedWaiter returns the waiter cl is blocked on, or nil.
func (cl *Client) BlockedWaiter() *Waiter { return cl.block.Load() }

// FinishBlock ends cl's wait and writes its reply to w: the served reply,
// the timeout reply, or the CLIENT UNBLOCK error. cancelled is set when the
// client went away (nothing is written then).
func (e *Engine) FinishBlock(cl *Client, w *resp.Writer, cancelled bool) {
	wt := cl.block.Load()
	if wt == nil {
		return
	}
	b := &e.block
	b.mu.Lock()
	for wt.state.Load() == waitServing {
		// Being served right now: let the serving goroutine finish.
		b.mu.Unlock()
		time.Sleep(20 * time.Microsecond)
		b.mu.Lock()
	}
	if wt.state.Load() == waitBlocked {
		b.unregisterLocked(wt)
		if cancelled {
			wt.state.Store(waitCancelled)
		} else {
			wt.state.Store(waitTimedOut)
		}
		close(wt.done)
	}
	b.mu.Unlock()
	cl.block.Store(nil)
	cl.SetFlag(FlagBlocked, false)
	e.Slowlog.unblocked(e, cl, !cancelled && wt.state.Load() == waitServed)
	if cancelled {
		return
	}
	switch st := wt.state.Load(); st {
	case waitServed:
		w.Raw(wt.reply)
	case waitTimedOut:
		w.NullArray()
	case waitUnblockedTimeout, waitUnblockedError:
		if st == waitUnblockedError {
			w.Error(ErrUnblocked)
			e.countError(ErrUnblocked)
		} else {
			w.NullArray()
		}
		// CLIENT UNBLOCK calls updateStatsOnUnblock(target, 0, 0, 1):
		// the blocking call counts as failed either way.
		if wt.spec != nil {
			wt.spec.Failed.Add(1)
			e.Stats.FailedCalls.Add(1)
		}
	}
}

// Unblock is CLIENT UNBLOCK: it ends cl's wait (on keys, or in WAIT) as a
// timeout, or with an error. It reports whether cl was blocked.
func (e *Engine) Unblock(cl *Client, withError bool) bool {
	st := waitUnblockedTimeout
	if withError {
		st = waitUnblockedError
	}
	if e.endWait(cl, st) {
		return true
	}
	if ch := cl.replWait.Load(); ch != nil {
		select {
		case *ch <- withError:
			return true
		default: // unblocked already
		}
	}
	return false
}

// CancelBlock ends cl's wait without a reply, for a client that is being
// closed (CLIENT KILL): from now on nothing is served to it, so no pushed
// element can be lost to a client that is gone. The connection goroutine
// still calls FinishBlock. It reports whether cl was blocked on keys.
func (e *Engine) CancelBlock(cl *Client) bool { return e.endWait(cl, waitCancelled) }

// endWait moves cl's wait, if it is still blocked, to state st and wakes
// the connection goroutine.
//
// It never waits for a waiter being served: the caller may hold shard
// locks the serving goroutine needs (CLIENT KILL inside MULTI with KEYS).
// A serve under way comes first in the serial order, so CLIENT UNBLOCK
// then finds the client no longer blocked; a cancel is noted for the
// serving goroutine, in case it ends up not serving the client.
func (e *Engine) endWait(cl *Client, st int32) bool {
	wt := cl.block.Load()
	if wt == nil {
		return false
	}
	b := &e.block
	b.mu.Lock()
	defer b.mu.Unlock()
	switch wt.state.Load() {
	case waitBlocked:
	case waitServing:
		if st == waitCancelled {
			wt.cancelReq.Store(true)
		}
		return false
	default:
		return false
	}
	b.unregisterLocked(wt)
	wt.state.Store(st)
	close(wt.done)
	return true
}

// scanDatabaseForReadyKeys marks ready every key of db that clients block
// on and that now exists (after SWAPDB). All shards must be locked.
func (e *Engine) scanDatabaseForReadyKeys(db int) {
	b := &e.block
	if b.count.Load() == 0 {
		return
	}
	b.mu.Lock()
	var keys [][]byte
	for bk := range b.byKey {
		if bk.db == db {
			keys = append(keys, []byte(bk.key))
		}
	}
	b.mu.Unlock()
	d := e.KS.DB(db)
	for _, k := range keys {
		if ent, ok := d.PeekStale(k); ok { // dictFind: an expired key is expired when served
			e.onAdd(db, k, ent.Type)
		}
	}
}
