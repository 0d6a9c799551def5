package keyspace

import (
	"encoding/binary"
	"math/rand/v2"
)

// LFU data (Redis's evict.c, "LFU (Least Frequently Used) implementation").
// Under an LFU maxmemory policy a record's 32-bit LRU field holds
//
//	bits 23..8  the last decrement time, in minutes (16 bits)
//	bits 7..0   a logarithmic access counter
//
// instead of the LRU clock. Options.LFU tells the keyspace which applies.

// lfuInitVal is LFU_INIT_VAL: a new key's counter, so that it is not
// evicted before it had a chance to be used.
const lfuInitVal = 5

// lfuMinutes is LFUGetTimeInMinutes.
func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/1000/60) & 65535 }

// LFUDecrAndReturn is evict.c's LFUDecrAndReturn: the counter of LFU data
// lru, less one per decayTime minutes elapsed since its last decrement.
func LFUDecrAndReturn(lru uint32, nowMs, decayTime int64) uint32 {
	ldt := lru >> 8
	counter := lru & 255
	if decayTime <= 0 {
		return counter
	}
	now := lfuMinutes(nowMs)
	var elapsed uint32
	if now >= ldt {
		elapsed = now - ldt
	} else {
		elapsed = 65535 - ldt + now
	}
	periods := int64(elapsed) / decayTime
	if periods > int64(counter) {
		return 0
	}
	return counter - uint32(periods)
}

// lfuLogIncr is LFULogIncr: the counter grows with probability
// 1/((counter-LFU_INIT_VAL)*logFactor+1), saturating at 255.
func lfuLogIncr(counter uint32, logFactor int64) uint32 {
	if counter == 255 {
		return 255
	}
	base := int64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	if rand.Float64() < 1/float64(base*logFactor+1) {
		counter++
	}
	return counter
}

// touchStamp returns the LRU field of a record accessed now whose field
// was old: the LRU clock, or under LFU updated LFU data (updateLFU).
func (ks *Keyspace) touchStamp(old uint32) uint32 {
	if ks.lfu != nil {
		if on, logFactor, decay := ks.lfu(); on {
			now := ks.now()
			c := lfuLogIncr(LFUDecrAndReturn(old, now, decay), logFactor)
			return lfuMinutes(now)<<8 | c
		}
	}
	return ks.lruClock()
}

// newStamp returns the LRU field of a new record: the LRU clock, or
// under LFU the current minute and LFU_INIT_VAL (createObject).
func (ks *Keyspace) newStamp() uint32 {
	if ks.lfu != nil {
		if on, _, _ := ks.lfu(); on {
			return lfuMinutes(ks.now())<<8 | lfuInitVal
		}
	}
	return ks.lruClock()
}

// SetAccess sets the access stamp of key (RESTORE's IDLETIME and FREQ,
// Redis's objectSetLRUOrLFU): under an LFU policy a freq >= 0 becomes the
// counter, stamped now; otherwise an idle >= 0 (seconds) makes the key
// look last used that long ago. Anything else leaves the stamp alone. It
// reports whether the key exists.
func (db *DB) SetAccess(key []byte, idle, freq int64) bool {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, true)
	if i < 0 {
		return false
	}
	rec := t.record(slotRef(t.slots[i]))
	lfuOn := false
	if db.ks.lfu != nil {
		lfuOn, _, _ = db.ks.lfu()
	}
	switch {
	case lfuOn && freq >= 0:
		stamp := lfuMinutes(db.ks.now())<<8 | uint32(min(freq, 255))
		binary.LittleEndian.PutUint32(rec[hdrLRU:], stamp)
	case !lfuOn && idle >= 0:
		const lruMax = 0xFFFFFF
		clock := int64(db.ks.lruClock())
		stamp := clock - idle%(lruMax+1)
		if stamp < 0 {
			stamp += lruMax + 1
		}
		binary.LittleEndian.PutUint32(rec[hdrLRU:], uint32(stamp))
	}
	return true
}
