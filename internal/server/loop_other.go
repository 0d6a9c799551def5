//go:build !linux

package server

import (
	"net"
	"syscall"
)

// Without epoll every connection has a goroutine of its own: the loop
// type exists only for the conn fields and methods that refer to it.
type loop struct{}

func (s *Server) startLoops() error { return nil }
func (s *Server) stopLoops()        {}
func (s *Server) pickLoop() *loop   { return nil }

func (s *Server) loopAccept(net.Listener, bool) bool { return false }

func (l *loop) reattach(*conn) bool      { return false }
func (l *loop) closeAttached(*conn) bool { return false }
func (l *loop) handoff(*conn)            {}

type nbReader struct{ rc syscall.RawConn }

func (r *nbReader) write([]byte) int        { return 0 }
func (r *nbReader) init(rc syscall.RawConn) { r.rc = rc }
