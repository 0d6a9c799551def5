package command

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/rdb"
)

// MIGRATE (cluster.c migrateCommand): the keys are DUMPed, sent to the
// target as RESTORE commands over a cached connection, and deleted here
// once the target acknowledged them (unless COPY).

// MIGRATE errors (cluster.c migrateCommand, migrateGetSocket).
const (
	ErrMigrateKeysArg    = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
	ErrMigrateConnect    = "IOERR error or timeout connecting to the client"
	ErrMigrateWriting    = "IOERR error or timeout writing to target instance"
	ErrMigrateReading    = "IOERR error or timeout reading to target instance"
	migrateTargetErrText = "ERR Target instance replied with error: "
)

// Socket cache limits (MIGRATE_SOCKET_CACHE_ITEMS, MIGRATE_SOCKET_CACHE_TTL).
const (
	migrateCacheItems = 64
	migrateCacheTTL   = 10 * time.Second
	// migrateChunk is the size of the writes to the target.
	migrateChunk = 64 << 10
	// migrateMaxLine is the most of a reply line kept (Redis reads the
	// replies into 1024-byte buffers).
	migrateMaxLine = 1023
)

// migrateCommands returns MIGRATE. Its socket cache lives in the handler's
// closure: one per engine.
func migrateCommands() []*Spec {
	m := newMigrateSockets(migrateCacheTTL)
	return []*Spec{{Name: "migrate", Handler: m.migrateCommand}}
}

// migrateSockets is the cache of connections to MIGRATE targets, by
// "host:port" (Redis's server.migrate_cached_sockets). A cached
// connection idle for ttl is closed.
type migrateSockets struct {
	ttl   time.Duration
	mu    sync.Mutex
	conns map[string]*migrateSocket // guarded by mu
}

// migrateSocket is one cached connection. A MIGRATE holds use for as long
// as it talks to the target, so concurrent migrations to one target take
// turns.
type migrateSocket struct {
	use    sync.Mutex
	name   string
	conn   net.Conn
	r      *bufio.Reader
	idle   *time.Timer // closes the socket after ttl without use
	lastDB int64       // guarded by use; -1 forces a SELECT
	closed bool        // guarded by use
	cached bool        // in conns (false: a concurrent dial won the slot)
}

func newMigrateSockets(ttl time.Duration) *migrateSockets {
	return &migrateSockets{ttl: ttl, conns: map[string]*migrateSocket{}}
}

// Len returns the number of cached connections (INFO
// migrate_cached_sockets).
func (m *migrateSockets) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.conns)
}

// get returns the cached connection to host:port, or dials one within
// timeout (migrateGetSocket). The socket is returned locked: release it
// with put.
func (m *migrateSockets) get(host, port []byte, timeout time.Duration) (*migrateSocket, error) {
	name := string(host) + ":" + string(port)
	for {
		m.mu.Lock()
		s := m.conns[name]
		m.mu.Unlock()
		if s == nil {
			break
		}
		s.use.Lock()
		if !s.closed {
			if s.idle != nil {
				s.idle.Stop()
			}
			return s, nil
		}
		s.use.Unlock() // closed while we waited for it: look again
	}
	// Redis parses the port with atoi: garbage is port 0.
	addr := net.JoinHostPort(string(host), strconv.Itoa(atoiPrefix(port)))
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	s := &migrateSocket{name: name, conn: conn, r: bufio.NewReaderSize(conn, 1024), lastDB: -1}
	s.use.Lock()
	m.mu.Lock()
	if m.conns[name] == nil {
		if len(m.conns) >= migrateCacheItems {
			m.evictLocked()
		}
		m.conns[name] = s
		s.cached = true
	}
	m.mu.Unlock()
	return s, nil
}

// evictLocked closes one idle cached connection, as Redis drops a random
// one when the cache is full. Busy ones are left alone.
func (m *migrateSockets) evictLocked() {
	for name, s := range m.conns { // map order: arbitrary
		if !s.use.TryLock() {
			continue
		}
		delete(m.conns, name)
		s.shut()
		s.use.Unlock()
		return
	}
}

// put releases a socket taken by get and starts its idle timer.
func (m *migrateSockets) put(s *migrateSocket) {
	if !s.closed && !s.cached {
		s.shut() // not in the cache: nobody would close it
	}
	if !s.closed {
		if s.idle == nil {
			s.idle = time.AfterFunc(m.ttl, func() { m.expire(s) })
		} else {
			s.idle.Reset(m.ttl)
		}
	}
	s.use.Unlock()
}

// expire closes s if it is still cached and idle
// (migrateCloseTimedoutSockets).
func (m *migrateSockets) expire(s *migrateSocket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conns[s.name] != s || !s.use.TryLock() {
		return // replaced, or in use again
	}
	delete(m.conns, s.name)
	s.shut()
	s.use.Unlock()
}

// drop closes a socket that failed, so that the next MIGRATE dials anew
// (migrateCloseSocket). s.use must be held.
func (m *migrateSockets) drop(s *migrateSocket) {
	if s.closed {
		return
	}
	m.mu.Lock()
	if m.conns[s.name] == s {
		delete(m.conns, s.name)
	}
	m.mu.Unlock()
	s.shut()
}

// shut closes the connection. s.use must be held.
func (s *migrateSocket) shut() {
	if s.idle != nil {
		s.idle.Stop()
	}
	_ = s.conn.Close()
	s.closed = true
}

// write sends b in chunks, each within timeout (connSyncWrite).
func (s *migrateSocket) write(b []byte, timeout time.Duration) error {
	for len(b) > 0 {
		n := min(len(b), migrateChunk)
		if err := s.conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
		w, err := s.conn.Write(b[:n])
		if err != nil {
			return err
		}
		b = b[w:]
	}
	return nil
}

// readLine reads one reply line within timeout, without its CRLF, keeping
// at most migrateMaxLine bytes (connSyncReadLine).
func (s *migrateSocket) readLine(dst []byte, timeout time.Duration) ([]byte, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return dst, err
	}
	dst = dst[:0]
	for {
		chunk, err := s.r.ReadSlice('\n')
		if room := migrateMaxLine - len(dst); room > 0 {
			dst = append(dst, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return dst, err
		}
		break
	}
	dst = bytes.TrimSuffix(dst, []byte("\n"))
	dst = bytes.TrimSuffix(dst, []byte("\r"))
	return dst, nil
}

// atoiPrefix is C's atoi: the leading decimal digits, 0 if none.
func atoiPrefix(b []byte) int {
	i, neg := 0, false
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && n < 1<<20; i++ {
		n = n*10 + int(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// migrateKey is a key MIGRATE sends: its name and RESTORE's arguments.
type migrateKey struct {
	name    []byte
	ttl     int64 // ms, 0: none
	payload []byte
}

// migrateCommand is MIGRATE host port key|"" destination-db timeout [COPY]
// [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key ...].
func (m *migrateSockets) migrateCommand(c *Ctx) {
	copyKeys, replace := false, false
	var username, password []byte
	firstKey, numKeys := 3, 1
	for j := 6; j < len(c.Argv); j++ {
		more := len(c.Argv) - 1 - j
		switch {
		case c.Is(j, "copy"):
			copyKeys = true
		case c.Is(j, "replace"):
			replace = true
		case c.Is(j, "auth"):
			if more < 1 {
				c.Error(ErrSyntax)
				return
			}
			j++
			password = c.Argv[j]
			c.redact(j)
		case c.Is(j, "auth2"):
			if more < 2 {
				c.Error(ErrSyntax)
				return
			}
			username, password = c.Argv[j+1], c.Argv[j+2]
			c.redact(j + 1)
			c.redact(j + 2)
			j += 2
		case c.Is(j, "keys"):
			if len(c.Argv[3]) != 0 {
				c.Error(ErrMigrateKeysArg)
				return
			}
			firstKey, numKeys = j+1, len(c.Argv)-j-1
			j = len(c.Argv) // the remaining arguments are keys
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	timeoutMs, ok := parseInt(c.Argv[5])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	dbid, ok := parseInt(c.Argv[4])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if timeoutMs <= 0 {
		timeoutMs = 1000
	}
	timeoutMs = min(timeoutMs, int64(math.MaxInt64/time.Millisecond))
	timeout := time.Duration(timeoutMs) * time.Millisecond

	// Serialize the keys that exist; none at all is NOKEY, not an error:
	// the key may just have expired meanwhile.
	w, _ := c.E.dumpEncoders.Get().(*rdb.Encoder)
	if w == nil {
		w = new(rdb.Encoder)
	}
	keys := make([]migrateKey, 0, numKeys)
	now := c.Now()
	for j := firstKey; j < firstKey+numKeys; j++ {
		e, found := lookupKeyRead(c, c.Argv[j])
		if !found {
			continue
		}
		var ttl int64
		if e.ExpireAt != 0 {
			ttl = e.ExpireAt - now
			if ttl < 0 {
				continue
			}
			ttl = max(ttl, 1)
		}
		// Serialized at once: a later lookup's lazy expiry is a write,
		// after which e's bytes may be gone.
		payload, err := w.AppendDump(nil, e)
		if err != nil {
			c.E.dumpEncoders.Put(w)
			c.Error("ERR DUMP is not supported for this key type")
			return
		}
		keys = append(keys, migrateKey{name: c.Argv[j], ttl: ttl, payload: payload})
	}
	c.E.dumpEncoders.Put(w)
	if len(keys) == 0 {
		c.W.Status("NOKEY")
		return
	}

	// The RESTOREs, the same for a retry.
	var body []byte
	for _, k := range keys {
		argv := [][]byte{[]byte("RESTORE"), k.name, strconv.AppendInt(nil, k.ttl, 10), k.payload, []byte("REPLACE")}
		if !replace {
			argv = argv[:4]
		}
		body = appendRESPCommand(body, argv)
	}
	if c.C != nil && c.C.Conn != nil {
		c.C.Conn.LongRunning() // network I/O: off the shared event loop
	}
	m.migrate(c, keys, body, dbid, username, password, timeout, copyKeys)
}

// migrate talks to the target: it sends AUTH, SELECT and the RESTOREs,
// reads the replies, deletes the acknowledged keys (unless copyKeys) and
// replies. A socket error before any reply was read is retried once on a
// fresh connection (a cached one may have been closed by the target),
// except after a timeout.
func (m *migrateSockets) migrate(c *Ctx, keys []migrateKey, body []byte, dbid int64, username, password []byte, timeout time.Duration, copyKeys bool) {
	host, port := c.Argv[1], c.Argv[2]
	var deleted [][]byte
	var line []byte
	mayRetry := true
	for {
		s, err := m.get(host, port, timeout)
		if err != nil {
			// Redis's blocking connect only fails when the address does
			// not resolve; a refused or timed out connection shows as a
			// failed write, retried once unless it timed out.
			var dnsErr *net.DNSError
			var addrErr *net.AddrError
			switch {
			case errors.As(err, &dnsErr) || errors.As(err, &addrErr):
				c.Error(ErrMigrateConnect)
			case mayRetry && !isTimeout(err):
				mayRetry = false
				continue
			default:
				c.Error(ErrMigrateWriting)
			}
			return
		}
		var head []byte
		if password != nil {
			if username != nil {
				head = appendRESPCommand(head, [][]byte{[]byte("AUTH"), username, password})
			} else {
				head = appendRESPCommand(head, [][]byte{[]byte("AUTH"), password})
			}
		}
		sel := s.lastDB != dbid
		if sel {
			head = appendRESPCommand(head, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, dbid, 10)})
		}
		writeErr := s.write(head, timeout)
		if writeErr == nil {
			writeErr = s.write(body, timeout)
		}
		var authReply, selReply []byte
		var readErr error
		if writeErr == nil && password != nil {
			line, readErr = s.readLine(line, timeout)
			authReply = append(authReply, line...)
		}
		if writeErr == nil && readErr == nil && sel {
			line, readErr = s.readLine(line, timeout)
			selReply = append(selReply, line...)
		}
		if writeErr != nil || readErr != nil {
			err := writeErr
			if err == nil {
				err = readErr
			}
			m.drop(s)
			m.put(s)
			if mayRetry && !isTimeout(err) {
				mayRetry = false
				continue
			}
			if writeErr != nil {
				c.Error(ErrMigrateWriting)
			} else {
				c.Error(ErrMigrateReading)
			}
			return
		}

		targetErr, socketErr := false, error(nil)
		j := 0
		for ; j < len(keys); j++ {
			line, socketErr = s.readLine(line, timeout)
			if socketErr != nil {
				break
			}
			var errLine []byte
			switch {
			case password != nil && isErrorLine(authReply):
				errLine = authReply
			case sel && isErrorLine(selReply):
				errLine = selReply
			case isErrorLine(line):
				errLine = line
			}
			if errLine != nil {
				if !targetErr {
					// The target's database is unknown after an error.
					s.lastDB = -1
					targetErr = true
					c.Error(migrateTargetErrText + string(errLine[1:]))
				}
				continue
			}
			if !copyKeys {
				k := keys[j].name
				c.DB.Delete(k)
				c.Modified(k)
				c.Notify('g', "del", k)
				deleted = append(deleted, k)
			}
		}
		if !targetErr && socketErr != nil && j == 0 && mayRetry && !isTimeout(socketErr) {
			// Nothing was processed: retry on a new connection.
			m.drop(s)
			m.put(s)
			mayRetry = false
			continue
		}
		if socketErr != nil {
			m.drop(s)
		}
		if len(deleted) > 0 {
			// Replicas and the AOF see the moved keys deleted.
			c.Rewrite(append([][]byte{[]byte("DEL")}, deleted...)...)
		}
		switch {
		case targetErr:
		case socketErr != nil:
			c.Error(ErrMigrateReading)
		default:
			s.lastDB = dbid
			c.W.OK()
		}
		m.put(s)
		return
	}
}

func isErrorLine(b []byte) bool { return len(b) > 0 && b[0] == '-' }

// isTimeout reports whether err is a deadline expiring (Redis's ETIMEDOUT,
// after which MIGRATE does not retry).
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
