//go:build linux

package server

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event loops (Linux): Redis's model, one per core. A loop owns an epoll
// set of connections; one goroutine at a time runs it: it waits for
// readable sockets, reads and executes every ready connection's batch,
// then writes all the replies of the round and waits again. Compared with
// a goroutine per connection this saves, per request, a failed read, a
// park and a wake-up of the Go scheduler, and it serves connections in
// the order they became ready, which is what keeps tail latency down
// under many small requests.
//
// A loop goroutine must never wait. Whatever would make it wait hands the
// loop to a fresh goroutine first (handoff), and the goroutine that was
// running it goes on serving that one connection alone, in goroutine mode
// (conn.loop): a blocking command (BLPOP...), CLIENT PAUSE, a shard lock
// held by another goroutine, a script past busy-reply-threshold (from a
// timer: the loop's other clients then get BUSY and can send SCRIPT
// KILL), a slow reader whose socket buffer is full. At the end of such a
// batch the connection returns to its loop (reattach).
//
// State: the attach/detach/close queues, cur and each conn's attached
// flag are guarded by mu; byFD and flush belong to the goroutine running
// the loop. Lock order: shard locks -> loop.mu (LongRunning may be called
// with shard locks held); nothing is called with mu held.
type loop struct {
	srv  *Server
	ep   int // epoll descriptor
	wake int // eventfd that interrupts epoll_wait

	mu       sync.Mutex
	attachQ  []*conn
	listenQ  []*loopListener
	detachQ  []*conn
	closeQ   []*conn
	cur      *conn // the conn whose batch the loop is running
	attached map[*conn]struct{}
	signaled bool
	stopping bool
	stopped  bool

	byFD  []*conn         // owner only
	rbuf  []byte          // owner only: the read buffer lent to each conn's batch (resp.Reader.FillLent)
	lns   []*loopListener // owner only: the listening sockets this loop accepts on
	flush []*conn         // owner only: conns whose replies wait for the round's end
	evs   []unix.EpollEvent

	load atomic.Int64 // attached conns, to balance new ones
}

// noLoops disables the event loops (CINNABAR_EVENT_LOOP=0): every
// connection then has a goroutine of its own.
func noLoops() bool { return os.Getenv("CINNABAR_EVENT_LOOP") == "0" }

// startLoops starts one event loop per P.
func (s *Server) startLoops() error {
	n := s.nloops
	if n < 0 || noLoops() {
		return nil
	}
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	for i := 0; i < n; i++ {
		l, err := newLoop(s)
		if err != nil {
			s.stopLoops()
			return err
		}
		s.loops = append(s.loops, l)
		s.wg.Add(1)
		go l.run()
	}
	return nil
}

func newLoop(s *Server) (*loop, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(ep)
		return nil, os.NewSyscallError("eventfd", err)
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, wfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}); err != nil {
		unix.Close(ep)
		unix.Close(wfd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	return &loop{srv: s, ep: ep, wake: wfd, attached: map[*conn]struct{}{}, evs: make([]unix.EpollEvent, 256)}, nil
}

// stopLoops asks every loop to end once its connections are closed.
func (s *Server) stopLoops() {
	for _, l := range s.loops {
		l.mu.Lock()
		l.stopping = true
		l.signalLocked()
		l.mu.Unlock()
	}
}

// pickLoop returns the least loaded loop, or nil without loops.
func (s *Server) pickLoop() *loop {
	var best *loop
	for _, l := range s.loops {
		if best == nil || l.load.Load() < best.load.Load() {
			best = l
		}
	}
	return best
}

func (l *loop) signalLocked() {
	if l.signaled {
		return
	}
	l.signaled = true
	var one = [8]byte{1}
	_, _ = unix.Write(l.wake, one[:])
}

// reattach gives c back to the loop (from c's goroutine, between
// batches). It reports false when c is closed or the loop has stopped:
// the goroutine keeps the conn.
func (l *loop) reattach(c *conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopping || c.closed.Load() {
		return false
	}
	l.attached[c] = struct{}{}
	l.attachQ = append(l.attachQ, c)
	l.signalLocked()
	return true
}

// closeAttached queues c's close for the loop when the loop serves c; it
// reports false when c has a goroutine of its own (which then sees the
// closed socket).
func (l *loop) closeAttached(c *conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.attached[c]; !ok {
		return false
	}
	l.closeQ = append(l.closeQ, c)
	l.signalLocked()
	return true
}

// handoff is called, from any goroutine, when the batch the loop is
// running for c is about to wait or has run for long: c leaves the loop,
// whose goroutine from then on serves c alone, and a new goroutine takes
// over the loop.
func (l *loop) handoff(c *conn) {
	l.mu.Lock()
	if l.cur != c || !c.inLoop.Load() {
		l.mu.Unlock()
		return
	}
	c.inLoop.Store(false)
	l.cur = nil
	l.rbuf = nil // c's batch goes on reading its arguments out of it
	delete(l.attached, c)
	l.detachQ = append(l.detachQ, c)
	l.mu.Unlock()
	go l.run()
}

// detachHere moves c, which the loop's goroutine is not running, to a
// goroutine of its own that first runs first (when not nil).
func (l *loop) detachHere(c *conn, first func()) {
	l.mu.Lock()
	delete(l.attached, c)
	l.mu.Unlock()
	l.unregister(c)
	go func() {
		if first != nil {
			first()
		}
		c.serve()
	}()
}

func (l *loop) unregister(c *conn) {
	if c.fd < len(l.byFD) && l.byFD[c.fd] == c {
		l.byFD[c.fd] = nil
		_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, c.fd, nil)
		l.load.Add(-1)
	}
}

// closeHere closes and releases a conn the loop serves.
func (l *loop) closeHere(c *conn) {
	l.mu.Lock()
	delete(l.attached, c)
	l.mu.Unlock()
	l.unregister(c)
	c.finish()
}

// applyQueues registers, unregisters and closes what other goroutines
// asked for. It reports false when the loop is to end.
func (l *loop) applyQueues() bool {
	l.mu.Lock()
	detach, attach, closing, listen := l.detachQ, l.attachQ, l.closeQ, l.listenQ
	l.detachQ, l.attachQ, l.closeQ, l.listenQ = nil, nil, nil, nil
	l.signaled = false
	l.mu.Unlock()
	for _, ll := range listen {
		l.listen(ll)
	}
	for _, c := range detach {
		l.unregister(c)
	}
	for _, c := range attach {
		if c.fd >= len(l.byFD) {
			nb := make([]*conn, max(2*len(l.byFD), c.fd+64))
			copy(nb, l.byFD)
			l.byFD = nb
		}
		if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, c.fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(c.fd)}); err != nil {
			// The socket is unusable (closed meanwhile): release it.
			l.mu.Lock()
			delete(l.attached, c)
			l.mu.Unlock()
			c.finish()
			continue
		}
		l.byFD[c.fd] = c
		l.load.Add(1)
	}
	for _, c := range closing {
		l.mu.Lock()
		_, mine := l.attached[c]
		l.mu.Unlock()
		if mine {
			l.closeHere(c)
		} else {
			c.nc.Close() // its own goroutine releases it
		}
	}
	l.mu.Lock()
	stopping := l.stopping && len(l.attached) == 0 && len(l.attachQ) == 0 && len(l.closeQ) == 0 && len(l.detachQ) == 0
	if stopping {
		l.stopped = true
	}
	l.mu.Unlock()
	if stopping {
		unix.Close(l.ep)
		unix.Close(l.wake)
		l.srv.wg.Done()
		return false
	}
	return true
}

// flushRound writes the replies of the round's batches.
func (l *loop) flushRound() {
	for i, c := range l.flush {
		l.flush[i] = nil
		if c.closed.Load() {
			continue // closeQ has it
		}
		switch c.endBatchLoop() {
		case flushPartial:
			l.detachHere(c, c.finishFlush)
		case flushBusy:
			l.detachHere(c, c.endBatch)
		}
	}
	l.flush = l.flush[:0]
}

// run is the loop's goroutine (one at a time; see handoff).
func (l *loop) run() {
	for {
		l.flushRound()
		if !l.applyQueues() {
			return
		}
		n, err := l.wait()
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			l.srv.log.Warning("epoll_wait: ", err.Error())
			continue
		}
		for i := 0; i < n; i++ {
			fd := int(l.evs[i].Fd)
			if fd == l.wake {
				var b [8]byte
				_, _ = unix.Read(l.wake, b[:])
				continue
			}
			if l.evs[i].Pad == listenerTag {
				l.accept(fd)
				continue
			}
			if fd >= len(l.byFD) || l.byFD[fd] == nil {
				continue
			}
			if !l.serve(l.byFD[fd]) {
				return // this goroutine now serves that conn alone
			}
		}
	}
}

// spinWait is how long wait polls before it blocks.
const spinWait = 50 * time.Microsecond

// wait returns the ready events. It first polls for a short while without
// blocking (raw epoll_wait with a zero timeout, yielding to other
// goroutines between polls), and only then blocks in epoll_wait. A
// blocking system call that lasts more than a few tens of microseconds
// lets the runtime's sysmon take the P away and start another thread to
// look for work; with requests arriving every few microseconds that
// thread churn (wake-ups, context switches on the same core) is what made
// latency higher than Redis's, whose event loop simply sleeps.
func (l *loop) wait() (int, error) {
	var start time.Time
	for i := 0; ; i++ {
		r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, uintptr(l.ep), uintptr(unsafe.Pointer(&l.evs[0])), uintptr(len(l.evs)), 0, 0, 0)
		if e == 0 && r > 0 {
			return int(r), nil
		}
		if i == 0 {
			start = time.Now()
		} else if time.Since(start) > spinWait {
			break
		}
		runtime.Gosched()
	}
	return unix.EpollWait(l.ep, l.evs, -1)
}

// serve reads and runs one ready conn's batch. It reports false when the
// batch was handed off (the calling goroutine no longer runs the loop).
func (l *loop) serve(c *conn) bool {
	s := l.srv
	cfg := s.cfg
	c.rd.MaxBulk = cfg.ProtoMaxBulkLen.Load()
	c.rd.AuthRequired = !c.cl.Authenticated
	if l.rbuf == nil {
		l.rbuf = make([]byte, loopReadBuf)
	}
	n, err := c.rd.FillLent(&c.nb, l.rbuf)
	if err == errWouldBlock {
		err = nil
	}
	closeNow := err != nil || c.closed.Load()
	ran := false
	if n > 0 && !closeNow {
		c.cl.ReadStamp = int64(s.eng.Elapsed())
		s.eng.Stats.NetInput.Add(int64(n))
		if s.eng.PauseActive() {
			// CLIENT PAUSE may make the batch wait: run it off the loop.
			l.releaseReadBuf(c)
			l.detachHere(c, func() {
				if c.processBatch() {
					c.Close()
				}
			})
			return true
		}
		l.mu.Lock()
		l.cur = c
		c.inLoop.Store(true)
		l.mu.Unlock()
		closeNow = c.processBatch()
		ran = true
		l.mu.Lock()
		lost := l.cur != c // handoff cleared cur; a new owner may have set it since
		if !lost {
			l.cur = nil
			c.inLoop.Store(false)
		}
		l.mu.Unlock()
		if lost {
			// handoff: the loop runs on another goroutine and this one
			// serves c alone. (processBatch may have returned just before
			// the handoff, leaving the replies to the round's flush.) The
			// read buffer went with c (handoff gave the loop a new one).
			if closeNow {
				c.finish()
			} else {
				c.rd.Release()
				c.endBatch()
				c.serve()
			}
			return false
		}
		if !closeNow && c.rd.Buffered() > int(cfg.ClientQueryBufferLimit.Load()) {
			s.log.Warning("Closing client that reached max query buffer length")
			closeNow = true
		}
	}
	l.releaseReadBuf(c)
	if closeNow {
		l.closeHere(c) // processBatch wrote what was due (QUIT's +OK...)
		return true
	}
	if ran {
		l.flush = append(l.flush, c)
	}
	return true
}

// loopReadBuf is the size of a loop's read buffer, Redis's PROTO_IOBUF_LEN.
const loopReadBuf = 16 << 10

// releaseReadBuf ends c's use of the loop's read buffer, lent for its
// batch: a partial request moves to a buffer of c's own. Lending one
// buffer to every conn of the loop in turn means a client whose requests
// arrive whole (nearly all) has no read buffer between its batches: a
// thousand connecting clients allocate 4 MB less, and so go through fewer
// garbage collections. Under the race detector the buffer is then
// overwritten, so that a command keeping an argument past its batch
// shows in the tests.
func (l *loop) releaseReadBuf(c *conn) {
	if !c.rd.Lent() {
		return
	}
	c.rd.Release()
	if raceEnabled && l.rbuf != nil {
		for i := range l.rbuf {
			l.rbuf[i] = '#'
		}
	}
}

// nbReader reads and writes a socket without blocking, from the loop.
// The callbacks given to RawConn.Control are bound once (init), and their
// arguments and results go through the struct, so a read or a write
// allocates nothing.
type nbReader struct {
	rc      syscall.RawConn
	p       []byte
	n       int
	err     error
	readFn  func(uintptr)
	writeFn func(uintptr)
}

func (r *nbReader) init(rc syscall.RawConn) {
	r.rc = rc
	r.readFn = r.doRead
	r.writeFn = r.doWrite
}

var errWouldBlock = errors.New("would block")

// Read implements io.Reader; errWouldBlock when there is nothing to read.
func (r *nbReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	if err := r.rc.Control(r.readFn); err != nil {
		r.p = nil
		return 0, err
	}
	r.p = nil
	return r.n, r.err
}

func (r *nbReader) doRead(fd uintptr) {
	n, again, err := readOnce(fd, r.p)
	if again {
		err = errWouldBlock
	}
	r.n, r.err = n, err
}

// write writes as much of p as the socket takes now.
func (r *nbReader) write(p []byte) int {
	r.p, r.n = p, 0
	_ = r.rc.Control(r.writeFn)
	r.p = nil
	return r.n
}

func (r *nbReader) doWrite(fd uintptr) {
	r.n, _, _ = writeSome(fd, r.p, r.n)
}

// Listening sockets. Every loop has the server's plain TCP and unix
// listeners in its epoll set (EPOLLEXCLUSIVE: an idle server wakes one
// loop per connection, not all) and accepts on them itself, as Redis's
// event loop does. A goroutine blocked in Accept would be the wrong
// shape here: the runtime polls the network only when a P runs out of
// work, or from sysmon every 10 ms, so under load (a loop is never idle)
// a connecting client waited up to 10 ms for its accept. With
// redis-benchmark -c 1000 that was the whole p99 gap to Redis.

// listenerTag marks a listener's epoll events (in the data word's upper
// half, which conn events leave 0).
const listenerTag = 1

// maxAcceptsPerCall bounds the accepts of one event, like Redis's
// MAX_ACCEPTS_PER_CALL, so that a connection storm cannot starve the
// clients already served.
const maxAcceptsPerCall = 1000

type loopListener struct {
	ln   net.Listener
	rc   syscall.RawConn
	fd   int
	unix bool
}

// loopAccept makes the event loops accept on ln. It reports false when
// there are no loops or ln has no descriptor: ln then needs an accept
// goroutine.
func (s *Server) loopAccept(ln net.Listener, unix bool) bool {
	if len(s.loops) == 0 {
		return false
	}
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	if rc.Control(func(f uintptr) { fd = int(f) }) != nil || fd < 0 {
		return false
	}
	for _, l := range s.loops {
		l.addListener(&loopListener{ln: ln, rc: rc, fd: fd, unix: unix})
	}
	return true
}

func (l *loop) addListener(ll *loopListener) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopping {
		return
	}
	l.listenQ = append(l.listenQ, ll)
	l.signalLocked()
}

// listen adds ll to the loop's epoll set (owner only). The listener's
// fd is read under Control, which keeps it from being closed meanwhile;
// once the listener is closed its file leaves the epoll set by itself.
func (l *loop) listen(ll *loopListener) {
	err := ll.rc.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(fd), Pad: listenerTag}
		if e := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, int(fd), &ev); e != nil && e != unix.EEXIST {
			l.srv.log.Warning("epoll_ctl (listener): ", e.Error())
		}
	})
	if err != nil {
		return // closed
	}
	l.dropListener(ll.fd)
	l.lns = append(l.lns, ll)
}

func (l *loop) dropListener(fd int) {
	for i, ll := range l.lns {
		if ll.fd == fd {
			l.lns = append(l.lns[:i], l.lns[i+1:]...)
			return
		}
	}
}

// accept takes the pending connections of the listener on fd.
func (l *loop) accept(fd int) {
	var ll *loopListener
	for _, x := range l.lns {
		if x.fd == fd {
			ll = x
			break
		}
	}
	if ll == nil {
		return
	}
	s := l.srv
	for i := 0; i < maxAcceptsPerCall; i++ {
		var nfd int
		var sa unix.Sockaddr
		var aerr error
		if err := ll.rc.Control(func(f uintptr) { nfd, sa, aerr = unix.Accept4(int(f), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) }); err != nil {
			l.dropListener(fd) // closed
			return
		}
		switch aerr {
		case nil:
		case unix.EAGAIN:
			return
		case unix.EINTR, unix.ECONNABORTED:
			continue
		default:
			// EMFILE and the like: the listener stays readable, so leave
			// it out of this loop's set for a while rather than spin.
			s.log.Warning("Accepting client connection: ", aerr.Error())
			_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, fd, nil)
			l.dropListener(fd)
			time.AfterFunc(10*time.Millisecond, func() { l.addListener(ll) })
			return
		}
		s.wg.Add(1)
		s.serveConn(newSockConn(nfd, sa, ll, s.cfg.TCPKeepAlive.Load()), ll.unix, true)
	}
}
