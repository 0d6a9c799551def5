package command

// Modified is Redis's signalModifiedKey: called after every write to key.
// WATCH, client-side caching invalidation and blocked-client wake-ups hang
// off it.
func (c *Ctx) Modified(key []byte) {
	c.dirty++
	c.E.Dirty.Add(1)
	c.E.touchWatchedKey(c.DB.ID(), key)
	c.E.trackingInvalidateKey(c, key, true)
}

// Notify is Redis's notifyKeyspaceEvent: class is the notify-keyspace-events
// class letter of the event ("g" generic, "$" string, "l" list, "s" set,
// "h" hash, "z" zset, "x" expired, "e" evicted, "t" stream, "m" key-miss, "n" new).
//
// With notifications off (the default) it costs one atomic load; see
// notify.go.
func (c *Ctx) Notify(class byte, event string, key []byte) {
	if flags, on := c.E.notifyKeyspaceOn(); on {
		c.E.notifyKeyspaceEvent(c, flags, c.DB.ID(), class, event, key)
	}
}

// ModifiedIn is Modified for a key of another database (MOVE, COPY ... DB).
func (c *Ctx) ModifiedIn(db int, key []byte) {
	c.dirty++
	c.E.Dirty.Add(1)
	c.E.touchWatchedKey(db, key)
	c.E.trackingInvalidateKey(c, key, true)
}
