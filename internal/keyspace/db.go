package keyspace

import (
	"encoding/binary"
)

// DB is one numbered database: a view over its table in every shard.
type DB struct {
	ks     *Keyspace
	id     int
	master bool // the view of a replica's master client (Keyspace.MasterDB)
}

// ID returns the database number.
func (db *DB) ID() int { return db.id }

// Keyspace returns the keyspace the database belongs to.
func (db *DB) Keyspace() *Keyspace { return db.ks }

// Entry is a view of a key's value. Str aliases the keyspace's memory: it
// is valid until the next write to the database (copy what you keep).
type Entry struct {
	Type     Type
	Enc      Enc
	Str      []byte // string value when Enc != EncInt
	Int      int64  // string value when Enc == EncInt
	Obj      any    // collection value
	ExpireAt int64  // unix ms, 0 if none
	LRU      uint32
}

// TTL options for writes.
const (
	NoExpire int64 = 0  // the key gets no expire
	KeepTTL  int64 = -1 // the key keeps its current expire
)

// table returns db's table in the shard of hash h, creating it if create.
func (db *DB) table(h uint64, create bool) *table {
	s := &db.ks.shards[db.ks.shardOfHash(h)]
	t := s.tables[db.id]
	if t == nil && create {
		t = newTable(db.ks.seed)
		t.shard = s
		s.tables[db.id] = t
	}
	return t
}

// find returns the table and slot position of key, expiring it if stale
// (but see SetReplicaExpiry: write tells a write's lookup from a read's).
func (db *DB) find(key []byte, h uint64, write bool) (*table, int) {
	t := db.table(h, false)
	if t == nil || t.count == 0 {
		return t, -1
	}
	i := t.lookup(h, key)
	if i < 0 {
		return t, -1
	}
	rec := t.record(slotRef(t.slots[i]))
	if rec[0]&fExpire != 0 {
		at := int64(binary.LittleEndian.Uint64(rec[hdrFixed:]))
		if isExpired(at, db.ks.now()) {
			if db.ks.replicaExpiry.Load() {
				if db.master {
					return t, i
				}
				if !write {
					return t, -1
				}
			}
			db.expireAt(t, i, h, key)
			return t, -1
		}
	}
	return t, i
}

// isExpired reports whether a key that expires at `at` (unix ms) is expired at
// time now. A key is still valid during the millisecond of its expire: Redis's
// keyIsExpired (db.c) and active expiry (expire.c) test now > when.
func isExpired(at, now int64) bool { return at < now }

func (db *DB) expireAt(t *table, i int, h uint64, key []byte) {
	if db.ks.onExpire != nil {
		db.ks.onExpire(db.id, key)
	}
	t.removeAt(i, h)
	db.ks.ExpiredKeys.Add(1)
}

// Lookup returns a key's value, expiring it if stale, and updates its
// access time (Redis's lookupKey).
func (db *DB) Lookup(key []byte) (Entry, bool) {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, false)
	if i < 0 {
		return Entry{}, false
	}
	rec := t.record(slotRef(t.slots[i]))
	binary.LittleEndian.PutUint32(rec[hdrLRU:], db.ks.touchStamp(binary.LittleEndian.Uint32(rec[hdrLRU:])))
	return t.entry(rec), true
}

// Peek is Lookup without touching the access time (LOOKUP_NOTOUCH).
func (db *DB) Peek(key []byte) (Entry, bool) {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, false)
	if i < 0 {
		return Entry{}, false
	}
	return t.entry(t.record(slotRef(t.slots[i]))), true
}

// PeekStale is Peek that also returns a key whose time has passed but
// which was not expired yet, without expiring it (Redis's dictFind, as
// DEBUG OBJECT uses).
func (db *DB) PeekStale(key []byte) (Entry, bool) {
	h := db.ks.Hash(key)
	t := db.table(h, false)
	if t == nil || t.count == 0 {
		return Entry{}, false
	}
	i := t.lookup(h, key)
	if i < 0 {
		return Entry{}, false
	}
	return t.entry(t.record(slotRef(t.slots[i]))), true
}

// Exists reports whether key exists (expiring it if stale).
func (db *DB) Exists(key []byte) bool {
	_, i := db.find(key, db.ks.Hash(key), false)
	return i >= 0
}

func (t *table) entry(rec []byte) Entry {
	e := Entry{Type: Type(rec[0] & fTypeMask), LRU: binary.LittleEndian.Uint32(rec[hdrLRU:])}
	if rec[0]&fExpire != 0 {
		e.ExpireAt = int64(binary.LittleEndian.Uint64(rec[hdrFixed:]))
	}
	_, p := recKey(rec)
	e.Enc = recEnc(rec)
	switch e.Enc {
	case EncInt:
		e.Int = int64(binary.LittleEndian.Uint64(rec[p:]))
	case EncSide:
		idx := binary.LittleEndian.Uint32(rec[p:])
		if e.Type == TypeString {
			e.Str = t.bigs[idx]
			e.Enc = EncRaw
		} else {
			e.Obj = t.objs[idx]
		}
	default:
		vl, n := binary.Uvarint(rec[p:])
		e.Str = rec[p+n : p+n+int(vl) : p+n+int(vl)]
	}
	return e
}

// SetString sets key to a string value. ttl is NoExpire, KeepTTL, or an
// absolute unix-ms expire. The value is stored as an integer if it is a
// canonical int64, else embstr/raw by length as Redis does (raw forces raw).
func (db *DB) SetString(key, val []byte, ttl int64, raw bool) {
	if !raw && len(val) <= 20 {
		if n, ok := parseCanonicalInt(val); ok {
			db.set(key, TypeString, EncInt, nil, n, nil, ttl)
			return
		}
	}
	enc := EncEmbstr
	if raw || len(val) > 44 {
		enc = EncRaw
	}
	db.set(key, TypeString, enc, val, 0, nil, ttl)
}

// SetEmbstr sets key to a string that is never integer-encoded (embstr
// up to 44 bytes, raw above), as Redis stores INCRBYFLOAT's result.
func (db *DB) SetEmbstr(key, val []byte, ttl int64) {
	enc := EncEmbstr
	if len(val) > 44 {
		enc = EncRaw
	}
	db.set(key, TypeString, enc, val, 0, nil, ttl)
}

// SetInt sets key to an integer-encoded string.
func (db *DB) SetInt(key []byte, n int64, ttl int64) {
	db.set(key, TypeString, EncInt, nil, n, nil, ttl)
}

// SetObject sets key to a collection value of the given type.
func (db *DB) SetObject(key []byte, typ Type, obj any, ttl int64) {
	db.set(key, typ, EncSide, nil, 0, obj, ttl)
}

func (db *DB) set(key []byte, typ Type, enc Enc, str []byte, n int64, obj any, ttl int64) {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, true)
	if t == nil {
		t = db.table(h, true)
	}
	expireAt := ttl
	var lru uint32
	if i >= 0 {
		ref := slotRef(t.slots[i])
		rec := t.record(ref)
		// An overwrite is an access (setKey's lookupKeyWrite); under LFU
		// the new value keeps the key's LFU data (dbSetValue).
		lru = db.ks.touchStamp(binary.LittleEndian.Uint32(rec[hdrLRU:]))
		if ttl == KeepTTL {
			expireAt = 0
			if rec[0]&fExpire != 0 {
				expireAt = int64(binary.LittleEndian.Uint64(rec[hdrFixed:]))
			}
		}
		if t.overwrite(rec, typ, enc, str, n, obj, expireAt, lru) {
			return
		}
		// Replace the record: write the new one first, then kill the old
		// one (str may alias the old record).
		nref := t.writeRecord(key, typ, enc, str, n, obj, expireAt, lru)
		hadExpire := rec[0]&fExpire != 0
		t.slots[i] = mkSlot(h, nref)
		if hadExpire {
			t.expRemove(h, ref)
		}
		if expireAt > 0 {
			t.expAdd(h, nref)
		}
		t.kill(ref)
		return
	}
	if ttl == KeepTTL {
		expireAt = 0
	}
	lru = db.ks.newStamp()
	ref := t.writeRecord(key, typ, enc, str, n, obj, expireAt, lru)
	t.insertSlot(h, ref)
	if expireAt > 0 {
		t.expAdd(h, ref)
	}
	if db.ks.onAdd != nil {
		db.ks.onAdd(db.id, key, typ) // Redis's dbAdd -> signalKeyAsReady
	}
}

// overwrite updates rec in place when the new value has the same shape
// and size; it reports whether it did.
func (t *table) overwrite(rec []byte, typ Type, enc Enc, str []byte, n int64, obj any, expireAt int64, lru uint32) bool {
	hasExp := rec[0]&fExpire != 0
	if (expireAt > 0) != hasExp || Type(rec[0]&fTypeMask) != typ {
		return false
	}
	oenc := recEnc(rec)
	_, p := recKey(rec)
	switch {
	case enc == EncInt && oenc == EncInt:
		binary.LittleEndian.PutUint64(rec[p:], uint64(n))
	case (enc == EncEmbstr || enc == EncRaw) && (oenc == EncEmbstr || oenc == EncRaw) && len(str) <= bigLimit:
		vl, m := binary.Uvarint(rec[p:])
		if int(vl) != len(str) {
			return false
		}
		copy(rec[p+m:], str)
	case typ == TypeString && enc != EncInt && oenc == EncSide && len(str) > bigLimit:
		idx := binary.LittleEndian.Uint32(rec[p:])
		b := t.bigs[idx]
		t.account(len(str) - len(b))
		t.hold(len(str) - len(b))
		if cap(b) < len(str) || cap(b) > 2*len(str) {
			b = make([]byte, len(str))
		}
		b = b[:len(str)]
		copy(b, str)
		t.bigs[idx] = b
		enc = EncSide
	case enc == EncSide && oenc == EncSide && typ != TypeString:
		t.objs[binary.LittleEndian.Uint32(rec[p:])] = obj
	default:
		return false
	}
	rec[0] = byte(typ) | byte(enc)<<fEncShift | rec[0]&fExpire
	binary.LittleEndian.PutUint32(rec[hdrLRU:], lru)
	if hasExp {
		binary.LittleEndian.PutUint64(rec[hdrFixed:], uint64(expireAt))
	}
	return true
}

// writeRecord appends a new record and returns its reference.
func (t *table) writeRecord(key []byte, typ Type, enc Enc, str []byte, n int64, obj any, expireAt int64, lru uint32) uint64 {
	if typ == TypeString && enc != EncInt && len(str) > bigLimit {
		enc = EncSide
	}
	size := hdrFixed + uvarintLen(len(key)) + len(key)
	if expireAt > 0 {
		size += expireSize
	}
	switch enc {
	case EncInt:
		size += 8
	case EncSide:
		size += 4
	default:
		size += uvarintLen(len(str)) + len(str)
	}
	ref := t.alloc(size)
	rec := t.record(ref)[:size]
	flags := byte(typ) | byte(enc)<<fEncShift
	if expireAt > 0 {
		flags |= fExpire
	}
	rec[0] = flags
	binary.LittleEndian.PutUint32(rec[hdrLRU:], lru)
	p := hdrFixed
	if expireAt > 0 {
		binary.LittleEndian.PutUint64(rec[p:], uint64(expireAt))
		p += expireSize
	}
	p += binary.PutUvarint(rec[p:], uint64(len(key)))
	p += copy(rec[p:], key)
	switch enc {
	case EncInt:
		binary.LittleEndian.PutUint64(rec[p:], uint64(n))
	case EncSide:
		var idx uint32
		if typ == TypeString {
			idx = t.newBig(str)
		} else {
			idx = t.newObj(obj)
		}
		binary.LittleEndian.PutUint32(rec[p:], idx)
	default:
		p += binary.PutUvarint(rec[p:], uint64(len(str)))
		copy(rec[p:], str)
	}
	return ref
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

func (t *table) newBig(b []byte) uint32 {
	c := make([]byte, len(b))
	copy(c, b)
	t.account(len(c))
	t.hold(len(c))
	if n := len(t.freeBigs); n > 0 {
		idx := t.freeBigs[n-1]
		t.freeBigs = t.freeBigs[:n-1]
		t.bigs[idx] = c
		return idx
	}
	t.bigs = append(t.bigs, c)
	return uint32(len(t.bigs) - 1)
}

func (t *table) newObj(o any) uint32 {
	if n := len(t.freeObjs); n > 0 {
		idx := t.freeObjs[n-1]
		t.freeObjs = t.freeObjs[:n-1]
		t.objs[idx] = o
		return idx
	}
	t.objs = append(t.objs, o)
	return uint32(len(t.objs) - 1)
}

// kill marks the record at ref dead and releases its side value.
func (t *table) kill(ref uint64) { t.killRec(ref, true) }

// killRec marks the record at ref dead; release frees its side value.
func (t *table) killRec(ref uint64, release bool) {
	rec := t.record(ref)
	size := recSize(rec)
	if release && recEnc(rec) == EncSide {
		_, p := recKey(rec)
		idx := binary.LittleEndian.Uint32(rec[p:])
		if Type(rec[0]&fTypeMask) == TypeString {
			t.account(-len(t.bigs[idx]))
			t.hold(-len(t.bigs[idx]))
			t.bigs[idx] = nil
			t.freeBigs = append(t.freeBigs, idx)
		} else {
			t.objs[idx] = nil
			t.freeObjs = append(t.freeObjs, idx)
		}
	}
	rec[0] |= fDead
	ci := int(ref >> chunkBits)
	t.live[ci] -= int32(size)
	t.account(-size)
	if ci != t.cur && !t.queued(ci) && int(t.live[ci])*4 < len(t.chunks[ci]) {
		t.compactQ = append(t.compactQ, ci)
		t.shard.dirty = true
	}
}

func (t *table) queued(ci int) bool {
	for _, c := range t.compactQ {
		if c == ci {
			return true
		}
	}
	return false
}

// compact moves the live records out of the queued chunks so that they
// can be reused. It runs after a command, never during one, so Entry
// views handed out by the command stay valid while it runs.
func (t *table) compact() {
	q := t.compactQ
	t.compactQ = t.compactQ[:0]
	for _, ci := range q {
		if ci == t.cur {
			continue
		}
		c := t.chunks[ci]
		for p := 1; p < len(c); {
			rec := c[p:]
			size := recSize(rec)
			if rec[0]&fDead == 0 {
				old := uint64(ci)<<chunkBits | uint64(p)
				key, _ := recKey(rec)
				h := t.hashOf(key)
				nref := t.alloc(size)
				copy(t.record(nref)[:size], rec[:size])
				if j := findSlot(t.slots, t.mask, h, old); j >= 0 {
					t.slots[j] = mkSlot(h, nref)
				}
				if rec[0]&fExpire != 0 {
					if j := findSlot(t.exp, t.expMask, h, old); j >= 0 {
						t.exp[j] = mkSlot(h, nref)
					}
				}
			}
			p += size
		}
		t.chunks[ci] = c[:0]
		t.account(-int(t.live[ci])) // its live records were copied (and counted) again
		t.live[ci] = 0
	}
}

// removeAt deletes the key in slot i (hash h).
func (t *table) removeAt(i int, h uint64) {
	ref := slotRef(t.slots[i])
	rec := t.record(ref)
	if rec[0]&fExpire != 0 {
		t.expRemove(h, ref)
	}
	deleteAt(t.slots, t.mask, uint64(i), t.homeOf)
	t.count--
	t.kill(ref)
	if t.count == 0 {
		t.reset()
	} else if len(t.slots) > 64 && t.count*8 < len(t.slots) {
		t.slots, t.mask = shrinkIndex(t.slots, t.homeOf, t.count)
	}
}

// reset returns an empty table to its initial size.
func (t *table) reset() {
	seed, s := t.seed, t.shard
	t.account(-int(t.bytes))
	t.hold(-int(t.held))
	*t = table{seed: seed, shard: s, slots: make([]uint64, 8), mask: 7}
}

func (t *table) expAdd(h uint64, ref uint64) {
	if len(t.exp) == 0 {
		t.exp = make([]uint64, 8)
		t.expMask = 7
	}
	if (t.expCount+1)*4 > len(t.exp)*3 {
		t.exp, t.expMask = growIndex(t.exp, t.expMask, t.homeOf)
	}
	placeSlot(t.exp, t.expMask, h&t.expMask, mkSlot(h, ref))
	t.expCount++
}

func (t *table) expRemove(h uint64, ref uint64) {
	j := findSlot(t.exp, t.expMask, h, ref)
	if j < 0 {
		panic("BUG: expiring record missing from the expire index")
	}
	deleteAt(t.exp, t.expMask, uint64(j), t.homeOf)
	t.expCount--
	if len(t.exp) > 64 && t.expCount*8 < len(t.exp) {
		t.exp, t.expMask = shrinkIndex(t.exp, t.homeOf, t.expCount)
	}
}

// Delete removes key; it reports whether the key existed.
func (db *DB) Delete(key []byte) bool {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, true)
	if i < 0 {
		return false
	}
	t.removeAt(i, h)
	return true
}

// ExpireTime returns key's expire (unix ms, 0 if none) and whether it exists.
func (db *DB) ExpireTime(key []byte) (int64, bool) {
	e, ok := db.Peek(key)
	return e.ExpireAt, ok
}

// SetExpire sets key's expire to at (unix ms; at < now deletes the key
// the next time it is looked up, callers usually Delete instead). It
// reports whether the key exists.
func (db *DB) SetExpire(key []byte, at int64) bool {
	return db.rewriteExpire(key, at)
}

// Persist removes key's expire; it reports whether there was one.
func (db *DB) Persist(key []byte) bool {
	e, ok := db.Peek(key)
	if !ok || e.ExpireAt == 0 {
		return false
	}
	db.rewriteExpire(key, 0)
	return true
}

func (db *DB) rewriteExpire(key []byte, at int64) bool {
	h := db.ks.Hash(key)
	t, i := db.find(key, h, true)
	if i < 0 {
		return false
	}
	ref := slotRef(t.slots[i])
	rec := t.record(ref)
	had := rec[0]&fExpire != 0
	if had && at > 0 {
		binary.LittleEndian.PutUint64(rec[hdrFixed:], uint64(at))
		return true
	}
	if !had && at <= 0 {
		return true
	}
	// The record changes size: rewrite it, moving the side value along.
	nref := t.rewriteRecord(key, rec, at)
	if had {
		t.expRemove(h, ref)
	}
	if at > 0 {
		t.expAdd(h, nref)
	}
	t.slots[i] = mkSlot(h, nref)
	t.killRec(ref, false)
	return true
}

// rewriteRecord copies rec with a new expire (0 = none), keeping its
// value bytes, including a side index, as they are.
func (t *table) rewriteRecord(key []byte, rec []byte, at int64) uint64 {
	_, p := recKey(rec)
	val := rec[p:recSize(rec)] // stays valid: alloc never moves chunk data
	size := hdrFixed + uvarintLen(len(key)) + len(key) + len(val)
	flags := rec[0] &^ fExpire
	if at > 0 {
		size += expireSize
		flags |= fExpire
	}
	ref := t.alloc(size)
	nrec := t.record(ref)[:size]
	nrec[0] = flags
	copy(nrec[hdrLRU:hdrFixed], rec[hdrLRU:hdrFixed])
	q := hdrFixed
	if at > 0 {
		binary.LittleEndian.PutUint64(nrec[q:], uint64(at))
		q += expireSize
	}
	q += binary.PutUvarint(nrec[q:], uint64(len(key)))
	q += copy(nrec[q:], key)
	copy(nrec[q:], val)
	return ref
}

// parseCanonicalInt is Redis's string2l as used by tryObjectEncoding.
func parseCanonicalInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := uint64(b[i] - '0')
		if b[i] < '0' || b[i] > '9' {
			return 0, false
		}
		if v > 922337203685477580 || (v == 922337203685477580 && d > 8) {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
