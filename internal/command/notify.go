package command

import (
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/pubsub"
)

// Keyspace notifications (Redis 7.0's notify.c). With
// notify-keyspace-events enabling the event's class, an event on key in
// database db is published as
//
//	__keyspace@<db>__:<key>    with the event name as the message (K)
//	__keyevent@<db>__:<event>  with the key as the message           (E)
//
// keyspace first. Handlers report events through Ctx.Notify (hooks.go);
// the keyspace's expiry reports "expired" through Engine.notifyExpired and
// key creation "new" through Engine.notifyNew. With notifications off a
// call costs one atomic load.

// notifyKeyspaceOn reports whether notify-keyspace-events publishes
// anything (K or E set, and some class).
func (e *Engine) notifyKeyspaceOn() (flags int, on bool) {
	if e.Cfg == nil {
		return 0, false
	}
	flags = int(e.Cfg.NotifyKeyspaceEvents.Load())
	return flags, flags&(config.NotifyKeyspace|config.NotifyKeyevent) != 0
}

// NotifyIn is Notify for a key of another database than the client's
// (MOVE's move_to, COPY ... DB's copy_to).
func (c *Ctx) NotifyIn(db int, class byte, event string, key []byte) {
	if flags, on := c.E.notifyKeyspaceOn(); on {
		c.E.notifyKeyspaceEvent(c, flags, db, class, event, key)
	}
}

// notifyExpired publishes the "expired" event of a key the keyspace
// expired (lazily or in the active cycle); Engine.onExpire calls it.
func (e *Engine) notifyExpired(db int, key []byte) {
	if flags, on := e.notifyKeyspaceOn(); on {
		e.notifyKeyspaceEvent(nil, flags, db, 'x', "expired", key)
	}
}

// notifyNew publishes the "new" event of a key added to a database
// (dbAdd); the keyspace's OnAdd hook calls it.
func (e *Engine) notifyNew(db int, key []byte) {
	if flags, on := e.notifyKeyspaceOn(); on {
		e.notifyKeyspaceEvent(nil, flags, db, 'n', "new", key)
	}
}

// notifyEvicted publishes the "evicted" event of a key evicted by
// maxmemory.
func (e *Engine) notifyEvicted(db int, key []byte) {
	if flags, on := e.notifyKeyspaceOn(); on {
		e.notifyKeyspaceEvent(nil, flags, db, 'e', "evicted", key)
	}
}

// notifyKeyspaceEvent is notify.c's notifyKeyspaceEvent past the "is
// anything on" check. c is the command whose client gets its own
// messages in its reply stream, or nil.
func (e *Engine) notifyKeyspaceEvent(c *Ctx, flags, db int, class byte, event string, key []byte) {
	if flags&notifyClass(class) == 0 || !e.PubSub.Active() {
		return
	}
	ev := []byte(event)
	ch := make([]byte, 0, len("__keyspace@__:")+20+max(len(key), len(event)))
	if flags&config.NotifyKeyspace != 0 {
		ch = appendNotifyChannel(ch[:0], "__keyspace@", db, key)
		e.publishFrom(c, ch, ev)
	}
	if flags&config.NotifyKeyevent != 0 {
		ch = appendNotifyChannel(ch[:0], "__keyevent@", db, ev)
		e.publishFrom(c, ch, key)
	}
}

func appendNotifyChannel(dst []byte, prefix string, db int, suffix []byte) []byte {
	dst = append(dst, prefix...)
	dst = strconv.AppendInt(dst, int64(db), 10)
	dst = append(dst, "__:"...)
	return append(dst, suffix...)
}

// publishFrom publishes on a global channel, from command c when not nil.
func (e *Engine) publishFrom(c *Ctx, channel, payload []byte) {
	if c != nil {
		c.publish(pubsub.Global, channel, payload)
		return
	}
	e.PubSub.Publish(pubsub.Global, channel, payload, nil, nil)
}

// notifyClass maps a class letter of Ctx.Notify to its
// notify-keyspace-events flag.
func notifyClass(class byte) int {
	switch class {
	case 'g':
		return config.NotifyGeneric
	case '$':
		return config.NotifyString
	case 'l':
		return config.NotifyList
	case 's':
		return config.NotifySet
	case 'h':
		return config.NotifyHash
	case 'z':
		return config.NotifyZset
	case 'x':
		return config.NotifyExpired
	case 'e':
		return config.NotifyEvicted
	case 't':
		return config.NotifyStream
	case 'm':
		return config.NotifyKeyMiss
	case 'n':
		return config.NotifyNew
	case 'd':
		return config.NotifyModule
	}
	panic("BUG: unknown keyspace notification class " + strconv.Quote(string(class)))
}
