package command

import (
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
)

// Propagation: the writes of an execution unit (a command, a transaction,
// a script) are collected per client while its shards are held and fed to
// the replication stream (and later the AOF) in one piece before the
// shards are released, as Redis's alsoPropagate + propagatePendingCommands.
// Two units on the same key are ordered by the shard lock; units on
// different keys commute, so the stream is a valid serial order.
//
// A command propagates its own arguments when it changed the dataset
// (Ctx.Modified was called) unless it rewrote them (Ctx.Rewrite, e.g.
// EXPIRE as PEXPIREAT), prevented it, or forced it (FLUSHALL on an empty
// server, PUBLISH). When nothing consumes the stream (no replica has ever
// attached), all of this costs one atomic load per command.

// propBuf collects one execution unit's writes, RESP-encoded.
type propBuf struct {
	ops []propOp
	buf []byte
	// rewrite holds the running command's rewritten arguments.
	rewrite []byte
}

type propOp struct {
	db         int
	start, end int
	replOnly   bool // not for the AOF (PUBLISH)
}

func (p *propBuf) reset() {
	p.ops = p.ops[:0]
	if cap(p.buf) > 64<<10 {
		p.buf = nil
	} else {
		p.buf = p.buf[:0]
	}
}

func (p *propBuf) add(db int, argv [][]byte) {
	start := len(p.buf)
	p.buf = appendRESPCommand(p.buf, argv)
	p.ops = append(p.ops, propOp{db: db, start: start, end: len(p.buf)})
}

func (p *propBuf) addRaw(db int, b []byte) {
	start := len(p.buf)
	p.buf = append(p.buf, b...)
	p.ops = append(p.ops, propOp{db: db, start: start, end: len(p.buf)})
}

// appendCommand appends argv as a RESP array of bulk strings.
func appendRESPCommand(dst []byte, argv [][]byte) []byte {
	dst = appendRESPHeader(dst, '*', len(argv))
	for _, a := range argv {
		dst = appendRESPHeader(dst, '$', len(a))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

func appendRESPHeader(dst []byte, kind byte, n int) []byte {
	dst = append(dst, kind)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// Propagation flags of a running command (Ctx.prop).
const (
	propRewritten uint8 = 1 << iota
	propPrevent
	propForce
	propReplOnly // forced to replicas only (PUBLISH): not written to the AOF
)

// propagating reports whether writes are being propagated at all.
func (e *Engine) propagating() bool { return e.repl.active.Load() }

// Rewrite replaces the arguments the running command propagates with
// argv (Redis's rewriteClientCommandVector): EXPIRE as PEXPIREAT, BLPOP as
// LPOP... It only takes effect if the command changed the dataset.
func (c *Ctx) Rewrite(argv ...[]byte) {
	if !c.E.propagating() {
		return
	}
	p := &c.C.prop
	p.rewrite = appendRESPCommand(p.rewrite[:0], argv)
	c.prop |= propRewritten
}

// AlsoPropagate adds argv to the execution unit now, in the client's
// database (Redis's alsoPropagate): SPOP with a count propagates one SREM
// per batch, a served blocked client its pop.
func (c *Ctx) AlsoPropagate(argv ...[]byte) {
	if !c.E.propagating() || c.C.noProp {
		return
	}
	c.C.prop.add(c.C.DB, argv)
}

// PreventPropagation keeps the running command out of the stream (its
// AlsoPropagate calls still count): preventCommandPropagation.
func (c *Ctx) PreventPropagation() { c.prop |= propPrevent }

// ForcePropagation propagates the running command even if it changed
// nothing (FLUSHALL of an empty server, PUBLISH): forceCommandPropagation.
func (c *Ctx) ForcePropagation() { c.prop |= propForce }

// ForceReplPropagation propagates the running command to replicas only
// (PUBLISH: replicas deliver it to their subscribers; the AOF skips it).
func (c *Ctx) ForceReplPropagation() { c.prop |= propForce | propReplOnly }

// Dirty counts a change to the dataset that has no key of its own
// (FUNCTION LOAD, SWAPDB): server.dirty++.
func (c *Ctx) Dirty() {
	c.E.Dirty.Add(1)
	c.dirty++
}

// itoa formats n for a propagated argument.
func itoa(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// recordProp adds a finished command to its client's execution unit.
func (e *Engine) recordProp(ctx *Ctx) {
	if ctx.prop&propPrevent != 0 || (ctx.dirty == 0 && ctx.prop&propForce == 0) || ctx.C.noProp {
		return
	}
	p := &ctx.C.prop
	if ctx.prop&propRewritten != 0 {
		p.addRaw(ctx.C.DB, p.rewrite)
	} else {
		p.add(ctx.C.DB, ctx.Argv)
	}
	if ctx.prop&propReplOnly != 0 {
		p.ops[len(p.ops)-1].replOnly = true
	}
}

// Shared encodings of the commands the stream itself adds.
var (
	respMulti = []byte("*1\r\n$5\r\nMULTI\r\n")
	respExec  = []byte("*1\r\n$4\r\nEXEC\r\n")
	respPing  = []byte("*1\r\n$4\r\nPING\r\n")
)

// flushProp feeds the client's execution unit to the stream, wrapped in
// MULTI/EXEC when it holds more than one command (not for commands that
// touch arbitrary keys, whose lazy expirations are not a transaction).
// The unit's shards must still be held.
func (e *Engine) flushProp(cl *Client, spec *Spec) {
	p := &cl.prop
	if len(p.ops) == 0 {
		return
	}
	wrap := len(p.ops) > 1
	if spec != nil && spec.Meta.FlagMask&meta.FlagTouchesArbitraryKeys != 0 {
		wrap = false
	}
	r := &e.repl
	r.mu.Lock()
	if l := r.link; l != nil && l.cl == cl && l.pending != nil {
		// The master client's write: its stream bytes go to our backlog
		// and replicas now, while its shards are held.
		r.feedLocked(l.pending)
		l.pending = nil
	}
	if !r.isReplicaLocked() && r.backlog.buf != nil {
		if wrap {
			r.feedCmdLocked(p.ops[0].db, respMulti)
		}
		for _, op := range p.ops {
			r.feedCmdLocked(op.db, p.buf[op.start:op.end])
		}
		if wrap {
			r.feedCmdLocked(p.ops[len(p.ops)-1].db, respExec)
		}
		cl.woff = r.offset
	}
	if e.aof.on.Load() {
		// The AOF gets the same unit, less what is for replicas only.
		n, first, last := 0, -1, 0
		for i, op := range p.ops {
			if !op.replOnly {
				n++
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if n > 1 && wrap {
			e.aofFeedLocked(p.ops[first].db, respMulti)
		}
		for _, op := range p.ops {
			if !op.replOnly {
				e.aofFeedLocked(op.db, p.buf[op.start:op.end])
			}
		}
		if n > 1 && wrap {
			e.aofFeedLocked(p.ops[last].db, respExec)
		}
	}
	r.mu.Unlock()
	p.reset()
}

// propagateNow feeds one command to the stream at once, outside any
// execution unit: deletions by expiry and eviction (propagateDeletion).
func (e *Engine) propagateNow(db int, argv ...[]byte) {
	if !e.propagating() {
		return
	}
	r := &e.repl
	r.mu.Lock()
	r.scratch = appendRESPCommand(r.scratch[:0], argv)
	if !r.isReplicaLocked() && r.backlog.buf != nil {
		r.feedCmdLocked(db, r.scratch)
	}
	if e.aof.on.Load() {
		e.aofFeedLocked(db, r.scratch)
	}
	r.mu.Unlock()
}

// propagateDeletion propagates the removal of an expired or evicted key.
func (e *Engine) propagateDeletion(db int, key []byte, lazy bool) {
	if lazy {
		e.propagateNow(db, []byte("UNLINK"), key)
	} else {
		e.propagateNow(db, []byte("DEL"), key)
	}
}

// delCommandName is DEL, or UNLINK with lazyfree-lazy-expire: how a key
// deleted because its expire is in the past propagates.
func delCommandName(c *Ctx) []byte {
	if c.E.Cfg != nil && c.E.Cfg.LazyfreeLazyExpire.Load() {
		return []byte("UNLINK")
	}
	return []byte("DEL")
}

// rewriteWithoutGet propagates SET ... GET without its GET arguments.
func (c *Ctx) rewriteWithoutGet() {
	if !c.E.propagating() {
		return
	}
	argv := make([][]byte, 0, len(c.Argv))
	for i, a := range c.Argv {
		if i >= 3 && bytesEqualFold(a, "get") {
			continue
		}
		argv = append(argv, a)
	}
	c.Rewrite(argv...)
}

// flushUnitNow records the running command and feeds its unit to the
// stream at once, for handlers that lock their own shards (SORT ... STORE)
// and release them before returning: the stream must get the write while
// the shards are still held.
func (e *Engine) flushUnitNow(c *Ctx) {
	if !e.propagating() {
		return
	}
	e.recordProp(c)
	c.prop |= propPrevent // run() must not record it again
	e.flushProp(c.C, c.Spec)
}
