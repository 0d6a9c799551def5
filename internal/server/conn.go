package server

import (
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// conn serves one client connection. Its goroutine reads a batch of
// requests, executes every complete command of the batch appending the
// replies to one buffer, then writes that buffer with a single write.
// Out-of-band bytes (MONITOR lines, later pub/sub) from other goroutines
// go through Push and a lazily started writer goroutine; writeMu keeps
// replies and pushes whole and in order. While the conn goroutine runs a
// batch (busy), pushes wait in pending and join the reply buffer before
// its next command, so a push never overtakes a reply that precedes it
// (a SUBSCRIBE's confirmation and the messages that follow it).
type conn struct {
	srv *Server
	nc  net.Conn
	io  io.ReadWriter // nc, or raw socket I/O on it (sockIO)

	// Event-loop mode (Linux): lp is the conn's loop (nil: goroutine mode
	// only); inLoop is set while the loop's goroutine is running a batch
	// of this conn that has not been handed a goroutine of its own.
	lp     *loop
	fd     int
	inLoop atomic.Bool
	nb     nbReader // non-blocking reads for the loop
	rd     *resp.Reader
	w      resp.Writer
	cl     *command.Client

	writeMu sync.Mutex // serializes socket writes

	pushMu       sync.Mutex
	pending      []byte        // guarded by pushMu
	inflight     int           // bytes being written by pushWriter, guarded by pushMu
	exempt       int           // queued bytes outside the output limit (a replica's snapshot), guarded by pushMu
	softSince    time.Time     // when the soft output limit was first exceeded, guarded by pushMu
	pushWake     chan struct{} // created with the writer goroutine, guarded by pushMu
	busy         bool          // the conn goroutine is running a batch, guarded by pushMu
	queued       atomic.Bool   // pending is not empty
	closed       atomic.Bool
	finished     atomic.Bool // finish ran
	unregistered atomic.Bool // unregister ran
	qbuf         int         // query buffer bytes, for CLIENT LIST (guarded by pushMu)
	qbufFree     int         // guarded by pushMu

	// early holds what the client sent while a command waited
	// (WatchDisconnect: WAIT in its handler, a blocked BLPOP in
	// waitBlocked); processBatch feeds it to rd once that command is
	// done. Conn goroutine only (the watcher hands it over by exiting
	// before stop returns).
	early []byte
}

// serveConn sets up an accepted connection and serves it: from then on
// in its event loop, or on this goroutine. An event loop that accepted
// the connection (fromLoop) must not wait: the conn then gets a
// goroutine of its own when it needs one.
func (s *Server) serveConn(nc net.Conn, unix, fromLoop bool) {
	c := &conn{srv: s, nc: nc, io: nc, rd: resp.NewReader()}
	if sio := newSockIO(nc); sio != nil {
		c.io = sio
	}
	c.w.Proto = 2
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
		if ka := s.cfg.TCPKeepAlive.Load(); ka > 0 {
			_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: time.Duration(ka) * time.Second, Interval: time.Duration(ka) * time.Second / 3, Count: 3})
		}
	}
	addr, laddr := nc.RemoteAddr().String(), nc.LocalAddr().String()
	if unix {
		addr = nc.LocalAddr().String() + ":0"
		laddr = addr
	}
	eng := s.eng
	if s.cfg.ProtectedMode.Load() && s.cfg.RequirePass.Load() == "" && !unix && !isLoopback(nc.RemoteAddr()) {
		_, _ = nc.Write([]byte(deniedMsg))
		eng.Clients.Rejected.Add(1)
		nc.Close()
		s.wg.Done()
		return
	}
	if max := s.cfg.MaxClients.Load(); int64(eng.Clients.Len()) >= max {
		_, _ = nc.Write([]byte("-ERR max number of clients reached\r\n"))
		eng.Clients.Rejected.Add(1)
		nc.Close()
		s.wg.Done()
		return
	}
	fd := connFD(nc)
	if sio, ok := c.io.(*sockIO); ok && fd >= 0 {
		if l := s.pickLoop(); l != nil {
			c.lp, c.fd = l, fd
			c.nb.init(sio.rc)
		}
	}
	c.cl = eng.Clients.New(c, addr, laddr, fd, eng.Now())
	if unix {
		c.cl.SetFlag(command.FlagUnixSocket, true)
	}
	c.cl.Authenticated = s.cfg.RequirePass.Load() == ""
	s.track(c, true)
	if c.lp != nil && c.lp.reattach(c) {
		return // the event loop serves c from now on
	}
	if fromLoop {
		go c.serve()
		return
	}
	c.serve()
}

// finish releases a connection once it is closed, exactly once: whoever
// serves the conn when it ends (its goroutine or its event loop) calls it.
func (c *conn) finish() {
	if !c.finished.CompareAndSwap(false, true) {
		return
	}
	s := c.srv
	c.unregister()
	c.closed.Store(true)
	c.nc.Close()
	c.pushMu.Lock()
	if c.pushWake != nil {
		close(c.pushWake)
		c.pushWake = nil
	}
	c.pushMu.Unlock()
	s.wg.Done()
}

// unregister takes the client out of the server and the engine (once).
func (c *conn) unregister() {
	if !c.unregistered.CompareAndSwap(false, true) {
		return
	}
	s := c.srv
	s.track(c, false)
	s.eng.Disconnect(c.cl)
	s.eng.Clients.Remove(c.cl)
}

// serve runs the conn in goroutine mode until it closes or, for a conn
// of an event loop, until it can go back to the loop.
func (c *conn) serve() {
	if c.loop() {
		c.finish()
	}
}

// loop serves the conn from its own goroutine: blocking reads, batches,
// blocking writes. It reports true when the connection is to be closed
// and false when an event loop took the conn back.
func (c *conn) loop() bool {
	eng := c.srv.eng
	cfg := c.srv.cfg
	for {
		if c.closed.Load() {
			return true
		}
		c.rd.MaxBulk = cfg.ProtoMaxBulkLen.Load()
		c.rd.AuthRequired = !c.cl.Authenticated
		n, err := c.rd.Fill(c.io)
		if n > 0 {
			c.cl.ReadStamp = int64(c.srv.eng.Elapsed())
			eng.Stats.NetInput.Add(int64(n))
			if closeNow := c.processBatch(); closeNow {
				return true
			}
			if c.rd.Buffered() > int(cfg.ClientQueryBufferLimit.Load()) {
				c.srv.log.Warning("Closing client that reached max query buffer length")
				return true
			}
		}
		if err != nil {
			return true
		}
		if c.lp != nil && c.lp.reattach(c) {
			return false
		}
	}
}

// processBatch executes every complete command in the read buffer and
// flushes the replies. It reports whether to close the connection.
func (c *conn) processBatch() bool {
	eng := c.srv.eng
	cl := c.cl
	cl.Touch(eng.RefreshClock())
	eng.BeginBatchAt(cl, time.Duration(cl.ReadStamp)) // set as the batch was read
	defer eng.EndBatch(cl)
	c.pushMu.Lock()
	c.busy = true
	c.setQbufLocked()
	c.pushMu.Unlock()
	for {
		if len(c.early) > 0 {
			// Read while a command waited (WAIT, a blocked BLPOP): its
			// arguments, which alias the read buffer, are done with now.
			c.rd.Feed(c.early)
			c.early = c.early[:0]
			cl.ReadStamp = int64(eng.Elapsed())
		}
		argv, err := c.rd.Next()
		if err == resp.ErrIncomplete {
			break
		}
		if perr, ok := err.(*resp.ProtocolError); ok { // not errors.As: it would allocate per command
			c.w.Error(perr.Msg)
			c.srv.log.Verbose("Protocol error (", perr.Reason, ") from client: addr=", cl.Addr)
			c.flush()
			return true
		}
		if len(argv) == 0 {
			continue
		}
		if c.queued.Load() {
			c.takePending()
		}
		mode := cl.ReplyMode.Load()
		mark := c.w.Len()
		c.w.Proto = cl.Proto()
		closeAfter := eng.Exec(cl, argv, &c.w)
		if cl.Flags()&command.FlagCloseASAP != 0 {
			return true
		}
		after := cl.ReplyMode.Load()
		// CLIENT REPLY: OFF drops every reply; SKIP drops its own reply
		// and the next command's (SkipNext becomes Skip for that one).
		switch {
		case mode == command.ReplySkip && after != command.ReplyOn:
			// (CLIENT REPLY ON cancels the skip and is answered.)
			c.w.Buf = c.w.Buf[:mark]
			switch after {
			case command.ReplySkip:
				cl.ReplyMode.Store(command.ReplyOn)
			case command.ReplySkipNext:
				cl.ReplyMode.Store(command.ReplySkip)
			}
		case after == command.ReplyOff:
			c.w.Buf = c.w.Buf[:mark]
		case after == command.ReplySkipNext:
			c.w.Buf = c.w.Buf[:mark]
			cl.ReplyMode.Store(command.ReplySkip)
		}
		if wt := cl.BlockedWaiter(); wt != nil {
			c.LongRunning()
			c.takePending()
			c.flush() // replies before the blocking command go out now
			eng.EndBatch(cl)
			c.setBusy(false)
			ok := c.waitBlocked(wt)
			eng.BeginBatch(cl)
			c.setBusy(true)
			if !ok {
				return true
			}
		}
		if closeAfter {
			// QUIT and the like: the client leaves the registry before its
			// last reply goes out, as Redis frees it before serving anyone
			// else, so a command sent after reading that reply no longer
			// sees it (a tracking redirect to it is already broken).
			c.unregister()
			c.endBatch()
			return true
		}
		if c.w.Len() >= 64<<10 {
			c.takePending()
			c.flush()
		}
	}
	if c.inLoop.Load() {
		return false // the loop writes the replies once its whole round is done
	}
	c.endBatch()
	return false
}

// setBusy marks the start or end of a batch; at the end, pushes queued
// meanwhile go to the writer goroutine.
func (c *conn) setBusy(on bool) {
	c.pushMu.Lock()
	c.busy = on
	if !on && len(c.pending) > 0 && c.pushWake != nil {
		select {
		case c.pushWake <- struct{}{}:
		default:
		}
	}
	c.pushMu.Unlock()
}

// takePending moves the queued pushes into the reply buffer.
func (c *conn) takePending() {
	c.pushMu.Lock()
	c.exempt = 0
	c.w.Buf = append(c.w.Buf, c.pending...)
	c.pending = c.pending[:0]
	c.queued.Store(false)
	c.pushMu.Unlock()
}

// endBatch writes the batch's replies with the pushes queued meanwhile
// and marks the conn idle. writeMu is taken first so that a push arriving
// once the conn is idle is written after these bytes.
func (c *conn) endBatch() {
	c.writeMu.Lock()
	c.goIdle()
	if len(c.w.Buf) > 0 {
		n, _ := c.io.Write(c.w.Buf)
		c.srv.eng.Stats.NetOutput.Add(int64(n))
	}
	c.writeMu.Unlock()
	c.resetOut()
}

// goIdle ends the batch: the pushes queued meanwhile join the reply
// buffer and the conn is marked idle. writeMu must be held.
func (c *conn) goIdle() {
	c.pushMu.Lock()
	c.exempt = 0
	c.w.Buf = append(c.w.Buf, c.pending...)
	c.pending = c.pending[:0]
	c.queued.Store(false)
	c.busy = false
	c.setQbufLocked()
	c.pushMu.Unlock()
}

// setQbufLocked records CLIENT LIST's qbuf and qbuf-free (pushMu held, by
// whoever runs the conn's batches). As Redis's sdslen(querybuf), qbuf is
// the whole batch while it runs (Redis trims what it ran once the batch
// is done) and what is left of it (a partial request) in between.
func (c *conn) setQbufLocked() {
	n := c.rd.Buffered()
	c.qbuf, c.qbufFree = n, c.rd.Cap()-n
}

// Results of endBatchLoop.
const (
	flushDone    = iota // everything written
	flushPartial        // part written; writeMu is held, c.w.Buf holds the rest
	flushBusy           // nothing done: a push is being written
)

// endBatchLoop is endBatch for the event loop, which must not block: the
// write is non-blocking, and what it cannot finish is left to a goroutine
// of the conn's own (finishFlush, or endBatch for flushBusy).
func (c *conn) endBatchLoop() int {
	if !c.writeMu.TryLock() {
		return flushBusy
	}
	c.goIdle()
	if len(c.w.Buf) > 0 {
		n := c.nb.write(c.w.Buf)
		c.srv.eng.Stats.NetOutput.Add(int64(n))
		if n < len(c.w.Buf) {
			c.w.Buf = c.w.Buf[:copy(c.w.Buf, c.w.Buf[n:])]
			return flushPartial
		}
	}
	c.writeMu.Unlock()
	c.resetOut()
	return flushDone
}

// finishFlush completes a flushPartial write (blocking, on the conn's own
// goroutine) and releases writeMu.
func (c *conn) finishFlush() {
	n, _ := c.io.Write(c.w.Buf)
	c.srv.eng.Stats.NetOutput.Add(int64(n))
	c.writeMu.Unlock()
	c.resetOut()
}

// resetOut empties the reply buffer, dropping it when it grew huge.
func (c *conn) resetOut() {
	if cap(c.w.Buf) > 1<<20 {
		c.w.Buf = nil // do not keep a huge buffer for an idle client
	} else {
		c.w.Reset()
	}
}

func (c *conn) flush() {
	if len(c.w.Buf) == 0 {
		return
	}
	buf := c.w.Buf
	n := 0
	switch {
	case !c.inLoop.Load():
		c.writeMu.Lock()
	case c.writeMu.TryLock():
		n = c.nb.write(buf)
		if n < len(buf) {
			c.LongRunning() // a slow reader: finish from a goroutine of its own
		}
	default:
		c.LongRunning() // a push is being written
		c.writeMu.Lock()
	}
	if n < len(buf) {
		m, _ := c.io.Write(buf[n:])
		n += m
	}
	c.writeMu.Unlock()
	c.srv.eng.Stats.NetOutput.Add(int64(n))
	c.resetOut()
}

// waitBlocked waits while the client is blocked (BLPOP...): until the
// waiter is served or unblocked, its deadline passes, or the client
// disconnects. Meanwhile WatchDisconnect reads the socket, so a disconnect
// is noticed and pipelined commands are kept for later. It reports whether
// the connection is still usable.
func (c *conn) waitBlocked(wt *command.Waiter) bool {
	eng := c.srv.eng
	var timeout <-chan time.Time
	if !wt.Deadline.IsZero() {
		t := time.NewTimer(time.Until(wt.Deadline))
		defer t.Stop()
		timeout = t.C
	}
	gone, stop := c.WatchDisconnect()
	select {
	case <-wt.Done():
	case <-timeout:
	case <-gone:
	}
	stop()
	select {
	case <-gone: // disconnected, or over client-query-buffer-limit
		eng.FinishBlock(c.cl, &c.w, true)
		return false
	default:
	}
	if wt.Cancelled() {
		// CLIENT KILL: the client is being closed; run nothing more of it.
		eng.FinishBlock(c.cl, &c.w, true)
		return false
	}
	eng.FinishBlock(c.cl, &c.w, false)
	return true
}

// Push implements command.Conn: queue out-of-band bytes.
func (c *conn) Push(b []byte) { c.push(b, false) }

// PushBulk implements command.Conn: Push for bytes that do not count
// against client-output-buffer-limit (a replica's snapshot, as Redis
// sends the RDB outside the output buffer).
func (c *conn) PushBulk(b []byte) { c.push(b, true) }

func (c *conn) push(b []byte, exempt bool) {
	if c.closed.Load() {
		return
	}
	c.pushMu.Lock()
	c.pending = append(c.pending, b...)
	if exempt {
		c.exempt += len(b)
	}
	if c.overLimitLocked() {
		c.pushMu.Unlock()
		c.srv.eng.Stats.OutbufLimitDisconnections.Add(1)
		c.srv.log.Warning("Client id=", strconv.FormatInt(c.cl.ID, 10), " addr=", c.cl.Addr,
			" scheduled to be closed ASAP for overcoming of output buffer limits.")
		c.Close()
		return
	}
	c.queued.Store(true)
	if c.pushWake == nil {
		c.pushWake = make(chan struct{}, 1)
		go c.pushWriter(c.pushWake)
	}
	if !c.busy { // a busy conn goroutine takes the bytes itself
		select {
		case c.pushWake <- struct{}{}:
		default:
		}
	}
	c.pushMu.Unlock()
}

// overLimitLocked applies client-output-buffer-limit to the bytes queued
// for the client and not yet written: the hard limit at once, the soft
// limit once exceeded for longer than its seconds. pushMu must be held.
func (c *conn) overLimitLocked() bool {
	class := config.ClientNormal
	switch f := c.cl.Flags(); {
	case f&command.FlagReplica != 0:
		class = config.ClientReplica
	case f&command.FlagPubSub != 0:
		class = config.ClientPubSub
	}
	lim := c.srv.cfg.ClientOutputBufferLimit.Load()[class]
	used := uint64(max(len(c.pending)+c.inflight-c.exempt, 0))
	if lim.HardBytes > 0 && used >= lim.HardBytes {
		return true
	}
	if lim.SoftBytes > 0 && used >= lim.SoftBytes {
		now := time.Now()
		if c.softSince.IsZero() {
			c.softSince = now
		} else if now.Sub(c.softSince) > time.Duration(lim.SoftSeconds)*time.Second {
			return true
		}
	} else {
		c.softSince = time.Time{}
	}
	return false
}

func (c *conn) pushWriter(wake chan struct{}) {
	var buf []byte
	for range wake {
		c.pushMu.Lock()
		if c.busy {
			c.pushMu.Unlock()
			continue
		}
		buf, c.pending = c.pending, buf[:0]
		c.queued.Store(false)
		c.inflight = len(buf)
		c.pushMu.Unlock()
		if len(buf) == 0 {
			continue
		}
		c.writeMu.Lock()
		n, err := c.io.Write(buf)
		c.writeMu.Unlock()
		c.pushMu.Lock()
		c.inflight = 0
		c.exempt = max(c.exempt-n, 0)
		c.pushMu.Unlock()
		c.srv.eng.Stats.NetOutput.Add(int64(n))
		if err != nil {
			c.Close()
			return
		}
	}
}

// Close implements command.Conn.
func (c *conn) Close() {
	c.closed.Store(true)
	if c.lp != nil && c.lp.closeAttached(c) {
		return // the loop closes it
	}
	c.nc.Close()
}

// LongRunning implements command.Conn.
func (c *conn) LongRunning() {
	if c.lp != nil && c.inLoop.Load() {
		c.lp.handoff(c)
	}
}

// WatchDisconnect implements command.Conn (and serves waitBlocked): a
// goroutine reads the socket while the command waits (the conn is on a
// goroutine of its own, after LongRunning), keeping what arrives in early, since the waiting command's
// arguments still alias the read buffer. gone is closed on EOF or an
// error (a disconnect, CLIENT KILL's Close) and when the client sends more
// than client-query-buffer-limit meanwhile; stop interrupts the read with
// a deadline and waits for the goroutine.
func (c *conn) WatchDisconnect() (<-chan struct{}, func()) {
	gone := make(chan struct{})
	done := make(chan struct{})
	var stopping atomic.Bool
	limit := int(c.srv.cfg.ClientQueryBufferLimit.Load())
	go func() {
		defer close(done)
		// Small: a client rarely sends anything while it waits (a command
		// pipelined behind a BLPOP), and early collects whatever comes.
		var buf [512]byte
		for {
			n, err := c.io.Read(buf[:])
			if n > 0 {
				c.srv.eng.Stats.NetInput.Add(int64(n))
				c.early = append(c.early, buf[:n]...)
			}
			if err != nil || len(c.early) > limit {
				if !stopping.Load() {
					// As Redis frees such a client at once, nothing more of
					// it runs: processBatch closes it after the command.
					if err == nil {
						c.srv.log.Warning("Closing client that reached max query buffer length")
					}
					c.cl.SetFlag(command.FlagCloseASAP, true)
					close(gone)
				}
				return
			}
		}
	}()
	stop := func() {
		stopping.Store(true)
		_ = c.nc.SetReadDeadline(time.Now())
		<-done
		_ = c.nc.SetReadDeadline(time.Time{})
	}
	return gone, stop
}

// Buffers implements command.Conn.
func (c *conn) Buffers() (qbuf, qbufFree, obl, oll, omem int) {
	c.pushMu.Lock()
	omem = len(c.pending) + c.inflight
	qbuf, qbufFree = c.qbuf, c.qbufFree
	c.pushMu.Unlock()
	return qbuf, qbufFree, 0, 0, omem
}

func isLoopback(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return true
}

const deniedMsg = "-DENIED Redis is running in protected mode because protected " +
	"mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to Redis you " +
	"may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command " +
	"'CONFIG SET protected-mode no' from the loopback interface " +
	"by connecting to Redis from the same host the server is " +
	"running, however MAKE SURE Redis is not publicly accessible " +
	"from internet if you do so. Use CONFIG REWRITE to make this " +
	"change permanent. " +
	"2) Alternatively you can just disable the protected mode by " +
	"editing the Redis configuration file, and setting the protected " +
	"mode option to 'no', and then restarting the server. " +
	"3) If you started the server manually just for testing, restart " +
	"it with the '--protected-mode no' option. " +
	"4) Setup a an authentication password for the default user. " +
	"NOTE: You only need to do one of the above things in order for " +
	"the server to start accepting connections from the outside.\r\n"

// connFD returns the socket's file descriptor number, for CLIENT LIST.
func connFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	_ = rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}
