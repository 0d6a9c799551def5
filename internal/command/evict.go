package command

import (
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/script"
)

// maxmemory: the used-memory figure, processCommand's OOM rule and
// eviction (Redis 7.0's evict.c).
//
// The memory figure. runtime.ReadMemStats stops the world, so it cannot
// run per command. The figure is instead
//
//	used = live heap marked by the last GC
//	     - what the keyspace's tables held then (keyspace.HeldBytes:
//	       record chunk capacity and big strings)
//	     + the keyspace's record and big-string bytes now (DataBytes)
//	     - estimated bytes of collections evicted since that GC
//
// The live heap comes from runtime/metrics (/gc/heap/live:bytes, no
// stop-the-world), read by a hook right after each GC and at most every
// memRefresh by commands, as the median of the last gcWindow GCs; it holds
// little garbage, so
// allocation churn (INFO's strings, replies) does not count as used
// memory. The keyspace keeps exact counts (one atomic per shard), so
// SET/DEL/eviction of strings move the figure at once instead of at the
// next GC, and a chunk's unused or dead space is not counted (compaction
// bounds it to 4x the live records). The contents of collections are
// outside those counts: their growth shows at the next GC, and an
// evicted collection's MemoryUsage estimate is subtracted until the next
// GC makes it visible. INFO's used_memory reports the same figure, so
// what INFO shows is what maxmemory is checked against (Redis's
// zmalloc_used_memory serves both).
type memoryState struct {
	base atomic.Pointer[memBase]
	next atomic.Int64 // engine-monotonic ns of the next metrics read

	mu       sync.Mutex // guards samples, cycles, lastHeld, recent (metrics reads)
	samples  [3]metrics.Sample
	cycles   uint64
	lastHeld int64           // keyspace.HeldBytes at the previous read
	recent   [gcWindow]int64 // the last GCs' bases, the newest at (recentN-1)%gcWindow
	recentN  int
	lastGC   atomic.Int64 // engine-monotonic ns of the last forced GC

	evicted atomic.Int64 // INFO evicted_keys

	procRunning atomic.Bool // evictionTimeProc's goroutine is on

	evictMu sync.Mutex       // one eviction at a time; guards pool
	pool    []evictCandidate // best candidates so far, ascending score (EvictionPoolLRU)
}

// memBase is the figure's reference point at one GC.
type memBase struct {
	heap  int64        // live heap after that GC less keyspace.HeldBytes when it was noticed
	low   int64        // the same, the smallest over the last gcWindow GCs
	freed atomic.Int64 // estimated bytes of collections evicted since
}

const memRefresh = 2 * time.Millisecond

// gcWindow is how many GCs the base is the median of. The live heap a GC
// reports counts everything allocated while it was marking (garbage
// included), and what the keyspace held at the GC is known only
// approximately, so one GC's figure can be off by a GC cycle's
// allocation; the median drops such outliers. Real growth outside the
// keyspace's counts (collections, clients) shows a GC later.
const gcWindow = 3

func median(v []int64) int64 {
	switch len(v) {
	case 1:
		return v[0]
	case 2:
		return (v[0] + v[1]) / 2
	}
	a, b, c := v[0], v[1], v[2]
	return max(min(a, b), min(max(a, b), c))
}

// usedMemory returns the used-memory figure (see memoryState).
func (e *Engine) usedMemory() uint64 {
	m := &e.mem
	now := int64(time.Since(e.mono))
	b := m.base.Load()
	if b == nil {
		m.mu.Lock()
		if m.base.Load() == nil {
			m.refreshLocked(e, now, false)
			armGCHook(weak.Make(e))
		}
		m.mu.Unlock()
		b = m.base.Load()
	} else if now >= m.next.Load() && m.mu.TryLock() {
		m.refreshLocked(e, now, false)
		m.mu.Unlock()
		b = m.base.Load()
	}
	used := b.heap + e.KS.DataBytes() - b.freed.Load()
	if used < 0 {
		return 0
	}
	return uint64(used)
}

// usedMemoryLow is usedMemory with the smallest base of the last GCs.
func (e *Engine) usedMemoryLow() uint64 {
	b := e.mem.base.Load()
	if b == nil {
		return e.usedMemory()
	}
	used := b.low + e.KS.DataBytes() - b.freed.Load()
	if used < 0 {
		return 0
	}
	return uint64(used)
}

// refreshLocked reads the runtime's GC figures and, after a new GC,
// moves the reference point to it.
func (m *memoryState) refreshLocked(e *Engine, now int64, atGC bool) {
	if m.samples[0].Name == "" {
		m.samples[0].Name = "/gc/heap/live:bytes"
		m.samples[1].Name = "/gc/cycles/total:gc-cycles"
		m.samples[2].Name = "/memory/classes/heap/objects:bytes"
	}
	metrics.Read(m.samples[:])
	m.next.Store(now + int64(memRefresh))
	held := e.KS.HeldBytes()
	prev := m.lastHeld
	m.lastHeld = held
	cycles := sampleUint(m.samples[1])
	first := m.base.Load() == nil
	if !first && cycles == m.cycles {
		return
	}
	m.cycles = cycles
	heap := sampleUint(m.samples[0])
	if first || heap == 0 {
		// The last GC may be long past and the keyspace has changed since:
		// start from all heap objects now, garbage included (an
		// overestimate the next GC corrects).
		heap = sampleUint(m.samples[2])
	}
	// What the tables held at the GC is known only approximately: right
	// after it in the GC hook (atGC), else as of the previous read, at
	// most memRefresh before the GC was noticed (with eviction or a
	// FLUSHALL freeing tables meanwhile, the value now would be far off).
	if first {
		m.recentN = 0
	} else if !atGC {
		held = prev
	}
	m.recent[m.recentN%gcWindow] = int64(heap) - held
	m.recentN++
	recent := m.recent[:min(m.recentN, gcWindow)]
	m.base.Store(&memBase{heap: median(recent), low: slices.Min(recent)})
}

// gcSentinel is an object whose cleanup runs after the GC that found it
// unreachable.
type gcSentinel struct{ p *int }

// armGCHook makes the engine's figure move to each GC as it ends, not when
// a command next reads it: what the keyspace holds is read right after
// the GC, so the live heap and HeldBytes pair up even when no command ran
// for a while. The hook holds the engine weakly and stops when it is gone.
func armGCHook(w weak.Pointer[Engine]) {
	s := &gcSentinel{}
	runtime.AddCleanup(s, func(w weak.Pointer[Engine]) {
		e := w.Value()
		if e == nil {
			return
		}
		m := &e.mem
		m.mu.Lock()
		m.refreshLocked(e, int64(time.Since(e.mono)), true)
		m.mu.Unlock()
		armGCHook(w)
	}, w)
}

func sampleUint(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

// EvictedKeys is INFO's evicted_keys.
func (e *Engine) EvictedKeys() int64 { return e.mem.evicted.Load() }

// Results of performEvictions, as evict.c's.
const (
	evictOK      = iota // under the limit (or nothing to do)
	evictRunning        // over the limit, but the time budget ran out: not OOM
	evictFail           // over the limit and nothing (more) can be evicted
)

// evictionTimeLimit is evict.c's evictionTimeLimitUs for
// maxmemory-eviction-tenacity (100: no limit).
func evictionTimeLimit(tenacity int64) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return math.MaxInt64
}

// oomCheck is processCommand's maxmemory step: it evicts if needed and
// reports whether the server is still out of memory. It is called with
// no shard locked. It also records the state for the scripts the command
// may run (server.pre_command_oom_state).
//
// w is the client's reply: the invalidation messages of keys evicted for
// its command go there before the command's reply, as in Redis where the
// eviction happens before the command runs.
func (e *Engine) oomCheck(cl *Client, w *resp.Writer) bool {
	if e.Cfg == nil || e.Cfg.Maxmemory.Load() == 0 {
		cl.preOOM = false
		return false
	}
	oom := e.performEvictions(cl, w) == evictFail
	cl.preOOM = oom
	return oom
}

// performEvictions is evict.c's performEvictions: while used memory is
// over maxmemory, evict keys chosen by maxmemory-policy, sampling
// maxmemory-samples keys of every database per round into a pool of the
// best candidates (idle time, LFU counter or expire time).
func (e *Engine) performEvictions(cl *Client, w *resp.Writer) int {
	maxmem := e.Cfg.Maxmemory.Load()
	if e.usedMemory() <= maxmem {
		return evictOK
	}
	if e.pause.active.Load() {
		if paused, _ := e.Paused(); paused {
			// isSafeToPerformEvictions: while clients are paused the
			// dataset stays as it is, and nothing is refused.
			return evictOK
		}
	}
	policy := e.Cfg.MaxmemoryPolicy.Load()
	if policy == config.MaxmemoryNoEviction {
		if e.usedMemoryLow() <= maxmem {
			return evictOK // see the end of the function
		}
		return e.recheckAfterGC(maxmem)
	}
	m := &e.mem
	m.evictMu.Lock()
	defer m.evictMu.Unlock()
	start := time.Now()
	limit := evictionTimeLimit(e.Cfg.MaxmemoryEvictionTenacity.Load())
	samples := int(e.Cfg.MaxmemorySamples.Load())
	volatile := policy != config.MaxmemoryAllkeysLRU && policy != config.MaxmemoryAllkeysLFU &&
		policy != config.MaxmemoryAllkeysRandom
	random := policy == config.MaxmemoryAllkeysRandom || policy == config.MaxmemoryVolatileRandom
	var counts [][]int // keys per database per shard, refreshed when a round finds nothing
	result := evictOK
	for n := 0; e.usedMemory() > maxmem; n++ {
		if counts == nil {
			counts = e.evictableCounts(cl, volatile)
		}
		var c evictCandidate
		var ok bool
		if random {
			c, ok = e.randomCandidate(cl, counts, volatile)
		} else {
			c, ok = e.poolCandidate(cl, counts, volatile, policy, samples)
		}
		if ok {
			e.evictKey(cl, w, c)
		} else if counts = e.evictableCounts(cl, volatile); !anyKeys(counts) {
			result = evictFail
			break
		}
		if n%16 == 15 && time.Since(start) > limit {
			result = evictRunning
			break
		}
	}
	if result == evictFail {
		m.pool = m.pool[:0]
	}
	e.Latency.maybeAdd(e, "eviction-cycle", time.Since(start), false)
	if result == evictFail && e.usedMemoryLow() <= maxmem {
		// Nothing left to evict, but the figure may be one GC's outlier:
		// refuse writes only when the lowest recent estimate is over too.
		result = evictOK
	}
	if result == evictFail {
		result = e.recheckAfterGC(maxmem)
	}
	if result == evictRunning {
		e.startEvictionProc()
	}
	return result
}

// startEvictionProc is evict.c's startEvictionTimeProc: when an eviction
// ran out of time, a goroutine goes on evicting, one time-limited round
// after another, until memory is under the limit or nothing is left to
// evict; commands meanwhile run (evictRunning is not OOM).
func (e *Engine) startEvictionProc() {
	if !e.mem.procRunning.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer e.mem.procRunning.Store(false)
		for e.Cfg.Maxmemory.Load() > 0 && e.performEvictions(nil, nil) == evictRunning {
			runtime.Gosched()
		}
	}()
}

// recheckAfterGC is the answer when nothing more can be evicted: memory
// freed since the last GC (a DEL of a big collection, flushed tables) is
// invisible to the figure until the next GC, and while writes are refused
// little allocation happens to start one. So, at most once a second, it
// runs a GC and looks again.
func (e *Engine) recheckAfterGC(maxmem uint64) int {
	m := &e.mem
	now := int64(time.Since(e.mono))
	last := m.lastGC.Load()
	if now-last < int64(time.Second) || !m.lastGC.CompareAndSwap(last, now) {
		return evictFail
	}
	runtime.GC()
	m.mu.Lock()
	m.refreshLocked(e, int64(time.Since(e.mono)), false)
	m.mu.Unlock()
	if e.usedMemory() <= maxmem {
		return evictOK
	}
	return evictFail
}

// lfuParams tells the keyspace whether records keep LFU data: under an
// LFU maxmemory policy (keyspace.Options.LFU).
func (e *Engine) lfuParams() (on bool, logFactor, decayTime int64) {
	if e.Cfg == nil || !policyLFU(e.Cfg.MaxmemoryPolicy.Load()) {
		return false, 0, 0
	}
	return true, e.Cfg.LFULogFactor.Load(), e.Cfg.LFUDecayTime.Load()
}

// evictCandidate is a key the pool holds, with its score (higher is
// evicted first: idle seconds, or for volatile-ttl how soon it expires).
type evictCandidate struct {
	key   []byte
	db    int
	shard int
	score uint64
}

// evictableCounts returns, per database, the number of evictable keys of
// every shard, locking one shard at a time.
func (e *Engine) evictableCounts(cl *Client, volatile bool) [][]int {
	ks := e.KS
	counts := make([][]int, ks.NumDBs())
	for db := range counts {
		counts[db] = make([]int, ks.NumShards())
	}
	for si := 0; si < ks.NumShards(); si++ {
		idx := [1]int{si}
		ks.LockWait(idx[:], cl.blocker())
		for db := range counts {
			counts[db][si] = ks.TableLenLocked(si, db, volatile)
		}
		ks.Release(idx[:])
	}
	return counts
}

func anyKeys(counts [][]int) bool {
	for _, per := range counts {
		for _, n := range per {
			if n > 0 {
				return true
			}
		}
	}
	return false
}

// pickShard returns a shard holding keys of a database, chosen with
// probability proportional to its count, or -1.
func pickShard(per []int) int {
	total := 0
	for _, n := range per {
		total += n
	}
	if total == 0 {
		return -1
	}
	r := rand.IntN(total)
	for si, n := range per {
		if r < n {
			return si
		}
		r -= n
	}
	return -1
}

// sampleShard locks shard si and samples up to n keys of db from it.
func (e *Engine) sampleShard(cl *Client, si, db int, volatile bool, n int, dst []keyspace.Sample) []keyspace.Sample {
	idx := [1]int{si}
	e.KS.LockWait(idx[:], cl.blocker())
	dst = e.KS.SampleLocked(si, db, volatile, n, dst)
	e.KS.Release(idx[:])
	return dst
}

// randomCandidate is the allkeys-random / volatile-random choice: a
// random key of the next database that has one (evict.c rotates
// next_db across calls).
func (e *Engine) randomCandidate(cl *Client, counts [][]int, volatile bool) (evictCandidate, bool) {
	var buf [1]keyspace.Sample
	n := len(counts)
	start := rand.IntN(n)
	for i := 0; i < n; i++ {
		db := (start + i) % n
		si := pickShard(counts[db])
		if si < 0 {
			continue
		}
		s := e.sampleShard(cl, si, db, volatile, 1, buf[:0])
		if len(s) == 0 {
			counts[db][si] = 0
			continue
		}
		return evictCandidate{key: s[0].Key, db: db, shard: si}, true
	}
	return evictCandidate{}, false
}

// poolCandidate is evictionPoolPopulate for every database followed by
// taking the best pool entry (LRU, LFU and TTL policies).
func (e *Engine) poolCandidate(cl *Client, counts [][]int, volatile bool, policy, samples int) (evictCandidate, bool) {
	m := &e.mem
	var buf []keyspace.Sample
	for db := range counts {
		si := pickShard(counts[db])
		if si < 0 {
			continue
		}
		buf = e.sampleShard(cl, si, db, volatile, samples, buf[:0])
		for _, s := range buf {
			var score uint64
			switch {
			case policy == config.MaxmemoryVolatileTTL:
				score = math.MaxUint64 - uint64(s.ExpireAt)
			case policyLFU(policy):
				score = uint64(255 - keyspace.LFUDecrAndReturn(s.LRU, e.KS.Now(), e.Cfg.LFUDecayTime.Load()))
			default:
				score = uint64(e.KS.IdleSeconds(s.LRU))
			}
			m.poolInsert(evictCandidate{key: s.Key, db: s.DB, shard: s.Shard, score: score})
		}
	}
	if len(m.pool) == 0 {
		return evictCandidate{}, false
	}
	c := m.pool[len(m.pool)-1]
	m.pool = m.pool[:len(m.pool)-1]
	return c, true
}

// evictionPoolSize is evict.c's EVPOOL_SIZE.
const evictionPoolSize = 16

// poolInsert adds c to the pool, keeping the best evictionPoolSize
// entries sorted by ascending score; a key already there is skipped.
func (m *memoryState) poolInsert(c evictCandidate) {
	p := m.pool
	for _, x := range p {
		if x.db == c.db && string(x.key) == string(c.key) {
			return
		}
	}
	i := 0
	for i < len(p) && p[i].score < c.score {
		i++
	}
	if len(p) == evictionPoolSize {
		if i == 0 {
			return // worse than everything held
		}
		copy(p[:i-1], p[1:i]) // drop the worst, shift down
		p[i-1] = c
		return
	}
	p = append(p, evictCandidate{})
	copy(p[i+1:], p[i:])
	p[i] = c
	m.pool = p
}

// evictKey deletes a chosen key if it is still there, as
// deleteEvictedKeyAndPropagate: WATCH and client-side caching see a
// modified key, subscribers an "evicted" event, INFO evicted_keys counts it.
func (e *Engine) evictKey(cl *Client, w *resp.Writer, c evictCandidate) {
	idx := [1]int{c.shard}
	e.KS.LockWait(idx[:], cl.blocker())
	start := time.Now()
	db := e.KS.DB(c.db)
	var objBytes int
	if ent, ok := db.Peek(c.key); ok && ent.Obj != nil {
		if mu, ok := ent.Obj.(interface{ MemoryUsage() int }); ok {
			objBytes = mu.MemoryUsage()
		}
	}
	if db.Delete(c.key) {
		if objBytes > 0 {
			if b := e.mem.base.Load(); b != nil {
				b.freed.Add(int64(objBytes))
			}
		}
		e.touchWatchedKey(c.db, c.key)
		e.trackingInvalidateKeyTo(nil, c.key, true, trackingSink{self: cl, w: w})
		e.notifyEvicted(c.db, c.key)
		if e.propagating() {
			e.propagateDeletion(c.db, c.key, e.Cfg != nil && e.Cfg.LazyfreeLazyEviction.Load())
		}
		e.mem.evicted.Add(1)
		e.Latency.maybeAdd(e, "eviction-del", time.Since(start), false)
	}
	e.KS.Release(idx[:])
}

// denyOOM reports whether a command counts as deny-oom for the maxmemory
// rule (processCommand's is_denyoom_command over getCommandFlags): the
// table's flag, replaced for EVAL and FCALL of scripts that declare
// flags by what the flags say (evalGetCommandFlags, fcallGetCommandFlags),
// and for EXEC by the flags of the queued commands.
func (e *Engine) denyOOM(cl *Client, spec *Spec, argv [][]byte) bool {
	deny := spec.Meta.FlagMask&meta.FlagDenyOOM != 0
	switch spec.Name {
	case "exec":
		if cl.multi != nil {
			for _, q := range cl.multi.queue {
				if q.spec.Meta.FlagMask&meta.FlagDenyOOM != 0 {
					return true
				}
			}
		}
	case "eval", "eval_ro":
		if f, _, err := script.ParseShebang(argv[1]); err == nil && f&script.FlagEvalCompat == 0 {
			return f&(script.FlagAllowOOM|script.FlagNoWrites) == 0
		}
	case "evalsha", "evalsha_ro":
		if s := e.Scripts.Lookup(argv[1]); s != nil && s.Flags&script.FlagEvalCompat == 0 {
			return s.Flags&(script.FlagAllowOOM|script.FlagNoWrites) == 0
		}
	case "fcall", "fcall_ro":
		if f := e.Scripts.Function(argv[1]); f != nil {
			return f.Flags&(script.FlagAllowOOM|script.FlagNoWrites) == 0
		}
	}
	return deny
}
