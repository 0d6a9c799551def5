package command

import (
	"errors"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/rdb"
	"github.com/cinnabar-db/cinnabar/internal/script"
)

// DUMP/RESTORE errors (cluster.c restoreCommand, server.c shared.busykeyerr).
const (
	ErrBusyKey       = "BUSYKEY Target key name already exists."
	ErrDumpPayload   = "ERR DUMP payload version or checksum are wrong"
	ErrBadDataFormat = "ERR Bad data format"
	ErrRestoreTTL    = "ERR Invalid TTL value, must be >= 0"
	ErrRestoreIdle   = "ERR Invalid IDLETIME value, must be >= 0"
	ErrRestoreFreq   = "ERR Invalid FREQ value, must be >= 0 and <= 255"
)

func dumpCommands() []*Spec {
	return []*Spec{
		{Name: "dump", Handler: dumpCommand},
		{Name: "restore", Handler: restoreCommand},
	}
}

// rdbLimits reads the encoding thresholds a restored value is built with.
func rdbLimits(c *Ctx) rdb.Limits {
	lim := rdb.DefaultLimits()
	if cfg := c.E.Cfg; cfg != nil {
		lim.ListFill = int(cfg.ListMaxListpackSize.Load())
		lim.ListCompressDepth = int(cfg.ListCompressDepth.Load())
	}
	lim.Hash = hashLimits(c)
	lim.SetMaxIntsetEntries = setMaxIntsetEntries(c)
	lim.ZSet = zsetLimits(c)
	return lim
}

// dumpCommand is DUMP key (cluster.c dumpCommand).
func dumpCommand(c *Ctx) {
	e, ok := lookupKeyRead(c, c.Argv[1])
	if !ok {
		c.W.Null()
		return
	}
	w, _ := c.E.dumpEncoders.Get().(*rdb.Encoder)
	if w == nil {
		w = new(rdb.Encoder)
	}
	payload, err := w.AppendDump(nil, e)
	c.E.dumpEncoders.Put(w) // its LZF hash table is reused by the next DUMP
	if err != nil {
		c.Error("ERR DUMP is not supported for this key type")
		return
	}
	c.W.Bulk(payload)
}

// restoreCommand is RESTORE key ttl serialized-value [REPLACE] [ABSTTL]
// [IDLETIME seconds] [FREQ frequency] (cluster.c restoreCommand).
func restoreCommand(c *Ctx) {
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.Argv); j++ {
		more := len(c.Argv) - j - 1
		switch {
		case c.Is(j, "replace"):
			replace = true
		case c.Is(j, "absttl"):
			absTTL = true
		case c.Is(j, "idletime") && more >= 1 && freq == -1:
			v, ok := parseInt(c.Argv[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if v < 0 {
				c.Error(ErrRestoreIdle)
				return
			}
			idle = v
			j++
		case c.Is(j, "freq") && more >= 1 && idle == -1:
			v, ok := parseInt(c.Argv[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if v < 0 || v > 255 {
				c.Error(ErrRestoreFreq)
				return
			}
			freq = v
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	key := c.Argv[1]
	if !replace && c.DB.Exists(key) {
		c.Error(ErrBusyKey)
		return
	}
	ttl, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if ttl < 0 {
		c.Error(ErrRestoreTTL)
		return
	}
	obj, err := rdb.DecodeDump(c.Argv[3], rdbLimits(c))
	if err != nil {
		if errors.Is(err, rdb.ErrChecksum) {
			c.Error(ErrDumpPayload)
		} else {
			c.Error(ErrBadDataFormat)
		}
		return
	}
	deleted := false
	if replace {
		deleted = c.DB.Delete(key)
	}
	if ttl != 0 && !absTTL {
		ttl += c.Now()
	}
	if ttl != 0 && ttl <= c.Now() {
		// checkAlreadyExpired: the key is not created (a replaced one is
		// deleted, and that is what replicas are told).
		if deleted {
			c.Modified(key)
			c.Notify('g', "del", key)
			c.Rewrite([]byte("DEL"), key)
		}
		c.W.OK()
		return
	}
	at := keyspace.NoExpire
	if ttl != 0 {
		at = ttl
	}
	if obj.Type == keyspace.TypeString {
		c.DB.SetString(key, obj.Str, at, false)
	} else {
		c.DB.SetObject(key, obj.Type, obj.Value, at)
	}
	c.DB.SetAccess(key, idle, freq) // IDLETIME, FREQ: objectSetLRUOrLFU
	c.Modified(key)
	if ttl != 0 && !absTTL && c.E.propagating() {
		// The TTL propagates as an absolute time (ABSTTL appended).
		argv := append([][]byte{}, c.Argv...)
		argv[2] = itoa(ttl)
		c.Rewrite(append(argv, []byte("ABSTTL"))...)
	}
	c.Notify('g', "restore", key)
	c.W.OK()
}

// dumpFunctions is FUNCTION DUMP's payload: every library's code, in
// name order (rdbSaveFunctions), framed like a DUMP payload.
func dumpFunctions(c *Ctx) []byte {
	libs := c.E.Scripts.ListLibraries()
	codes := make([][]byte, len(libs))
	for i, l := range libs {
		codes[i] = l.Code
	}
	return rdb.AppendFunctions(nil, codes)
}

// restoreFunctions is FUNCTION RESTORE after its argument checks
// (functions.c functionRestoreCommand): policy is "append", "replace" or
// "flush". It returns the error reply, or "" on success.
func restoreFunctions(c *Ctx, payload []byte, policy string) string {
	if _, _, err := rdb.VerifyPayload(payload); err != nil {
		return ErrDumpPayload
	}
	codes, err := rdb.DecodeFunctions(payload)
	if err != nil {
		return "ERR " + err.Error()
	}
	libs := script.NewLibraries()
	for _, code := range codes {
		if _, err := c.E.Scripts.LoadLibraryInto(libs, code, false, 0); err != nil {
			return err.Error()
		}
	}
	switch policy {
	case "flush":
		c.E.Scripts.SetLibraries(libs)
	default:
		if err := c.E.Scripts.JoinLibraries(libs, policy == "replace"); err != nil {
			return err.Error()
		}
	}
	c.Dirty()
	return ""
}
