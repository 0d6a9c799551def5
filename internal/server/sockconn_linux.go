//go:build linux

package server

import (
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// sockConn is the net.Conn of a socket an event loop accepted itself. The
// loop's accept4 gives the descriptor and the peer address; os.NewFile
// registers the non-blocking descriptor with the runtime's poller once,
// which is all goroutine mode needs (parked reads, deadlines, Close).
// net.FileConn would instead duplicate the descriptor and ask the kernel
// for both addresses again: with the socket options that made about 15
// system calls per connection, against Redis's 6, and under a connection
// storm (redis-benchmark -c 1000) the last clients waited for that.
type sockConn struct {
	*os.File
	laddr, raddr net.Addr
}

func (c *sockConn) LocalAddr() net.Addr  { return c.laddr }
func (c *sockConn) RemoteAddr() net.Addr { return c.raddr }

// newSockConn wraps the non-blocking socket fd accepted on ll from the
// peer sa, setting the options Redis sets on a TCP client (TCP_NODELAY,
// and keepalive as anetKeepAlive does).
func newSockConn(fd int, sa unix.Sockaddr, ll *loopListener, keepAlive int64) *sockConn {
	c := &sockConn{laddr: ll.ln.Addr(), raddr: sockaddrToTCP(sa)}
	if c.raddr == nil {
		c.raddr = &net.UnixAddr{Name: "", Net: "unix"}
	}
	if ta, ok := c.laddr.(*net.TCPAddr); ok {
		if ta.IP.IsUnspecified() {
			// A wildcard listener: the address the client reached.
			if lsa, err := unix.Getsockname(fd); err == nil {
				if a := sockaddrToTCP(lsa); a != nil {
					c.laddr = a
				}
			}
		}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if keepAlive > 0 {
			secs := int(keepAlive)
			_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs)
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, max(secs/3, 1))
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 3)
		}
	}
	c.File = os.NewFile(uintptr(fd), "")
	return c
}

// sockaddrToTCP converts an IPv4 or IPv6 socket address; nil otherwise.
func sockaddrToTCP(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		ip := make(net.IP, 4)
		copy(ip, a.Addr[:])
		return &net.TCPAddr{IP: ip, Port: a.Port}
	case *unix.SockaddrInet6:
		ip := make(net.IP, 16)
		copy(ip, a.Addr[:])
		ta := &net.TCPAddr{IP: ip, Port: a.Port}
		if a.ZoneId != 0 {
			ta.Zone = strconv.FormatUint(uint64(a.ZoneId), 10)
		}
		return ta
	}
	return nil
}
