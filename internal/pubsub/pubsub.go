// Package pubsub is the registry of Pub/Sub subscriptions, Redis's
// pubsub.c without the commands: which subscribers listen to which
// channels, patterns and shard channels, and the fan-out of a published
// message to them.
//
// A Subscriber is anything that can take encoded protocol bytes and says
// which RESP version it speaks; the command layer's clients are
// subscribers. The registry encodes every message itself, once per
// protocol version and pattern, not once per subscriber:
//
//	RESP2  *3\r\n $7\r\nmessage\r\n  $<n>\r\n<channel>\r\n $<n>\r\n<payload>\r\n
//	RESP3  >3\r\n ... the same elements (a push)
//	       pmessage adds the pattern before the channel: *4 / >4,
//	       $8\r\npmessage\r\n $<n>\r\n<pattern>\r\n $<n>\r\n<channel>\r\n ...
//	       shard channels deliver "smessage"; they ignore patterns.
//
// The registry is safe for concurrent use: publishers (any number of
// connection goroutines, the expiry cycle) share a read lock; subscribing
// and unsubscribing take the write lock. Deliveries happen under the read
// lock, so a subscriber that has been told it is unsubscribed receives
// nothing more for that channel.
//
// Glob matching of patterns is injected (MatchFunc) so that this package
// depends on nothing of the command layer.
package pubsub

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Subscriber receives published messages.
type Subscriber interface {
	// Proto returns the RESP version (2 or 3) the subscriber speaks now.
	Proto() int
	// Deliver queues encoded protocol bytes to the subscriber, in order.
	// It must not retain b after it returns, must not block for long and
	// must not call back into the Registry.
	Deliver(b []byte)
}

// MatchFunc reports whether channel matches the glob pattern (Redis's
// stringmatchlen, case-sensitive).
type MatchFunc func(pattern, channel []byte) bool

// Kind selects the channel namespace: global channels (SUBSCRIBE,
// PUBLISH) or shard channels (SSUBSCRIBE, SPUBLISH).
type Kind uint8

// Channel namespaces.
const (
	Global Kind = iota
	Shard
)

// Registry holds every subscription of a server.
type Registry struct {
	match MatchFunc

	mu       sync.RWMutex
	channels [2]map[string]*subscribers // by Kind; guarded by mu
	patterns map[string]*subscribers    // guarded by mu
	patList  []*subscribers             // patterns in creation order; guarded by mu
	clients  map[Subscriber]*state      // guarded by mu

	// Sizes of the maps above, readable without the lock (INFO, the
	// keyspace-notification fast path).
	numChannels [2]atomic.Int64
	numPatterns atomic.Int64

	scratch sync.Pool // *encoder
}

// subscribers of one channel or pattern, in subscription order (a message
// reaches them in that order, as Redis's client lists).
type subscribers struct {
	name  string
	nameB []byte // name as bytes, for matching and encoding without copies
	list  []Subscriber
}

// state is one subscriber's subscriptions: name -> subscription sequence
// number, so that "unsubscribe from all" replies in subscription order.
type state struct {
	sets [3]map[string]uint64 // Global, Shard, patterns
	seq  uint64
}

const patternSet = 2 // index of the pattern set in state.sets

// New returns an empty registry matching patterns with match.
func New(match MatchFunc) *Registry {
	if match == nil {
		panic("BUG: pubsub.New without a match function")
	}
	return &Registry{
		match:    match,
		channels: [2]map[string]*subscribers{{}, {}},
		patterns: map[string]*subscribers{},
		clients:  map[Subscriber]*state{},
	}
}

// ---- subscribing ----

// Subscribe subscribes s to channel (Redis's pubsubSubscribeChannel). It
// reports whether the subscription is new, and the count Redis replies
// with: channels plus patterns for Global, shard channels for Shard.
func (r *Registry) Subscribe(s Subscriber, k Kind, channel []byte) (added bool, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, true)
	set := st.set(int(k))
	if _, ok := set[string(channel)]; !ok {
		name := string(channel)
		st.seq++
		set[name] = st.seq
		subs := r.channels[k][name]
		if subs == nil {
			subs = &subscribers{name: name, nameB: []byte(name)}
			r.channels[k][name] = subs
			r.numChannels[k].Add(1)
		}
		subs.list = append(subs.list, s)
		added = true
	}
	return added, st.count(k)
}

// Unsubscribe removes s's subscription to channel (Redis's
// pubsubUnsubscribeChannel): whether it had one, and the count left.
func (r *Registry) Unsubscribe(s Subscriber, k Kind, channel []byte) (removed bool, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, false)
	if st == nil {
		return false, 0
	}
	removed = r.unsubscribeLocked(s, st, k, channel)
	count = st.count(k)
	r.forgetIfEmptyLocked(s, st)
	return removed, count
}

// UnsubscribeAll removes every subscription of s in namespace k, calling
// fn (when not nil) after each with the channel and the count left, in
// subscription order. It returns how many there were. fn runs with the
// registry locked: it must not call back into it.
func (r *Registry) UnsubscribeAll(s Subscriber, k Kind, fn func(channel []byte, count int)) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, false)
	if st == nil {
		return 0
	}
	names := st.ordered(int(k))
	for _, name := range names {
		r.unsubscribeLocked(s, st, k, []byte(name))
		if fn != nil {
			fn([]byte(name), st.count(k))
		}
	}
	r.forgetIfEmptyLocked(s, st)
	return len(names)
}

func (r *Registry) unsubscribeLocked(s Subscriber, st *state, k Kind, channel []byte) bool {
	set := st.sets[k]
	if _, ok := set[string(channel)]; !ok {
		return false
	}
	delete(set, string(channel))
	subs := r.channels[k][string(channel)]
	if subs == nil || !subs.remove(s) {
		panic("BUG: pubsub: subscriber missing from its channel's list")
	}
	if len(subs.list) == 0 {
		delete(r.channels[k], string(channel))
		r.numChannels[k].Add(-1)
	}
	return true
}

// PSubscribe subscribes s to a glob pattern (pubsubSubscribePattern): whether
// it is new, and the count of s's channels plus patterns.
func (r *Registry) PSubscribe(s Subscriber, pattern []byte) (added bool, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, true)
	set := st.set(patternSet)
	if _, ok := set[string(pattern)]; !ok {
		name := string(pattern)
		st.seq++
		set[name] = st.seq
		subs := r.patterns[name]
		if subs == nil {
			subs = &subscribers{name: name, nameB: []byte(name)}
			r.patterns[name] = subs
			r.patList = append(r.patList, subs)
			r.numPatterns.Add(1)
		}
		subs.list = append(subs.list, s)
		added = true
	}
	return added, st.count(Global)
}

// PUnsubscribe removes s's subscription to pattern
// (pubsubUnsubscribePattern): whether it had one, and the count left.
func (r *Registry) PUnsubscribe(s Subscriber, pattern []byte) (removed bool, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, false)
	if st == nil {
		return false, 0
	}
	removed = r.punsubscribeLocked(s, st, pattern)
	count = st.count(Global)
	r.forgetIfEmptyLocked(s, st)
	return removed, count
}

// PUnsubscribeAll removes every pattern subscription of s, calling fn as
// UnsubscribeAll does. It returns how many there were.
func (r *Registry) PUnsubscribeAll(s Subscriber, fn func(pattern []byte, count int)) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, false)
	if st == nil {
		return 0
	}
	names := st.ordered(patternSet)
	for _, name := range names {
		r.punsubscribeLocked(s, st, []byte(name))
		if fn != nil {
			fn([]byte(name), st.count(Global))
		}
	}
	r.forgetIfEmptyLocked(s, st)
	return len(names)
}

func (r *Registry) punsubscribeLocked(s Subscriber, st *state, pattern []byte) bool {
	set := st.sets[patternSet]
	if _, ok := set[string(pattern)]; !ok {
		return false
	}
	delete(set, string(pattern))
	subs := r.patterns[string(pattern)]
	if subs == nil || !subs.remove(s) {
		panic("BUG: pubsub: subscriber missing from its pattern's list")
	}
	if len(subs.list) == 0 {
		delete(r.patterns, string(pattern))
		i := slices.Index(r.patList, subs)
		r.patList = slices.Delete(r.patList, i, i+1)
		r.numPatterns.Add(-1)
	}
	return true
}

// Drop removes every subscription of s without notifying it (a client
// that disconnects or RESETs).
func (r *Registry) Drop(s Subscriber) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(s, false)
	if st == nil {
		return
	}
	for _, k := range [...]Kind{Global, Shard} {
		for name := range st.sets[k] {
			r.unsubscribeLocked(s, st, k, []byte(name))
		}
	}
	for name := range st.sets[patternSet] {
		r.punsubscribeLocked(s, st, []byte(name))
	}
	delete(r.clients, s)
}

// Counts returns how many channels, patterns and shard channels s is
// subscribed to.
func (r *Registry) Counts(s Subscriber) (channels, patterns, shard int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st := r.clients[s]
	if st == nil {
		return 0, 0, 0
	}
	return len(st.sets[Global]), len(st.sets[patternSet]), len(st.sets[Shard])
}

func (r *Registry) stateLocked(s Subscriber, create bool) *state {
	st := r.clients[s]
	if st == nil && create {
		st = &state{}
		r.clients[s] = st
	}
	return st
}

func (r *Registry) forgetIfEmptyLocked(s Subscriber, st *state) {
	if len(st.sets[0])+len(st.sets[1])+len(st.sets[2]) == 0 {
		delete(r.clients, s)
	}
}

func (st *state) set(i int) map[string]uint64 {
	if st.sets[i] == nil {
		st.sets[i] = map[string]uint64{}
	}
	return st.sets[i]
}

// count is Redis's clientSubscriptionsCount (channels + patterns) for
// Global and clientShardSubscriptionsCount for Shard.
func (st *state) count(k Kind) int {
	if k == Shard {
		return len(st.sets[Shard])
	}
	return len(st.sets[Global]) + len(st.sets[patternSet])
}

// ordered returns the names of set i in subscription order.
func (st *state) ordered(i int) []string {
	set := st.sets[i]
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		x, y := set[a], set[b]
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	return names
}

// remove deletes s from the list, keeping the order of the others.
func (l *subscribers) remove(s Subscriber) bool {
	for i, x := range l.list {
		if x == s {
			copy(l.list[i:], l.list[i+1:])
			l.list[len(l.list)-1] = nil
			l.list = l.list[:len(l.list)-1]
			return true
		}
	}
	return false
}

// ---- introspection (PUBSUB) ----

// NumSub returns the number of subscribers of channel, patterns excluded
// (PUBSUB NUMSUB / SHARDNUMSUB).
func (r *Registry) NumSub(k Kind, channel []byte) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if subs := r.channels[k][string(channel)]; subs != nil {
		return len(subs.list)
	}
	return 0
}

// NumPat returns the number of distinct subscribed patterns (PUBSUB
// NUMPAT, INFO pubsub_patterns).
func (r *Registry) NumPat() int { return int(r.numPatterns.Load()) }

// NumChannels returns the number of channels with at least one
// subscriber (INFO pubsub_channels / pubsubshard_channels).
func (r *Registry) NumChannels(k Kind) int { return int(r.numChannels[k].Load()) }

// Active reports whether anything is subscribed at all: when not, a
// publication reaches no one and need not be built.
func (r *Registry) Active() bool {
	return r.numChannels[Global].Load()+r.numChannels[Shard].Load()+r.numPatterns.Load() != 0
}

// Channels appends to dst the channels of namespace k that have
// subscribers and match pattern (every channel when pattern is nil), as
// PUBSUB CHANNELS / SHARDCHANNELS. The order is unspecified, as in Redis.
func (r *Registry) Channels(k Kind, pattern []byte, dst [][]byte) [][]byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for name := range r.channels[k] {
		if pattern == nil || r.match(pattern, []byte(name)) {
			dst = append(dst, []byte(name))
		}
	}
	return dst
}

// ---- publishing ----

// Publish sends payload to the subscribers of channel in namespace k and,
// for Global, to the subscribers of every pattern channel matches
// (pubsubPublishMessage). It returns the number of deliveries.
//
// Messages for self (the publishing client, or nil) are not delivered but
// appended to selfOut and returned, so that the caller can put them in
// its reply stream where Redis does: before the reply of the command that
// caused them.
func (r *Registry) Publish(k Kind, channel, payload []byte, self Subscriber, selfOut []byte) (receivers int, out []byte) {
	if !r.Active() {
		return 0, selfOut
	}
	enc := r.encoder()
	defer r.release(enc)
	r.mu.RLock()
	defer r.mu.RUnlock()
	if subs := r.channels[k][string(channel)]; subs != nil {
		kindName := "message"
		if k == Shard {
			kindName = "smessage"
		}
		enc.reset(kindName, nil, channel, payload)
		for _, s := range subs.list {
			selfOut = enc.deliver(s, self, selfOut)
			receivers++
		}
	}
	if k == Shard {
		return receivers, selfOut // shard channels ignore patterns
	}
	for _, subs := range r.patList {
		if !r.match(subs.nameB, channel) {
			continue
		}
		enc.reset("pmessage", subs.nameB, channel, payload)
		for _, s := range subs.list {
			selfOut = enc.deliver(s, self, selfOut)
			receivers++
		}
	}
	return receivers, selfOut
}

// encoder builds one message in both protocol versions, each lazily.
type encoder struct {
	kind                      string
	pattern, channel, payload []byte
	v2, v3                    []byte
	have2, have3              bool
}

func (r *Registry) encoder() *encoder {
	if e, ok := r.scratch.Get().(*encoder); ok {
		return e
	}
	return &encoder{}
}

// release returns enc to the pool without the message it referenced, and
// without buffers grown for an exceptionally large message.
func (r *Registry) release(enc *encoder) {
	enc.reset("", nil, nil, nil)
	if cap(enc.v2) > maxPooledMessage || cap(enc.v3) > maxPooledMessage {
		return
	}
	r.scratch.Put(enc)
}

// maxPooledMessage bounds the encoding buffers kept for reuse.
const maxPooledMessage = 64 << 10

func (e *encoder) reset(kind string, pattern, channel, payload []byte) {
	e.kind, e.pattern, e.channel, e.payload = kind, pattern, channel, payload
	e.have2, e.have3 = false, false
}

// deliver sends the message to s, or appends it to selfOut when s is
// self.
func (e *encoder) deliver(s, self Subscriber, selfOut []byte) []byte {
	proto := s.Proto()
	var b []byte
	if proto >= 3 {
		if !e.have3 {
			e.v3 = AppendMessage(e.v3[:0], 3, e.kind, e.pattern, e.channel, e.payload)
			e.have3 = true
		}
		b = e.v3
	} else {
		if !e.have2 {
			e.v2 = AppendMessage(e.v2[:0], 2, e.kind, e.pattern, e.channel, e.payload)
			e.have2 = true
		}
		b = e.v2
	}
	if s == self {
		return append(selfOut, b...)
	}
	s.Deliver(b)
	return selfOut
}

// AppendMessage appends a message push: [kind, channel, payload], or
// [kind, pattern, channel, payload] when pattern is not nil ("pmessage"),
// as an array in RESP2 and a push in RESP3.
func AppendMessage(dst []byte, proto int, kind string, pattern, channel, payload []byte) []byte {
	n := 3
	if pattern != nil {
		n = 4
	}
	dst = appendPushHeader(dst, proto, n)
	dst = appendBulk(dst, kind)
	if pattern != nil {
		dst = appendBulk(dst, pattern)
	}
	dst = appendBulk(dst, channel)
	return appendBulk(dst, payload)
}

// AppendConfirmation appends a (un)subscription confirmation: [kind,
// name, count], name being the null bulk when nil (an "unsubscribe from
// all" that found nothing to unsubscribe).
func AppendConfirmation(dst []byte, proto int, kind string, name []byte, count int) []byte {
	dst = appendPushHeader(dst, proto, 3)
	dst = appendBulk(dst, kind)
	switch {
	case name != nil:
		dst = appendBulk(dst, name)
	case proto >= 3:
		dst = append(dst, "_\r\n"...)
	default:
		dst = append(dst, "$-1\r\n"...)
	}
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(count), 10)
	return append(dst, '\r', '\n')
}

func appendPushHeader(dst []byte, proto, n int) []byte {
	if proto >= 3 {
		dst = append(dst, '>')
	} else {
		dst = append(dst, '*')
	}
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

func appendBulk[T string | []byte](dst []byte, b T) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}
