package server

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// sockIO reads and writes a socket with raw read(2)/write(2) calls made
// through the connection's syscall.RawConn: the runtime's poller still
// parks the goroutine until the socket is ready (and honours deadlines
// and Close), but the calls themselves do not enter the scheduler's
// syscall state. On a non-blocking socket they never block, and skipping
// entersyscall/exitsyscall keeps the scheduler from handing the P to
// another thread in the middle of a batch — with one P per core, those
// hand-offs (thread wake-ups and context switches) were the main source
// of tail latency under many small requests.
type sockIO struct {
	rc syscall.RawConn
	nc net.Conn

	// Read and Write hand their arguments and results to the callbacks
	// through these fields, and the callbacks are bound once, so that a
	// call allocates nothing. Reads come from one goroutine at a time
	// (the conn's), writes under the conn's writeMu.
	rp      []byte
	rn      int
	rerr    error
	wp      []byte
	wn      int
	werr    error
	readFn  func(uintptr) bool
	writeFn func(uintptr) bool
}

// newSockIO returns raw I/O for nc, or nil when nc has no file descriptor
// (a TLS or in-memory connection), which then uses nc itself.
func newSockIO(nc net.Conn) *sockIO {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &sockIO{rc: rc, nc: nc}
	s.readFn, s.writeFn = s.doRead, s.doWrite
	return s
}

func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	return int(r), e
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	return int(r), e
}

// Read implements io.Reader.
func (s *sockIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.rp, s.rn, s.rerr = p, 0, nil
	err := s.rc.Read(s.readFn)
	s.rp = nil
	if err != nil {
		return 0, err
	}
	return s.rn, s.rerr
}

func (s *sockIO) doRead(fd uintptr) bool {
	n, again, err := readOnce(fd, s.rp)
	if again {
		return false // wait for readability
	}
	s.rn, s.rerr = n, err
	return true
}

// readOnce reads once from fd, retrying on EINTR: n bytes, io.EOF, again
// (EAGAIN: nothing to read now), or another error.
func readOnce(fd uintptr, p []byte) (n int, again bool, err error) {
	for {
		r, e := rawRead(fd, p)
		switch e {
		case 0:
			if r == 0 {
				return 0, false, io.EOF
			}
			return r, false, nil
		case syscall.EINTR:
		case syscall.EAGAIN:
			return 0, true, nil
		default:
			return 0, false, &net.OpError{Op: "read", Net: "tcp", Err: e}
		}
	}
}

// writeSome writes p[n:] to fd until all of p is written, the socket is
// full (again) or an error occurs, and returns the new n.
func writeSome(fd uintptr, p []byte, n int) (int, bool, error) {
	for n < len(p) {
		r, e := rawWrite(fd, p[n:])
		switch e {
		case 0:
			n += r
		case syscall.EINTR:
		case syscall.EAGAIN:
			return n, true, nil
		default:
			return n, false, &net.OpError{Op: "write", Net: "tcp", Err: e}
		}
	}
	return n, false, nil
}

// Write implements io.Writer: it writes all of p unless an error occurs.
func (s *sockIO) Write(p []byte) (int, error) {
	s.wp, s.wn, s.werr = p, 0, nil
	err := s.rc.Write(s.writeFn)
	n, werr := s.wn, s.werr
	s.wp = nil
	if err != nil {
		return n, err
	}
	return n, werr
}

func (s *sockIO) doWrite(fd uintptr) bool {
	n, again, err := writeSome(fd, s.wp, s.wn)
	s.wn = n
	if again {
		return false // wait for writability
	}
	s.werr = err
	return true
}
