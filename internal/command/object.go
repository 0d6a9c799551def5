package command

import (
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
)

// OBJECT (Redis's object.c): ENCODING, REFCOUNT, IDLETIME, FREQ, HELP.
func objectCommands() []*Spec {
	return []*Spec{
		{Name: "object", Handler: containerCommand},
		{Name: "object|encoding", Handler: objectEncodingCommand},
		{Name: "object|refcount", Handler: objectRefcountCommand},
		{Name: "object|idletime", Handler: objectIdletimeCommand},
		{Name: "object|freq", Handler: objectFreqCommand},
		{Name: "object|help", Handler: objectHelpCommand},
	}
}

// sharedIntegers is OBJ_SHARED_INTEGERS: Redis keeps one shared object
// for each of the integers 0..9999 (server.h).
const sharedIntegers = 10000

// sharedRefcount is OBJ_SHARED_REFCOUNT (INT_MAX), the refcount OBJECT
// REFCOUNT reports for shared objects.
const sharedRefcount = 1<<31 - 1

// objectLookup is Redis's objectCommandLookupOrReply: a read lookup that
// neither touches the key nor fires "keymiss"; a missing key replies null.
func objectLookup(c *Ctx) (keyspace.Entry, bool) {
	e, ok := lookupKeyReadWithFlags(c, c.Argv[2], lookupNoTouch|lookupNoNotify)
	if !ok {
		c.W.Null()
	}
	return e, ok
}

// encoder is implemented by the collection values (internal/types/*):
// the name OBJECT ENCODING reports ("listpack", "quicklist", "intset"...).
type encoder interface{ Encoding() string }

func objectEncodingCommand(c *Ctx) {
	e, ok := objectLookup(c)
	if !ok {
		return
	}
	c.W.BulkString(entryEncoding(e))
}

// entryEncoding is Redis's strEncoding(o->encoding) for a key's value.
func entryEncoding(e keyspace.Entry) string {
	if e.Type == keyspace.TypeString {
		switch e.Enc {
		case keyspace.EncInt:
			return "int"
		case keyspace.EncEmbstr:
			return "embstr"
		}
		return "raw"
	}
	if enc, ok := e.Obj.(encoder); ok {
		return enc.Encoding()
	}
	return "unknown"
}

// objectRefcountCommand: Cinnabar shares no values, except that Redis's
// shared integers 0..9999 report INT_MAX. Redis shares them when a value
// is stored unless maxmemory is set with an LRU or LFU policy
// (MAXMEMORY_FLAG_NO_SHARED_INTEGERS, tryObjectEncoding in object.c);
// Cinnabar applies that rule at the time of OBJECT REFCOUNT.
func objectRefcountCommand(c *Ctx) {
	e, ok := objectLookup(c)
	if !ok {
		return
	}
	if e.Type == keyspace.TypeString && e.Enc == keyspace.EncInt &&
		e.Int >= 0 && e.Int < sharedIntegers && sharesIntegers(c.E.Cfg) {
		c.W.Int(sharedRefcount)
		return
	}
	c.W.Int(1)
}

// sharesIntegers reports whether new small integer values are shared.
func sharesIntegers(cfg *config.Config) bool {
	if cfg == nil || cfg.Maxmemory.Load() == 0 {
		return true
	}
	p := cfg.MaxmemoryPolicy.Load()
	return !policyLRU(p) && !policyLFU(p)
}

func policyLRU(p int) bool {
	return p == config.MaxmemoryVolatileLRU || p == config.MaxmemoryAllkeysLRU
}

func policyLFU(p int) bool {
	return p == config.MaxmemoryVolatileLFU || p == config.MaxmemoryAllkeysLFU
}

// lfuPolicy reports whether the maxmemory policy is an LFU one.
func lfuPolicy(c *Ctx) bool {
	return c.E.Cfg != nil && policyLFU(c.E.Cfg.MaxmemoryPolicy.Load())
}

func objectIdletimeCommand(c *Ctx) {
	e, ok := objectLookup(c)
	if !ok {
		return
	}
	if lfuPolicy(c) {
		c.Error(ErrLFUSelected)
		return
	}
	c.W.Int(c.E.KS.IdleSeconds(e.LRU))
}

func objectFreqCommand(c *Ctx) {
	e, ok := objectLookup(c)
	if !ok {
		return
	}
	if !lfuPolicy(c) {
		c.Error(ErrLFUNotSelected)
		return
	}
	decay := int64(1)
	if c.E.Cfg != nil {
		decay = c.E.Cfg.LFUDecayTime.Load()
	}
	c.W.Int(lfuDecrAndReturn(e.LRU, c.Now(), decay))
}

// lfuDecrAndReturn is Redis's LFUDecrAndReturn (evict.c) over a record's
// LRU field holding LFU data: the access time in minutes (16 bits) << 8 |
// a logarithmic counter. The counter loses one per decay minutes elapsed.
// The keyspace keeps that data under an LFU policy (keyspace/lfu.go).
func lfuDecrAndReturn(lru uint32, nowMs, decay int64) int64 {
	ldt := int64(lru >> 8)
	counter := int64(lru & 255)
	if decay == 0 {
		return counter
	}
	now := (nowMs / 1000 / 60) & 65535
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	periods := elapsed / decay
	if periods > counter {
		return 0
	}
	return counter - periods
}

// objectHelpCommand is Redis's addReplyHelp for OBJECT.
func objectHelpCommand(c *Ctx) {
	writeHelp(c,
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	)
}
