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
	return &sockIO{rc: rc, nc: nc}
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
	var n int
	var rerr error
	err := s.rc.Read(func(fd uintptr) bool {
		for {
			r, e := rawRead(fd, p)
			switch e {
			case 0:
				if r == 0 {
					rerr = io.EOF
				}
				n = r
				return true
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait for readability
			default:
				rerr = &net.OpError{Op: "read", Net: "tcp", Err: e}
				return true
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return n, rerr
}

// Write implements io.Writer: it writes all of p unless an error occurs.
func (s *sockIO) Write(p []byte) (int, error) {
	n := 0
	var werr error
	err := s.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			r, e := rawWrite(fd, p[n:])
			switch e {
			case 0:
				n += r
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait for writability
			default:
				werr = &net.OpError{Op: "write", Net: "tcp", Err: e}
				return true
			}
		}
		return true
	})
	if err != nil {
		return n, err
	}
	return n, werr
}
