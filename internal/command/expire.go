package command

import "math"

// Expire commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST. TOUCH is in
// keys.go. Keys whose expire has passed are deleted by the keyspace when
// looked up (lazy expiry) and by keyspace.ActiveExpireCycle in the server
// cron (active expiry).
func expireCommands() []*Spec {
	return []*Spec{
		{Name: "expire", Handler: expireCommand},
		{Name: "pexpire", Handler: pexpireCommand},
		{Name: "expireat", Handler: expireatCommand},
		{Name: "pexpireat", Handler: pexpireatCommand},
		{Name: "ttl", Handler: ttlCommand},
		{Name: "pttl", Handler: pttlCommand},
		{Name: "expiretime", Handler: expiretimeCommand},
		{Name: "pexpiretime", Handler: pexpiretimeCommand},
		{Name: "persist", Handler: persistCommand},
	}
}

// EXPIRE option flags (expire.c).
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func expireCommand(c *Ctx)    { expireGeneric(c, c.Now(), true) }
func pexpireCommand(c *Ctx)   { expireGeneric(c, c.Now(), false) }
func expireatCommand(c *Ctx)  { expireGeneric(c, 0, true) }
func pexpireatCommand(c *Ctx) { expireGeneric(c, 0, false) }

// parseExpireFlags is Redis's parseExtendedExpireArgumentsOrReply.
func parseExpireFlags(c *Ctx) (int, bool) {
	flags := 0
	for j := 3; j < len(c.Argv); j++ {
		switch {
		case c.Is(j, "nx"):
			flags |= expireNX
		case c.Is(j, "xx"):
			flags |= expireXX
		case c.Is(j, "gt"):
			flags |= expireGT
		case c.Is(j, "lt"):
			flags |= expireLT
		default:
			c.Error("ERR Unsupported option " + cString(c.Argv[j]))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.Error(ErrExpireNXCompat)
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.Error(ErrExpireGTLT)
		return 0, false
	}
	return flags, true
}

// cString is b as C's "%s" prints it: up to the first NUL byte.
func cString(b []byte) string {
	for i, x := range b {
		if x == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// expireGeneric is Redis's expireGenericCommand. basetime is 0 for the
// *AT variants, else now (ms); seconds says argv[2]'s unit.
func expireGeneric(c *Ctx, basetime int64, seconds bool) {
	key := c.Argv[1]
	flags, ok := parseExpireFlags(c)
	if !ok {
		return
	}
	when, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	// Negative values are allowed; overflow of the unit conversion or of
	// the base time addition is an error.
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(errInvalidExpire(c.Spec.Meta.Name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.Error(errInvalidExpire(c.Spec.Meta.Name))
		return
	}
	when += basetime

	e, ok := c.DB.Lookup(key) // lookupKeyWrite
	if !ok {
		c.W.Int(0)
		return
	}
	if flags != 0 {
		cur := e.ExpireAt // 0: no expire, Redis's -1
		if flags&expireNX != 0 && cur != 0 {
			c.W.Int(0)
			return
		}
		if flags&expireXX != 0 && cur == 0 {
			c.W.Int(0)
			return
		}
		// No expire is an infinite TTL: GT never succeeds against it, LT
		// always does.
		if flags&expireGT != 0 && (cur == 0 || when <= cur) {
			c.W.Int(0)
			return
		}
		if flags&expireLT != 0 && cur != 0 && when >= cur {
			c.W.Int(0)
			return
		}
	}
	// checkAlreadyExpired: an expire at or before now deletes the key.
	// TODO(replication): not on replicas or while loading, where the key
	// keeps its past expire and waits for the master's DEL.
	if when <= c.Now() {
		if !c.DB.Delete(key) {
			panic("BUG: expire: key vanished between lookup and delete")
		}
		// Propagated as DEL key (UNLINK with lazyfree-lazy-expire).
		c.Modified(key)
		c.Notify('g', "del", key)
		c.Rewrite(delCommandName(c), key)
		c.W.Int(1)
		return
	}
	c.DB.SetExpire(key, when)
	// Propagated as PEXPIREAT key <when>: an absolute time.
	c.Modified(key)
	c.Notify('g', "expire", key)
	if c.E.propagating() {
		c.Rewrite([]byte("PEXPIREAT"), key, itoa(when))
	}
	c.W.Int(1)
}

func ttlCommand(c *Ctx)         { ttlGeneric(c, false, false) }
func pttlCommand(c *Ctx)        { ttlGeneric(c, true, false) }
func expiretimeCommand(c *Ctx)  { ttlGeneric(c, false, true) }
func pexpiretimeCommand(c *Ctx) { ttlGeneric(c, true, true) }

// ttlGeneric is Redis's ttlGenericCommand: -2 for a missing key, -1 for
// no expire, else the TTL or the absolute expire time, in ms or in seconds
// rounded to the nearest (ms+500)/1000.
func ttlGeneric(c *Ctx, ms, abs bool) {
	e, ok := lookupKeyReadWithFlags(c, c.Argv[1], lookupNoTouch)
	if !ok {
		c.W.Int(-2)
		return
	}
	if e.ExpireAt == 0 {
		c.W.Int(-1)
		return
	}
	ttl := e.ExpireAt
	if !abs {
		ttl -= c.Now()
	}
	if ttl < 0 {
		ttl = 0
	}
	if !ms {
		ttl = (ttl + 500) / 1000
	}
	c.W.Int(ttl)
}

func persistCommand(c *Ctx) {
	key := c.Argv[1]
	if _, ok := c.DB.Lookup(key); !ok { // lookupKeyWrite
		c.W.Int(0)
		return
	}
	if !c.DB.Persist(key) {
		c.W.Int(0)
		return
	}
	c.Modified(key)
	c.Notify('g', "persist", key)
	c.W.Int(1)
}
