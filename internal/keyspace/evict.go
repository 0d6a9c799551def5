package keyspace

import (
	"encoding/binary"
	"math/rand/v2"
)

// Support for maxmemory eviction (Redis's evict.c). The command layer
// picks the keys to evict; the keyspace offers a byte count that moves
// with every write and a way to sample keys cheaply.

// DataBytes returns the bytes the keyspace's records and big string
// values take (live record bytes, not chunk capacity; collections count
// only their record). It reads one atomic per shard and takes no lock.
func (ks *Keyspace) DataBytes() int64 {
	var n int64
	for i := range ks.shards {
		n += ks.shards[i].mem.Load()
	}
	return n
}

// HeldBytes returns the heap the keyspace's tables hold for DataBytes:
// the capacity of their record chunks plus big string values. Like
// DataBytes it takes no lock.
func (ks *Keyspace) HeldBytes() int64 {
	var n int64
	for i := range ks.shards {
		n += ks.shards[i].held.Load()
	}
	return n
}

// Sample is a key drawn by SampleLocked.
type Sample struct {
	Key      []byte // a copy
	DB       int
	Shard    int
	LRU      uint32 // the record's LRU field (LRU clock or LFU data)
	ExpireAt int64  // unix ms, 0 if none
	Obj      any    // the collection value, nil for strings
}

// SampleLocked appends to dst up to n keys drawn at random from database
// db's table in shard si: from every key, or with volatile only from the
// keys with an expire (Redis's dictGetSomeKeys over db->dict or
// db->expires). Keys may repeat; stale keys are included. Shard si must
// be locked.
func (ks *Keyspace) SampleLocked(si, db int, volatile bool, n int, dst []Sample) []Sample {
	t := ks.shards[si].tables[db]
	if t == nil || n <= 0 {
		return dst
	}
	slots, count := t.slots, t.count
	if volatile {
		slots, count = t.exp, t.expCount
	}
	if count == 0 || len(slots) == 0 {
		return dst
	}
	// Start at a random slot and walk on, as dictGetSomeKeys does, with a
	// bound on empty slots visited.
	mask := len(slots) - 1
	i := rand.IntN(len(slots))
	for got, visited := 0, 0; got < n && got < count && visited < 10*n+len(slots)/8+8; visited++ {
		s := slots[i&mask]
		i++
		if s == 0 {
			continue
		}
		got++
		rec := t.record(slotRef(s))
		k, _ := recKey(rec)
		smp := Sample{
			Key:   append([]byte(nil), k...),
			DB:    db,
			Shard: si,
			LRU:   binary.LittleEndian.Uint32(rec[hdrLRU:]),
		}
		if rec[0]&fExpire != 0 {
			smp.ExpireAt = int64(binary.LittleEndian.Uint64(rec[hdrFixed:]))
		}
		if recEnc(rec) == EncSide && Type(rec[0]&fTypeMask) != TypeString {
			_, p := recKey(rec)
			smp.Obj = t.objs[binary.LittleEndian.Uint32(rec[p:])]
		}
		dst = append(dst, smp)
	}
	return dst
}

// TableLenLocked returns how many keys (volatile: keys with an expire) of
// database db live in shard si. Shard si must be locked.
func (ks *Keyspace) TableLenLocked(si, db int, volatile bool) int {
	t := ks.shards[si].tables[db]
	if t == nil {
		return 0
	}
	if volatile {
		return t.expCount
	}
	return t.count
}
