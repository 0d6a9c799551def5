// Package keyspace holds Cinnabar's databases: typed keys with expiry,
// partitioned into shards that commands lock in a fixed order.
//
// A Keyspace has N shards (a power of two). A key's shard is picked by the
// high bits of its 64-bit hash; each shard holds one table per database.
// Callers (the command dispatcher) lock the shards a command touches, in
// ascending order, run the command, then Release them; every DB method
// below assumes the shard of its key is locked unless it says otherwise.
// See docs/design/concurrency.md.
package keyspace

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Type is a key's type, as TYPE names it.
type Type uint8

// Key types.
const (
	TypeNone Type = iota
	TypeString
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "none"
}

// Options configure a Keyspace.
type Options struct {
	Databases int                      // number of databases (16)
	Shards    int                      // number of shards, rounded up to a power of two
	Now       func() int64             // clock: unix time in milliseconds (injectable for tests)
	OnExpire  func(db int, key []byte) // called, shard locked, when a key is expired
	// OnAdd is called, shard locked, when a key is created (Redis's dbAdd):
	// blocked clients waiting for the key hang off it.
	OnAdd func(db int, key []byte, t Type)
	// LFU reports whether records keep LFU data instead of the LRU clock
	// (an LFU maxmemory policy), with lfu-log-factor and lfu-decay-time;
	// nil means never (see lfu.go).
	LFU func() (on bool, logFactor, decayTime int64)
}

// Keyspace is the set of databases.
type Keyspace struct {
	shards     []shard
	shardShift uint
	seed       maphash.Seed
	dbs        []DB
	masterDBs  []DB // the same databases as the master client of a replica sees them (MasterDB)
	now        func() int64
	onExpire   func(db int, key []byte)
	onAdd      func(db int, key []byte, t Type)
	lfu        func() (on bool, logFactor, decayTime int64)

	// ActiveExpire enables the active expire cycle (DEBUG SET-ACTIVE-EXPIRE).
	ActiveExpire atomic.Bool
	// replicaExpiry is set while the server is a replica: expiring keys
	// is then its master's business (SetReplicaExpiry).
	replicaExpiry atomic.Bool
	// ExpiredKeys and friends feed INFO stats.
	ExpiredKeys      atomic.Int64
	ExpiredStalePerc atomic.Int64
	KeyspaceHits     atomic.Int64
	KeyspaceMisses   atomic.Int64
}

type shard struct {
	mu     sync.Mutex
	tables []*table // per database; nil until a key is written
	dirty  bool     // tables have chunks waiting for compaction
	// mem is the bytes of the shard's records and big strings (see
	// table.account); read without the lock by Keyspace.DataBytes.
	mem atomic.Int64
	// held is the heap the shard's tables hold for those bytes: chunk
	// capacity plus big strings (see table.hold).
	held atomic.Int64
	_    [24]byte // keep shards on separate cache lines
}

// New returns an empty keyspace.
func New(o Options) *Keyspace {
	if o.Databases <= 0 {
		o.Databases = 16
	}
	n := 1
	bits := uint(0)
	for n < o.Shards {
		n *= 2
		bits++
	}
	if o.Now == nil {
		o.Now = func() int64 { return time.Now().UnixMilli() }
	}
	ks := &Keyspace{
		shards:   make([]shard, n),
		seed:     maphash.MakeSeed(),
		now:      o.Now,
		onExpire: o.OnExpire,
		onAdd:    o.OnAdd,
		lfu:      o.LFU,
	}
	ks.shardShift = 64 - bits
	if bits == 0 {
		ks.shardShift = 63 // with one shard every hash maps to 0 (h>>63>>... see ShardOf)
	}
	for i := range ks.shards {
		ks.shards[i].tables = make([]*table, o.Databases)
	}
	ks.dbs = make([]DB, o.Databases)
	ks.masterDBs = make([]DB, o.Databases)
	for i := range ks.dbs {
		ks.masterDBs[i] = DB{ks: ks, id: i, master: true}
		ks.dbs[i] = DB{ks: ks, id: i}
	}
	ks.ActiveExpire.Store(true)
	return ks
}

// Now returns the keyspace clock in unix milliseconds.
func (ks *Keyspace) Now() int64 { return ks.now() }

// NumShards returns the number of shards.
func (ks *Keyspace) NumShards() int { return len(ks.shards) }

// NumDBs returns the number of databases.
func (ks *Keyspace) NumDBs() int { return len(ks.dbs) }

// DB returns database i (0 <= i < NumDBs).
func (ks *Keyspace) DB(i int) *DB { return &ks.dbs[i] }

// MasterDB returns database i as a replica's master client works on it:
// under SetReplicaExpiry a key whose time has passed is still there for
// it, until the master's own DEL or UNLINK (Redis's expireIfNeeded for
// server.master). Outside replica mode it is DB(i).
func (ks *Keyspace) MasterDB(i int) *DB { return &ks.masterDBs[i] }

// SetReplicaExpiry switches replica expiry on (the server became a
// replica) or off (REPLICAOF NO ONE), as Redis does on a replica: no active
// expire cycle, and a key whose time has passed reads as missing to the
// replica's clients without being deleted (its master expires it and
// sends the DEL, which keeps the replica's dataset and offsets the
// master's); a write by a client other than the master deletes it.
func (ks *Keyspace) SetReplicaExpiry(on bool) { ks.replicaExpiry.Store(on) }

// Hash returns the hash of a key.
func (ks *Keyspace) Hash(key []byte) uint64 { return maphash.Bytes(ks.seed, key) }

// ShardOf returns the shard index of a key.
func (ks *Keyspace) ShardOf(key []byte) int { return ks.shardOfHash(ks.Hash(key)) }

func (ks *Keyspace) shardOfHash(h uint64) int {
	if len(ks.shards) == 1 {
		return 0
	}
	return int(h >> ks.shardShift)
}

// Lock locks the given shards; idx must be sorted ascending without duplicates.
func (ks *Keyspace) Lock(idx []int) {
	for _, i := range idx {
		ks.shards[i].mu.Lock()
	}
}

// Blocker is told before a lock call has to wait for a shard another
// goroutine holds (the connection layer moves the client off a shared
// event loop, so the wait stalls no other client).
type Blocker interface{ LongRunning() }

// LockWait is Lock that calls b.LongRunning (b may be nil) once before the
// first wait.
func (ks *Keyspace) LockWait(idx []int, b Blocker) {
	for _, i := range idx {
		ks.lockShardWait(i, &b)
	}
}

// LockAllWait is LockAll with LockWait's notice.
func (ks *Keyspace) LockAllWait(b Blocker) {
	for i := range ks.shards {
		ks.lockShardWait(i, &b)
	}
}

// lockShardWait locks shard i; if it has to wait, *b is told first (and
// cleared, so that it is told once per lock call).
func (ks *Keyspace) lockShardWait(i int, b *Blocker) {
	mu := &ks.shards[i].mu
	if mu.TryLock() {
		return
	}
	if *b != nil {
		(*b).LongRunning()
		*b = nil
	}
	mu.Lock()
}

// Release runs deferred maintenance on the given shards and unlocks them.
func (ks *Keyspace) Release(idx []int) {
	for j := len(idx) - 1; j >= 0; j-- {
		s := &ks.shards[idx[j]]
		if s.dirty {
			s.maintain()
		}
		s.mu.Unlock()
	}
}

// LockAll locks every shard, in order.
func (ks *Keyspace) LockAll() {
	for i := range ks.shards {
		ks.shards[i].mu.Lock()
	}
}

// ReleaseAll is Release for every shard.
func (ks *Keyspace) ReleaseAll() {
	for i := len(ks.shards) - 1; i >= 0; i-- {
		s := &ks.shards[i]
		if s.dirty {
			s.maintain()
		}
		s.mu.Unlock()
	}
}

// LockShard and ReleaseShard lock one shard (for SCAN-like iteration).
func (ks *Keyspace) LockShard(i int)    { ks.shards[i].mu.Lock() }
func (ks *Keyspace) ReleaseShard(i int) { ks.Release([]int{i}) }

func (s *shard) maintain() {
	for _, t := range s.tables {
		if t != nil && len(t.compactQ) > 0 {
			t.compact()
		}
	}
	s.dirty = false
}

// SwapDB swaps two databases. All shards must be locked.
func (ks *Keyspace) SwapDB(a, b int) {
	for i := range ks.shards {
		t := ks.shards[i].tables
		t[a], t[b] = t[b], t[a]
	}
}

// FlushAll empties every database. All shards must be locked.
func (ks *Keyspace) FlushAll() {
	for i := range ks.dbs {
		ks.dbs[i].Flush()
	}
}

// lruClock returns the LRU clock: seconds, 24 bits, as Redis's LRU_CLOCK.
func (ks *Keyspace) lruClock() uint32 { return uint32(ks.now()/1000) & 0xFFFFFF }

// IdleSeconds returns how long ago a record with LRU stamp lru was used.
func (ks *Keyspace) IdleSeconds(lru uint32) int64 {
	now := ks.lruClock()
	if now >= lru {
		return int64(now - lru)
	}
	return int64(now + (0xFFFFFF - lru))
}
