// Package log writes Redis-style log lines:
//
//	<pid>:<role> <day> <mon> <year> <hh:mm:ss.mmm> <level-char> <message>
//
// with level chars '.' debug, '-' verbose, '*' notice, '#' warning.
package log

import (
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Levels, as loglevel names them.
const (
	Debug int32 = iota
	Verbose
	Notice
	Warning
	Nothing
)

var levelChar = [...]byte{'.', '-', '*', '#'}

// LevelByName maps a loglevel config value to a level.
func LevelByName(s string) (int32, bool) {
	switch s {
	case "debug":
		return Debug, true
	case "verbose":
		return Verbose, true
	case "notice":
		return Notice, true
	case "warning":
		return Warning, true
	case "nothing":
		return Nothing, true
	}
	return 0, false
}

// Logger is safe for concurrent use.
type Logger struct {
	level atomic.Int32
	mu    sync.Mutex
	w     io.Writer // guarded by mu
	buf   []byte    // guarded by mu
	pid   int
	role  byte
	now   func() time.Time
}

// New returns a logger writing to w at level Notice.
func New(w io.Writer) *Logger {
	l := &Logger{w: w, pid: os.Getpid(), role: 'M', now: time.Now}
	l.level.Store(Notice)
	return l
}

// SetLevel sets the minimum level written.
func (l *Logger) SetLevel(lv int32) { l.level.Store(lv) }

// SetOutput changes the destination.
func (l *Logger) SetOutput(w io.Writer) { l.mu.Lock(); l.w = w; l.mu.Unlock() }

// Enabled reports whether lv is written.
func (l *Logger) Enabled(lv int32) bool { return l != nil && lv >= l.level.Load() }

// Logf writes one line at level lv. Arguments are strings only, so no fmt
// is needed: parts are concatenated.
func (l *Logger) Log(lv int32, parts ...string) {
	if !l.Enabled(lv) {
		return
	}
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	b = strconv.AppendInt(b, int64(l.pid), 10)
	b = append(b, ':', l.role, ' ')
	b = t.AppendFormat(b, "02 Jan 2006 15:04:05.000")
	b = append(b, ' ', levelChar[lv], ' ')
	for _, p := range parts {
		b = append(b, p...)
	}
	b = append(b, '\n')
	l.buf = b
	_, _ = l.w.Write(b)
}

// Notice, Warning, Verbose and Debug are shorthands for Log.
func (l *Logger) Notice(parts ...string)  { l.Log(Notice, parts...) }
func (l *Logger) Warning(parts ...string) { l.Log(Warning, parts...) }
func (l *Logger) Verbose(parts ...string) { l.Log(Verbose, parts...) }
func (l *Logger) Debug(parts ...string)   { l.Log(Debug, parts...) }
