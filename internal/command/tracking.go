package command

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Client-side caching (Redis 7.0's tracking.c and the CLIENT TRACKING,
// CACHING, GETREDIR and TRACKINGINFO subcommands of networking.c; see
// https://redis.io/docs/manual/client-side-caching/).
//
// Default mode: after a read-only command of a tracking client, the keys
// of the command (meta's KeysLegacy, as Redis's getKeysFromCommand) are
// remembered in the tracking table, key -> client IDs. When such a key is
// modified (Ctx.Modified, expiry, eviction from the table) every client
// of the key gets one invalidation and the key is forgotten. Keys are not
// per database, as in Redis. BCAST mode: a modified key matching one of
// the prefixes is queued on the prefix and broadcast, one message per
// prefix, to the prefix's clients after the top-level command (or by the
// cron, for active expiry). FLUSHDB/FLUSHALL send every tracking client a
// null ("everything") and empty the table.
//
// Delivery: a RESP3 client gets the push >2 "invalidate" [keys]; with
// REDIRECT the message goes to the redirect client instead, as a push if
// it speaks RESP3 or as a Pub/Sub message on __redis__:invalidate if it is
// a RESP2 client in Pub/Sub mode. A redirect client that is gone gets the
// tracking client a "tracking-redir-broken" push (RESP3 only).
//
// Ordering: an invalidation for the client running the command is
// deferred to the end of the command (trackingHandlePendingKeyInvalidations
// in Redis's afterCommand), so it follows the command's reply, EXEC's
// included; other clients get theirs at once through Conn.Push, which
// keeps them after any reply of a batch that is being executed.
//
// Locking: the table has its own mutex, a leaf taken under shard locks;
// nothing is called out while it is held (clients are looked up and
// messages pushed after it is released). With nobody tracking, a key
// change costs one atomic load (trackingTable.active).

// Client tracking flags (clientTracking.flags), Redis's CLIENT_TRACKING_*.
const (
	trackOn          uint32 = 1 << iota // CLIENT_TRACKING
	trackBrokenRedir                    // CLIENT_TRACKING_BROKEN_REDIR
	trackBcast                          // CLIENT_TRACKING_BCAST
	trackOptin                          // CLIENT_TRACKING_OPTIN
	trackOptout                         // CLIENT_TRACKING_OPTOUT
	trackCaching                        // CLIENT_TRACKING_CACHING
	trackNoloop                         // CLIENT_TRACKING_NOLOOP
)

// trackInvalidateChannel is Redis's TrackingChannelName.
const trackInvalidateChannel = "__redis__:invalidate"

// clientTracking is one client's tracking state.
type clientTracking struct {
	flags    atomic.Uint32 // track* bits
	redirect atomic.Int64  // client_tracking_redirection; 0 for none
	prefixes []string      // BCAST prefixes, sorted; guarded by trackingTable.mu

	// Invalidations for this client produced by its own running command,
	// sent once the command's reply is written. Owned by the goroutine
	// running the client's command (its connection, or the one serving
	// it when it was blocked).
	pending []trackingPending
}

// trackingPending is one deferred invalidation: a key, or all keys (a
// flush).
type trackingPending struct {
	key []byte
	all bool
}

// trackingTable is the server's tracking state: Redis's TrackingTable
// and PrefixTable.
type trackingTable struct {
	// active is set while there is anything to do when a key changes: a
	// tracking client, a remembered key or a prefix.
	active   atomic.Bool
	bcastDue atomic.Bool // some prefix has keys to broadcast

	clients     atomic.Int64 // tracking_clients
	numKeys     atomic.Int64 // len(keys): tracking_total_keys
	items       atomic.Int64 // TrackingTableTotalItems
	numPrefixes atomic.Int64 // len(prefixes)

	mu       sync.Mutex
	keys     map[string]map[int64]struct{} // key -> IDs of the clients that may cache it; guarded by mu
	prefixes map[string]*bcastState        // guarded by mu

	// sendMu serializes broadcasts and table evictions (taken outside
	// shard locks, before mu), so that batches reach a client in order.
	sendMu sync.Mutex
}

// bcastState is a prefix of the BCAST clients: the keys modified since
// the last broadcast, each with the client that modified it last (nil
// for the server: expiry), and the clients to notify.
type bcastState struct {
	keys    map[string]*Client
	clients []*Client
}

// refreshActiveLocked recomputes active.
func (t *trackingTable) refreshActiveLocked() {
	t.active.Store(t.clients.Load() > 0 || len(t.keys) > 0 || len(t.prefixes) > 0)
}

// ---- commands ----

// CLIENT TRACKING (ON|OFF) [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP]
func clientTrackingCommand(c *Ctx) {
	cl := c.C
	var redir int64
	var opts uint32
	var prefixes [][]byte
	argc := len(c.Argv)
	for j := 3; j < argc; j++ {
		more := argc - 1 - j
		switch {
		case c.Is(j, "redirect") && more > 0:
			j++
			if redir != 0 {
				c.Error(ErrTrackingOneRedirect)
				return
			}
			n, ok := parseInt(c.Argv[j])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			// The redirect client must exist now, though it may go away later.
			if n == 0 || c.E.Clients.ByID(n) == nil {
				c.Error(ErrTrackingNoRedirect)
				return
			}
			redir = n
		case c.Is(j, "bcast"):
			opts |= trackBcast
		case c.Is(j, "optin"):
			opts |= trackOptin
		case c.Is(j, "optout"):
			opts |= trackOptout
		case c.Is(j, "noloop"):
			opts |= trackNoloop
		case c.Is(j, "prefix") && more > 0:
			j++
			prefixes = append(prefixes, c.Argv[j])
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	switch {
	case c.Is(2, "on"):
		f := cl.trk.flags.Load()
		switch {
		case opts&trackBcast == 0 && len(prefixes) > 0:
			c.Error(ErrTrackingPrefixNoBcast)
			return
		case f&trackOn != 0 && (f&trackBcast != 0) != (opts&trackBcast != 0):
			c.Error(ErrTrackingSwitchBcast)
			return
		case opts&trackBcast != 0 && opts&(trackOptin|trackOptout) != 0:
			c.Error(ErrTrackingOptBcast)
			return
		case opts&trackOptin != 0 && opts&trackOptout != 0:
			c.Error(ErrTrackingOptinOptout)
			return
		case opts&trackOptin != 0 && f&trackOptout != 0, opts&trackOptout != 0 && f&trackOptin != 0:
			c.Error(ErrTrackingSwitchOpt)
			return
		}
		if opts&trackBcast != 0 && !c.checkPrefixCollisions(prefixes) {
			return
		}
		c.E.enableTracking(cl, redir, opts, prefixes)
	case c.Is(2, "off"):
		c.E.disableTracking(cl)
	default:
		c.Error(ErrSyntax)
		return
	}
	c.W.OK()
}

// checkPrefixCollisions is checkPrefixCollisionsOrReply: no two prefixes
// of a client may match the same key. It reports whether to go on.
//
// Like Redis 7.0.15, an overlap between two given prefixes is an error
// that stops the command only when it involves the first of them: for a
// later one Redis replies with the error and then goes on to enable
// tracking and reply OK as well (tracking.c returns the index, not 0).
func (c *Ctx) checkPrefixCollisions(prefixes [][]byte) bool {
	t := &c.E.tracking
	t.mu.Lock()
	existing := slices.Clone(c.C.trk.prefixes)
	t.mu.Unlock()
	for i, p := range prefixes {
		for _, q := range existing {
			if prefixesOverlap(q, p) {
				c.Error("ERR Prefix '" + cString(p) + "' overlaps with an existing prefix '" + cString([]byte(q)) + "'. Prefixes for a single client must not overlap.")
				return false
			}
		}
		for _, q := range prefixes[i+1:] {
			if prefixesOverlap(string(p), q) {
				c.Error("ERR Prefix '" + cString(p) + "' overlaps with another provided prefix '" + cString(q) + "'. Prefixes for a single client must not overlap.")
				return i != 0
			}
		}
	}
	return true
}

// prefixesOverlap is stringCheckPrefix: one is a prefix of the other.
func prefixesOverlap(a string, b []byte) bool {
	n := min(len(a), len(b))
	return a[:n] == string(b[:n])
}

// CLIENT CACHING YES|NO
func clientCachingCommand(c *Ctx) {
	trk := &c.C.trk
	f := trk.flags.Load()
	if f&trackOn == 0 {
		c.Error(ErrCachingNotTracking)
		return
	}
	switch {
	case c.Is(2, "yes"):
		if f&trackOptin == 0 {
			c.Error(ErrCachingYesNotOptin)
			return
		}
	case c.Is(2, "no"):
		if f&trackOptout == 0 {
			c.Error(ErrCachingNoNotOptout)
			return
		}
	default:
		c.Error(ErrSyntax)
		return
	}
	trk.flags.Or(trackCaching)
	c.W.OK()
}

// CLIENT GETREDIR
func clientGetRedirCommand(c *Ctx) { c.W.Int(trackingRedirOf(c.C)) }

// trackingRedirOf is the redirect CLIENT GETREDIR and CLIENT LIST show:
// -1 when not tracking, 0 when not redirecting.
func trackingRedirOf(cl *Client) int64 {
	if cl.trk.flags.Load()&trackOn == 0 {
		return -1
	}
	return cl.trk.redirect.Load()
}

// CLIENT TRACKINGINFO
func clientTrackingInfoCommand(c *Ctx) {
	cl := c.C
	f := cl.trk.flags.Load()
	w := c.W
	w.Map(3)
	w.BulkString("flags")
	d := w.Defer()
	n := 1
	if f&trackOn != 0 {
		w.BulkString("on")
	} else {
		w.BulkString("off")
	}
	for _, fl := range [...]struct {
		bit, needs uint32
		name       string
	}{
		{trackBcast, 0, "bcast"},
		{trackOptin, 0, "optin"},
		{trackCaching, trackOptin, "caching-yes"},
		{trackOptout, 0, "optout"},
		{trackCaching, trackOptout, "caching-no"},
		{trackNoloop, 0, "noloop"},
		{trackBrokenRedir, 0, "broken_redirect"},
	} {
		if f&fl.bit != 0 && f&fl.needs == fl.needs {
			w.BulkString(fl.name)
			n++
		}
	}
	w.FinishSet(d, n)
	w.BulkString("redirect")
	w.Int(trackingRedirOf(cl))
	w.BulkString("prefixes")
	t := &c.E.tracking
	t.mu.Lock()
	prefixes := slices.Clone(cl.trk.prefixes)
	t.mu.Unlock()
	w.Array(len(prefixes))
	for _, p := range prefixes {
		w.BulkString(p)
	}
}

// ---- enabling and disabling ----

// enableTracking is tracking.c enableTracking.
func (e *Engine) enableTracking(cl *Client, redir int64, opts uint32, prefixes [][]byte) {
	t := &e.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	old := cl.trk.flags.Load()
	if old&trackOn == 0 {
		t.clients.Add(1)
	}
	cl.trk.redirect.Store(redir)
	if opts&trackBcast != 0 {
		if t.prefixes == nil {
			t.prefixes = map[string]*bcastState{}
		}
		if len(prefixes) == 0 {
			t.enableBcastPrefixLocked(cl, "")
		}
		for _, p := range prefixes {
			t.enableBcastPrefixLocked(cl, string(p))
		}
	}
	for {
		f := cl.trk.flags.Load()
		nf := (f | trackOn) &^ (trackBrokenRedir | trackBcast | trackOptin | trackOptout | trackNoloop)
		nf |= opts & (trackBcast | trackOptin | trackOptout | trackNoloop)
		if cl.trk.flags.CompareAndSwap(f, nf) {
			break
		}
	}
	t.refreshActiveLocked()
}

// enableBcastPrefixLocked is enableBcastTrackingForPrefix.
func (t *trackingTable) enableBcastPrefixLocked(cl *Client, p string) {
	bs := t.prefixes[p]
	if bs == nil {
		bs = &bcastState{keys: map[string]*Client{}}
		t.prefixes[p] = bs
		t.numPrefixes.Add(1)
	}
	if slices.Contains(bs.clients, cl) {
		return
	}
	bs.clients = append(bs.clients, cl)
	if i, found := slices.BinarySearch(cl.trk.prefixes, p); !found {
		cl.trk.prefixes = slices.Insert(cl.trk.prefixes, i, p)
	}
}

// disableTracking is tracking.c disableTracking (CLIENT TRACKING OFF,
// RESET, disconnection). The client's entries in the table are dropped
// lazily, when their keys are invalidated, as in Redis.
func (e *Engine) disableTracking(cl *Client) {
	f := cl.trk.flags.Load()
	if f&(trackOn|trackBcast) == 0 && len(cl.trk.prefixes) == 0 {
		return
	}
	t := &e.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range cl.trk.prefixes {
		bs := t.prefixes[p]
		if bs == nil {
			panic("BUG: tracking prefix of a client missing from the prefix table")
		}
		if i := slices.Index(bs.clients, cl); i >= 0 {
			bs.clients = slices.Delete(bs.clients, i, i+1)
		}
		if len(bs.clients) == 0 {
			delete(t.prefixes, p)
			t.numPrefixes.Add(-1)
		}
	}
	cl.trk.prefixes = nil
	for {
		f := cl.trk.flags.Load()
		if f&trackOn == 0 {
			break
		}
		if cl.trk.flags.CompareAndSwap(f, 0) {
			t.clients.Add(-1)
			break
		}
	}
	t.refreshActiveLocked()
}

// ---- remembering keys ----

// trackingRememberKeys is the part of call() that, after a read-only
// command of a tracking client (not in BCAST mode), remembers the keys
// it read (trackingRememberKeys). The command's shards are still locked,
// so no write can slip between the read and the remembering.
func (e *Engine) trackingRememberKeys(ctx *Ctx, argv [][]byte) {
	cl := ctx.C
	f := cl.trk.flags.Load()
	if f&trackOn == 0 || f&trackBcast != 0 {
		return
	}
	m := ctx.Spec.Meta
	if m.FlagMask&meta.FlagReadonly == 0 || m.FlagMask&meta.FlagPubsub != 0 {
		return
	}
	switch m.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		// Scripts remember their declared keys when they run a read command.
		return
	}
	optin, optout, caching := f&trackOptin != 0, f&trackOptout != 0, f&trackCaching != 0
	if (optin && !caching) || (optout && caching) {
		return
	}
	if ctx.InScript {
		// A read command run by a script remembers the keys the script
		// declared, not its own (call()'s script_caller: the caller's
		// EVAL or FCALL argv).
		e.scripts.mu.Lock()
		sr := e.scripts.cur
		e.scripts.mu.Unlock()
		if sr == nil || sr.c == nil || sr.c.Spec == nil {
			return
		}
		argv, m = sr.c.Argv, sr.c.Spec.Meta
	}
	keys := m.KeysLegacy(argv, cl.keyBuf[:0])
	cl.keyBuf = keys[:0]
	if len(keys) == 0 {
		return
	}
	t := &e.tracking
	t.mu.Lock()
	if t.keys == nil {
		t.keys = map[string]map[int64]struct{}{}
	}
	for _, k := range keys {
		if k.Pos >= len(argv) {
			continue
		}
		key := argv[k.Pos]
		ids := t.keys[string(key)]
		if ids == nil {
			ids = map[int64]struct{}{}
			t.keys[string(key)] = ids
			t.numKeys.Add(1)
		}
		if _, ok := ids[cl.ID]; !ok {
			ids[cl.ID] = struct{}{}
			t.items.Add(1)
		}
	}
	t.refreshActiveLocked()
	t.mu.Unlock()
}

// ---- invalidation ----

// trackingInvalidateKey is tracking.c trackingInvalidateKey: key was
// modified by the command of ctx (nil: by the server, expiry or table
// eviction). bcast says whether BCAST clients hear of it (not for table
// evictions: the key did not change).
func (e *Engine) trackingInvalidateKey(ctx *Ctx, key []byte, bcast bool) {
	var cur *Client
	if ctx != nil {
		cur = ctx.C
	}
	e.trackingInvalidateKeyTo(cur, key, bcast, ctxSink(ctx))
}

// trackingInvalidateKeyTo is trackingInvalidateKey for a key modified by
// cur's command (nil: by the server), delivering through sink.
func (e *Engine) trackingInvalidateKeyTo(cur *Client, key []byte, bcast bool, sink trackingSink) {
	t := &e.tracking
	if !t.active.Load() {
		return
	}
	t.mu.Lock()
	if bcast && len(t.prefixes) > 0 {
		for p, bs := range t.prefixes {
			if len(p) <= len(key) && string(key[:len(p)]) == p {
				bs.keys[string(key)] = cur
				t.bcastDue.Store(true)
			}
		}
	}
	set, ok := t.keys[string(key)]
	if !ok {
		t.mu.Unlock()
		return
	}
	delete(t.keys, string(key))
	t.numKeys.Add(-1)
	t.items.Add(-int64(len(set)))
	t.refreshActiveLocked()
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	t.mu.Unlock()

	var payload []byte
	for _, id := range ids {
		target := e.Clients.ByID(id)
		if target == nil {
			continue
		}
		f := target.trk.flags.Load()
		// A client now in BCAST mode gets nothing for keys it read before.
		if f&trackOn == 0 || f&trackBcast != 0 {
			continue
		}
		if f&trackNoloop != 0 && target == cur {
			continue
		}
		if target == cur {
			cur.trk.pending = append(cur.trk.pending, trackingPending{key: append([]byte(nil), key...)})
			continue
		}
		if payload == nil {
			payload = appendKeysPayload(nil, key)
		}
		e.sendTrackingMessage(target, payload, sink)
	}
}

// trackingInvalidateKeysOnFlush is trackingInvalidateKeysOnFlush:
// FLUSHDB and FLUSHALL send every tracking client a null (all keys are
// invalid) and empty the table.
func (e *Engine) trackingInvalidateKeysOnFlush(ctx *Ctx) {
	t := &e.tracking
	if !t.active.Load() {
		return
	}
	if t.clients.Load() > 0 {
		for _, cl := range e.Clients.Snapshot() {
			if cl.trk.flags.Load()&trackOn == 0 {
				continue
			}
			if ctx != nil && cl == ctx.C {
				cl.trk.pending = append(cl.trk.pending, trackingPending{all: true})
				continue
			}
			e.sendTrackingMessage(cl, nullPayload(cl.Proto()), ctxSink(ctx))
		}
	}
	t.mu.Lock()
	t.keys = nil
	t.numKeys.Store(0)
	t.items.Store(0)
	t.refreshActiveLocked()
	t.mu.Unlock()
}

// trackingSink is where a message for the running client goes: straight
// into its reply (Redis writes it to the client's output at once) when
// self is set and w is not nil; every other client's goes through
// Client.Deliver.
type trackingSink struct {
	self *Client
	w    *resp.Writer
}

// ctxSink is the sink of a command: its reply, unless silenced by CLIENT
// REPLY (the message is still delivered, as Redis's CLIENT_PUSHING).
func ctxSink(ctx *Ctx) trackingSink {
	if ctx == nil || ctx.W == nil || !ctx.repliesOn() {
		return trackingSink{}
	}
	return trackingSink{self: ctx.C, w: ctx.W}
}

// sendTrackingMessage is tracking.c sendTrackingMessage: payload is the
// encoded "value" part (an array of keys, or a null).
func (e *Engine) sendTrackingMessage(c *Client, payload []byte, sink trackingSink) {
	to := c
	redir := c.trk.redirect.Load()
	if redir != 0 {
		to = e.Clients.ByID(redir)
		if to == nil {
			c.trk.flags.Or(trackBrokenRedir)
			if c.Proto() > 2 {
				msg := append([]byte(">2\r\n$21\r\ntracking-redir-broken\r\n:"), strconv.FormatInt(redir, 10)...)
				sink.deliver(c, append(msg, '\r', '\n'))
			}
			return
		}
	}
	var msg []byte
	switch {
	case to.Proto() > 2:
		msg = append(make([]byte, 0, 20+len(payload)), ">2\r\n$10\r\ninvalidate\r\n"...)
	case redir != 0 && to.Flags()&FlagPubSub != 0:
		msg = append(make([]byte, 0, 48+len(payload)), "*3\r\n$7\r\nmessage\r\n$20\r\n"+trackInvalidateChannel+"\r\n"...)
	default:
		// A RESP2 client without a redirect cannot receive anything.
		return
	}
	sink.deliver(to, append(msg, payload...))
}

func (s trackingSink) deliver(to *Client, msg []byte) {
	if to == s.self && s.w != nil {
		s.w.Buf = append(s.w.Buf, msg...)
		return
	}
	to.Deliver(msg)
}

// appendKeysPayload appends the RESP array of keys.
func appendKeysPayload(dst []byte, keys ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(keys)), 10)
	dst = append(dst, '\r', '\n')
	for _, k := range keys {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(k)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, k...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// nullPayload is the null of a flush in the tracking client's protocol
// (shared.null[c->resp]), whoever receives it.
func nullPayload(proto int) []byte {
	if proto > 2 {
		return []byte("_\r\n")
	}
	return []byte("$-1\r\n")
}

// ---- after a command ----

// trackingDue reports whether trackingAfterCall has anything to do for
// cl: the fast path of every command is the atomic load.
func (e *Engine) trackingDue(cl *Client) bool {
	return e.tracking.active.Load() || len(cl.trk.pending) > 0
}

// trackingAfterCall runs after a top-level command of cl, its shards
// released: it ends a CLIENT CACHING (which lasts one command or one
// transaction, as resetClient), sends the invalidations the command
// caused to cl itself (trackingHandlePendingKeyInvalidations), the BCAST
// broadcasts, and keeps the table within tracking-table-max-keys.
func (e *Engine) trackingAfterCall(cl *Client, spec *Spec) {
	if f := cl.trk.flags.Load(); f&trackCaching != 0 && cl.multi == nil && !isClientCommand(spec) {
		cl.trk.flags.And(^trackCaching)
	}
	e.TrackingFlushPending(cl, nil)
	e.trackingBroadcast()
	e.trackingLimitUsedSlots()
}

func isClientCommand(spec *Spec) bool {
	m := spec.Meta
	if m.Parent != nil {
		m = m.Parent
	}
	return m.Name == "client"
}

// TrackingFlushPending sends the invalidations deferred for cl by its
// own command: appended to w if not nil (a blocked client served by
// another goroutine, whose reply is in w), else pushed after its reply.
func (e *Engine) TrackingFlushPending(cl *Client, w *resp.Writer) {
	if len(cl.trk.pending) == 0 {
		return
	}
	sink := trackingSink{self: cl, w: w}
	for i, p := range cl.trk.pending {
		if p.all {
			e.sendTrackingMessage(cl, nullPayload(cl.Proto()), sink)
		} else {
			e.sendTrackingMessage(cl, appendKeysPayload(nil, p.key), sink)
		}
		cl.trk.pending[i] = trackingPending{}
	}
	cl.trk.pending = cl.trk.pending[:0]
}

// TrackingCron is the tracking part of serverCron and beforeSleep: it
// broadcasts the keys of BCAST prefixes modified outside commands (active
// expiry) and enforces tracking-table-max-keys while idle.
func (e *Engine) TrackingCron() {
	if !e.tracking.active.Load() {
		return
	}
	e.trackingBroadcast()
	e.trackingLimitUsedSlots()
}

// trackingBroadcast is trackingBroadcastInvalidationMessages: each prefix
// with modified keys sends them, sorted, in one message to each of its
// clients; a NOLOOP client does not hear of the keys it modified itself.
func (e *Engine) trackingBroadcast() {
	t := &e.tracking
	if !t.bcastDue.Load() {
		return
	}
	t.sendMu.Lock()
	defer t.sendMu.Unlock()
	type send struct {
		c       *Client
		payload []byte
	}
	var sends []send
	t.mu.Lock()
	t.bcastDue.Store(false)
	names := make([]string, 0, len(t.prefixes))
	for p, bs := range t.prefixes {
		if len(bs.keys) > 0 {
			names = append(names, p)
		}
	}
	slices.Sort(names)
	for _, p := range names {
		bs := t.prefixes[p]
		keys := make([]string, 0, len(bs.keys))
		for k := range bs.keys {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		common := appendBroadcast(nil, keys, bs.keys, nil)
		for _, c := range bs.clients {
			if c.trk.flags.Load()&trackNoloop != 0 {
				if own := appendBroadcast(nil, keys, bs.keys, c); own != nil {
					sends = append(sends, send{c, own})
				}
				continue
			}
			sends = append(sends, send{c, common})
		}
		clear(bs.keys)
	}
	t.mu.Unlock()
	for _, s := range sends {
		e.sendTrackingMessage(s.c, s.payload, trackingSink{})
	}
}

// appendBroadcast is trackingBuildBroadcastReply: the array of keys,
// without those last modified by skip when skip is not nil; nil if that
// leaves none.
func appendBroadcast(dst []byte, keys []string, by map[string]*Client, skip *Client) []byte {
	n := len(keys)
	if skip != nil {
		n = 0
		for _, k := range keys {
			if by[k] != skip {
				n++
			}
		}
		if n == 0 {
			return nil
		}
	}
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, '\r', '\n')
	for _, k := range keys {
		if skip != nil && by[k] == skip {
			continue
		}
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(k)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, k...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// trackingLimitUsedSlots is trackingLimitUsedSlots: over
// tracking-table-max-keys, keys picked at random (Go's map order standing
// for Redis's random walk) are evicted from the table, their clients
// invalidated as if the keys changed. Redis spreads the work over its
// cron ticks with a growing effort; here one pass evicts the whole
// excess, outside any shard lock.
func (e *Engine) trackingLimitUsedSlots() {
	if e.Cfg == nil {
		return
	}
	t := &e.tracking
	limit := e.Cfg.TrackingTableMaxKeys.Load()
	if limit <= 0 || t.numKeys.Load() <= limit {
		return
	}
	t.sendMu.Lock()
	defer t.sendMu.Unlock()
	t.mu.Lock()
	excess := int64(len(t.keys)) - limit
	var victims []string
	for k := range t.keys {
		if int64(len(victims)) >= excess {
			break
		}
		victims = append(victims, k)
	}
	t.mu.Unlock()
	for _, k := range victims {
		e.trackingInvalidateKey(nil, []byte(k), false)
	}
}

// TrackingInfo returns INFO's tracking_clients, tracking_total_keys,
// tracking_total_items and tracking_total_prefixes.
func (e *Engine) TrackingInfo() (clients, keys, items, prefixes int64) {
	t := &e.tracking
	return t.clients.Load(), t.numKeys.Load(), t.items.Load(), t.numPrefixes.Load()
}

// appendTrackingFlags appends CLIENT LIST's tracking letters: t, R, B.
func appendTrackingFlags(dst []byte, cl *Client) []byte {
	f := cl.trk.flags.Load()
	if f&trackOn != 0 {
		dst = append(dst, 't')
	}
	if f&trackBrokenRedir != 0 {
		dst = append(dst, 'R')
	}
	if f&trackBcast != 0 {
		dst = append(dst, 'B')
	}
	return dst
}
