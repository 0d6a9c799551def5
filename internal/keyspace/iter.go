package keyspace

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"time"
)

// Flush empties the database. All shards must be locked.
func (db *DB) Flush() {
	for i := range db.ks.shards {
		s := &db.ks.shards[i]
		if t := s.tables[db.id]; t != nil {
			s.mem.Add(-t.bytes)
			s.held.Add(-t.held)
		}
		s.tables[db.id] = nil
	}
}

// Len returns the number of keys, stale ones included, as DBSIZE does.
// All shards must be locked.
func (db *DB) Len() int {
	n := 0
	for i := range db.ks.shards {
		if t := db.ks.shards[i].tables[db.id]; t != nil {
			n += t.count
		}
	}
	return n
}

// Expires returns the number of keys with an expire. All shards must be locked.
func (db *DB) Expires() int {
	n := 0
	for i := range db.ks.shards {
		if t := db.ks.shards[i].tables[db.id]; t != nil {
			n += t.expCount
		}
	}
	return n
}

// AvgTTL returns the average remaining TTL in ms over a sample of keys
// with an expire (as INFO keyspace's avg_ttl). All shards must be locked.
func (db *DB) AvgTTL() int64 {
	now := db.ks.now()
	var sum, n int64
	for i := range db.ks.shards {
		t := db.ks.shards[i].tables[db.id]
		if t == nil {
			continue
		}
		for _, s := range t.exp {
			if s == 0 {
				continue
			}
			rec := t.record(slotRef(s))
			if at := int64(binary.LittleEndian.Uint64(rec[hdrFixed:])); at > now {
				sum += at - now
				n++
			}
			if n >= 1024 {
				break
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// ForEach calls fn for every live key, skipping stale ones without
// deleting them (as KEYS does). All shards must be locked. fn must not
// write to the database.
func (db *DB) ForEach(fn func(key []byte, e Entry) bool) {
	now := db.ks.now()
	for i := range db.ks.shards {
		t := db.ks.shards[i].tables[db.id]
		if t == nil {
			continue
		}
		for _, s := range t.slots {
			if s == 0 {
				continue
			}
			rec := t.record(slotRef(s))
			e := t.entry(rec)
			if e.ExpireAt != 0 && isExpired(e.ExpireAt, now) {
				continue
			}
			k, _ := recKey(rec)
			if !fn(k, e) {
				return
			}
		}
	}
}

// RandomKey returns a copy of a random live key, or nil. All shards must
// be locked. Stale keys drawn on the way are expired and another key is
// drawn, as Redis's dbRandomKey does on a master: every failed draw deletes
// a key, so the loop ends.
func (db *DB) RandomKey() []byte {
	for tries := 0; ; tries++ {
		total := db.Len()
		if total == 0 {
			return nil
		}
		r := rand.IntN(total)
		var t *table
		for i := range db.ks.shards {
			tt := db.ks.shards[i].tables[db.id]
			if tt == nil {
				continue
			}
			if r < tt.count {
				t = tt
				break
			}
			r -= tt.count
		}
		if t == nil {
			panic("BUG: keyspace: table counts do not add up to Len")
		}
		for {
			s := t.slots[rand.IntN(len(t.slots))]
			if s == 0 {
				continue
			}
			k, _ := recKey(t.record(slotRef(s)))
			key := append([]byte(nil), k...)
			if db.Exists(key) {
				return key
			}
			if db.ks.replicaExpiry.Load() && tries >= 100 {
				// A replica deletes nothing: with only stale keys left
				// the draws would go on forever, so after 100 of them,
				// as Redis, it returns a stale key.
				return key
			}
			break // it was stale (and on a master is gone now): draw again
		}
	}
}

// Scan runs one SCAN step from cursor over the database and returns the
// next cursor (0 when done). It locks the shards it visits one at a time:
// the caller must hold no shard lock.
//
// As Redis's scanGenericCommand, it visits buckets until it has collected
// count keys (stale and unmatched ones included) or visited 10*count
// buckets. Keys for which match (nil: all) is false are dropped; of the
// others, stale keys are expired and live ones passed to fn, shard locked;
// key aliases keyspace memory.
//
// The cursor is bucket<<shardBits | shard: the shards are scanned one
// after another, each with Redis's reverse-binary bucket cursor over its
// table, so a key present for the whole scan is returned even if tables
// grow or shrink between calls.
func (db *DB) Scan(cursor uint64, count int, match func(key []byte) bool, fn func(key []byte, e Entry)) uint64 {
	return db.scan(cursor, count, match, fn, true)
}

// ScanLocked is Scan for a caller that holds every shard lock (SCAN inside
// MULTI/EXEC or a script).
func (db *DB) ScanLocked(cursor uint64, count int, match func(key []byte) bool, fn func(key []byte, e Entry)) uint64 {
	return db.scan(cursor, count, match, fn, false)
}

func (db *DB) scan(cursor uint64, count int, match func(key []byte) bool, fn func(key []byte, e Entry), lock bool) uint64 {
	ks := db.ks
	nshards := uint64(len(ks.shards))
	shardBits := uint(bits.TrailingZeros64(nshards))
	si := cursor & (nshards - 1)
	v := cursor >> shardBits
	if count < 1 {
		count = 1
	}
	maxBuckets := count * 10
	found := 0
	var keys [][]byte
	for found < count && maxBuckets > 0 {
		if lock {
			ks.LockShard(int(si))
		}
		t := ks.shards[si].tables[db.id]
		now := ks.now()
		if t != nil && t.count > 0 {
			keys = keys[:0]
			for found < count && maxBuckets > 0 {
				mask := t.mask
				b := v & mask
				for j := b; ; j = (j + 1) & mask {
					s := t.slots[j]
					if s == 0 {
						break
					}
					if t.homeOf(s, mask) != b {
						continue
					}
					found++
					rec := t.record(slotRef(s))
					k, _ := recKey(rec)
					if match != nil && !match(k) {
						continue
					}
					e := t.entry(rec)
					if e.ExpireAt != 0 && isExpired(e.ExpireAt, now) {
						keys = append(keys, append([]byte(nil), k...))
						continue
					}
					fn(k, e)
				}
				maxBuckets--
				v |= ^mask
				v = bits.Reverse64(v)
				v++
				v = bits.Reverse64(v)
				if v == 0 {
					break
				}
			}
			for _, k := range keys {
				db.Exists(k) // expire the stale keys met
			}
		} else {
			v = 0
			maxBuckets--
		}
		if lock {
			ks.ReleaseShard(int(si))
		}
		if v == 0 {
			si++
			if si == nshards {
				return 0
			}
		}
	}
	return v<<shardBits | si
}

// ActiveExpireCycle samples keys with an expire in every database and
// deletes the stale ones, Redis's adaptive way: per database, rounds of
// up to 20 samples, repeated while more than 10% of a round was stale,
// until the time budget is spent. It locks one shard at a time.
//
// It returns the time it ran with a shard locked: the cycle's own latency
// (LATENCY's expire-cycle), without the waits for shards that commands
// held, which Redis's single thread never has.
func (ks *Keyspace) ActiveExpireCycle(budget time.Duration) (busy time.Duration) {
	if !ks.ActiveExpire.Load() || ks.replicaExpiry.Load() {
		return 0 // a replica's master expires its keys
	}
	start := time.Now()
	var keys [][]byte
	for si := range ks.shards {
		s := &ks.shards[si]
		s.mu.Lock()
		locked := time.Now()
		for dbi, t := range s.tables {
			if t == nil || t.expCount == 0 {
				continue
			}
			db := &ks.dbs[dbi]
			for round := 0; round < 16; round++ {
				now := ks.now()
				sampled, stale := 0, 0
				keys = keys[:0]
				mask := t.expMask
				for visited := 0; sampled < 20 && visited < 400 && t.expCount > 0; visited++ {
					i := t.expCursor & mask
					t.expCursor++
					sl := t.exp[i]
					if sl == 0 {
						continue
					}
					sampled++
					rec := t.record(slotRef(sl))
					if isExpired(int64(binary.LittleEndian.Uint64(rec[hdrFixed:])), now) {
						k, _ := recKey(rec)
						keys = append(keys, append([]byte(nil), k...))
						stale++
					}
				}
				for _, k := range keys {
					db.Exists(k)
				}
				if sampled > 0 {
					ks.ExpiredStalePerc.Store(int64(stale * 100 / sampled))
				}
				if s.tables[dbi] != t || stale*10 <= sampled || time.Since(start) > budget {
					break
				}
			}
		}
		if s.dirty {
			s.maintain()
		}
		busy += time.Since(locked)
		s.mu.Unlock()
		if time.Since(start) > budget {
			return busy
		}
	}
	return busy
}

// MemoryUsage estimates the bytes a key takes (record, index slot, side
// value header); collections add their own size. The key's shard must be locked.
func (db *DB) MemoryUsage(key []byte) (int, bool) {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, false)
	if i < 0 {
		return 0, false
	}
	rec := t.record(slotRef(t.slots[i]))
	n := recSize(rec) + 8*len(t.slots)/max(t.count, 1)
	e := t.entry(rec)
	if e.Type == TypeString && recEnc(rec) == EncSide {
		n += cap(e.Str) + 24
	}
	return n, true
}
