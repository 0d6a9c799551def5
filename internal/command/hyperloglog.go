package command

import (
	"math/rand/v2"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/hll"
)

// HyperLogLog commands (Redis's hyperloglog.c). A HyperLogLog is a plain
// string value holding the representation of internal/types/hll, so GET,
// SET, DUMP and RESTORE carry it between Cinnabar and Redis unchanged.

const (
	errInvalidHLL   = "INVALIDOBJ Corrupted HLL object detected"
	errNotHLL       = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errPFDebugNoKey = "ERR The specified key does not exist"
	errNotSparse    = "ERR HLL encoding is not sparse"
)

func hyperloglogCommands() []*Spec {
	return []*Spec{
		{Name: "pfadd", Handler: pfaddCommand},
		{Name: "pfcount", Handler: pfcountCommand},
		{Name: "pfmerge", Handler: pfmergeCommand},
		{Name: "pfdebug", Handler: pfdebugCommand},
		{Name: "pfselftest", Handler: pfselftestCommand},
	}
}

// hllValue checks that e is a HyperLogLog string (isHLLObjectOrReply) and
// returns a private copy of its bytes, replying with the error if not.
func hllValue(c *Ctx, e keyspace.Entry) ([]byte, bool) {
	if !hllCheck(c, e) {
		return nil, false
	}
	return append(make([]byte, 0, len(e.Str)+3), e.Str...), true
}

// hllCheck is isHLLObjectOrReply without the copy.
func hllCheck(c *Ctx, e keyspace.Entry) bool {
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return false
	}
	if e.Enc == keyspace.EncInt || !hll.IsHLL(e.Str) {
		c.Error(errNotHLL)
		return false
	}
	return true
}

// hllUnshare is dbUnshareStringValue: an embstr value becomes raw.
func hllUnshare(c *Ctx, key []byte, e keyspace.Entry, v []byte) {
	if e.Enc != keyspace.EncRaw {
		c.DB.SetString(key, v, keyspace.KeepTTL, true)
	}
}

func (c *Ctx) dirtyBy(n int) {
	c.dirty += n
	c.E.Dirty.Add(int64(n))
}

func sparseMaxBytes(c *Ctx) int { return int(c.E.Cfg.HLLSparseMaxBytes.Load()) }

// PFADD key [element ...]
func pfaddCommand(c *Ctx) {
	key := c.Argv[1]
	updated := 0
	var v []byte
	ttl := keyspace.KeepTTL
	e, found := c.DB.Lookup(key)
	if !found {
		v = hll.New()
		ttl = keyspace.NoExpire
		updated++
	} else {
		var ok bool
		if v, ok = hllValue(c, e); !ok {
			return
		}
		hllUnshare(c, key, e, v)
	}
	sparseMax := sparseMaxBytes(c)
	for _, ele := range c.Argv[2:] {
		var n int
		var err error
		v, n, err = hll.Add(v, ele, sparseMax)
		if err != nil {
			// Redis updates the value in place: the registers the
			// earlier elements raised stay raised, unsignalled.
			if updated > 0 {
				c.DB.SetString(key, v, ttl, true)
			}
			c.Error(errInvalidHLL)
			return
		}
		updated += n
	}
	if updated > 0 {
		hll.InvalidateCache(v)
		c.DB.SetString(key, v, ttl, true)
		c.Modified(key)
		c.Notify('$', "pfadd", key)
		c.dirtyBy(updated - 1)
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// mergeHLLKeys merges the registers of every existing key into regs
// (PFCOUNT of several keys, PFMERGE). It reports whether one of them is
// dense, and false after replying with an error (a wrong type or a
// corrupt value).
func mergeHLLKeys(c *Ctx, keys [][]byte, regs *[hll.Registers]uint8) (dense, ok bool) {
	for _, key := range keys {
		e, found := lookupKeyRead(c, key)
		if !found {
			continue
		}
		if !hllCheck(c, e) {
			return false, false
		}
		if e.Str[4] == hll.Dense {
			dense = true
		}
		if hll.Merge(regs, e.Str) != nil {
			c.Error(errInvalidHLL)
			return false, false
		}
	}
	return dense, true
}

// PFCOUNT key [key ...]
func pfcountCommand(c *Ctx) {
	if len(c.Argv) > 2 {
		var regs [hll.Registers]uint8
		if _, ok := mergeHLLKeys(c, c.Argv[1:], &regs); !ok {
			return
		}
		c.W.Int(int64(hll.CountRegisters(&regs)))
		return
	}
	key := c.Argv[1]
	e, ok := lookupKeyRead(c, key)
	if !ok {
		c.W.Int(0)
		return
	}
	if !hllCheck(c, e) {
		return
	}
	if card, valid := hll.CachedCard(e.Str); valid {
		if e.Enc != keyspace.EncRaw {
			hllUnshare(c, key, e, e.Str)
		}
		c.W.Int(int64(card))
		return
	}
	card, err := hll.Count(e.Str)
	if err != nil {
		if e.Enc != keyspace.EncRaw {
			hllUnshare(c, key, e, e.Str)
		}
		c.Error(errInvalidHLL)
		return
	}
	// Updating the cache changes the string: Redis signals and
	// propagates it although PFCOUNT is a read-only command.
	v := append([]byte(nil), e.Str...)
	hll.SetCachedCard(v, card)
	c.DB.SetString(key, v, keyspace.KeepTTL, true)
	c.Modified(key)
	c.W.Int(int64(card))
}

// PFMERGE destkey [sourcekey ...]
func pfmergeCommand(c *Ctx) {
	var regs [hll.Registers]uint8
	// The destination is argv[1] and is merged (and type-checked) too.
	useDense, ok := mergeHLLKeys(c, c.Argv[1:], &regs)
	if !ok {
		return
	}
	key := c.Argv[1]
	var v []byte
	ttl := keyspace.KeepTTL
	if e, ok := c.DB.Lookup(key); ok {
		v = append([]byte(nil), e.Str...)
	} else {
		v = hll.New()
		ttl = keyspace.NoExpire
	}
	if useDense {
		d, err := hll.SparseToDense(v)
		if err != nil {
			c.Error(errInvalidHLL)
			return
		}
		v = d
	}
	sparseMax := sparseMaxBytes(c)
	for i, r := range regs {
		if r == 0 {
			continue
		}
		// Redis ignores a failed sparse update here.
		if nv, _, err := hll.Set(v, i, r, sparseMax); err == nil {
			v = nv
		}
	}
	hll.InvalidateCache(v)
	c.DB.SetString(key, v, ttl, true)
	c.Modified(key)
	c.Notify('$', "pfadd", key)
	c.W.OK()
}

// PFSELFTEST
func pfselftestCommand(c *Ctx) {
	rnd := rand.New(rand.NewPCG(uint64(c.Now()), 0x1ad))
	if err := hll.SelfTest(rnd.Uint64, 1000, 10000000, sparseMaxBytes(c)); err != nil {
		c.Error("TESTFAILED " + err.Error())
		return
	}
	c.W.OK()
}

// PFDEBUG <subcommand> key
func pfdebugCommand(c *Ctx) {
	key := c.Argv[2]
	e, ok := c.DB.Lookup(key)
	if !ok {
		c.Error(errPFDebugNoKey)
		return
	}
	v, ok := hllValue(c, e)
	if !ok {
		return
	}
	hllUnshare(c, key, e, v)
	switch {
	case c.Is(1, "getreg"):
		if v[4] == hll.Sparse {
			d, err := hll.SparseToDense(v)
			if err != nil {
				c.Error(errInvalidHLL)
				return
			}
			v = d
			c.DB.SetString(key, v, keyspace.KeepTTL, true)
			c.Dirty()
		}
		regs := v[hll.HdrSize:]
		c.W.Array(hll.Registers)
		for i := 0; i < hll.Registers; i++ {
			c.W.Int(int64(hll.DenseGet(regs, i)))
		}
	case c.Is(1, "decode"):
		if v[4] != hll.Sparse {
			c.Error(errNotSparse)
			return
		}
		c.W.Bulk(hll.AppendDecode(nil, v))
	case c.Is(1, "encoding"):
		if v[4] == hll.Dense {
			c.W.Status("dense")
		} else {
			c.W.Status("sparse")
		}
	case c.Is(1, "todense"):
		conv := 0
		if v[4] == hll.Sparse {
			d, err := hll.SparseToDense(v)
			if err != nil {
				c.Error(errInvalidHLL)
				return
			}
			c.DB.SetString(key, d, keyspace.KeepTTL, true)
			c.Dirty()
			conv = 1
		}
		c.W.Int(int64(conv))
	default:
		c.Error("ERR Unknown PFDEBUG subcommand '" + string(c.Argv[1]) + "'")
	}
}
