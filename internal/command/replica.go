package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Replication, replica side (Redis's replicaof + syncWithMaster +
// readSyncBulkPayload): a goroutine per link connects to the master,
// handshakes, loads the snapshot or continues from the backlog, then
// applies the stream as the master client and proxies it verbatim to this
// server's own backlog and replicas (chaining).

// Link states (ROLE's names).
const (
	linkConnect int32 = iota
	linkConnecting
	linkSync
	linkConnected
)

type masterLink struct {
	e    *Engine
	host string
	port int

	up        atomic.Bool
	syncing   atomic.Bool
	state     atomic.Int32
	offset    atomic.Int64 // offset of the stream applied so far
	lastIO    atomic.Int64 // unix ms
	downSince atomic.Int64 // unix ms
	lastAck   time.Time    // cron goroutine
	// streamDB is the database the master's stream has selected (the
	// master client's), kept across sessions: after +CONTINUE the master
	// sends no SELECT, and a snapshot records it as repl-stream-db.
	streamDB atomic.Int32

	// The master client and the stream bytes of the command it is
	// applying, guarded by repl.mu: a command that writes feeds its bytes
	// from flushProp, while its shards are held, so a replica of ours that
	// synchronizes meanwhile gets a snapshot and an offset that agree.
	cl      *Client
	pending []byte

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when run returns

	wmu sync.Mutex
	nc  net.Conn // guarded by wmu
}

func (l *masterLink) stateName() string {
	switch l.state.Load() {
	case linkConnecting:
		return "connecting"
	case linkSync:
		return "sync"
	case linkConnected:
		return "connected"
	}
	return "connect"
}

func (l *masterLink) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// close ends the link for good.
func (l *masterLink) close() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wmu.Lock()
	if l.nc != nil {
		l.nc.Close()
	}
	l.wmu.Unlock()
}

// sendAck is REPLCONF ACK <offset> to the master.
func (l *masterLink) sendAck() {
	off := strconv.FormatInt(l.offset.Load(), 10)
	msg := appendRESPCommand(nil, [][]byte{[]byte("REPLCONF"), []byte("ACK"), []byte(off)})
	l.wmu.Lock()
	if l.nc != nil {
		_ = l.nc.SetWriteDeadline(time.Now().Add(l.timeout()))
		_, _ = l.nc.Write(msg)
	}
	l.wmu.Unlock()
}

// cron acknowledges the offset once a second while the link is up.
func (l *masterLink) cron() {
	if l.up.Load() && time.Since(l.lastAck) >= time.Second {
		l.lastAck = time.Now()
		l.sendAck()
	}
}

// replicaofCommand is REPLICAOF (SLAVEOF) host port | NO ONE.
func replicaofCommand(c *Ctx) {
	e := c.E
	if c.Is(1, "no") && c.Is(2, "one") {
		e.becomeMaster()
		c.W.OK()
		return
	}
	port, ok := parseInt(c.Argv[2])
	if !ok || port < 0 || port > 65535 {
		c.Error("ERR Invalid master port")
		return
	}
	if !e.replicaOf(string(c.Argv[1]), int(port), "user request from '"+c.C.Addr+"'") {
		c.W.Status("OK Already connected to specified master")
		return
	}
	c.W.OK()
}

// StartConfiguredReplication starts the link that the replicaof
// directive names, at start-up.
func (e *Engine) StartConfiguredReplication() {
	if e.Cfg == nil {
		return
	}
	if ro := e.Cfg.ReplicaOf.Load(); ro.Host != "" {
		e.replicaOf(ro.Host, ro.Port, "configuration")
	}
}

// replicaOf makes this server a replica of host:port (replicationSetMaster).
// It reports false when it already is.
func (e *Engine) replicaOf(host string, port int, why string) bool {
	r := &e.repl
	r.mu.Lock()
	if l := r.link; l != nil && strings.EqualFold(l.host, host) && l.port == port {
		r.mu.Unlock()
		return false
	}
	old := r.link
	l := &masterLink{e: e, host: host, port: port, stop: make(chan struct{}), done: make(chan struct{})}
	l.offset.Store(r.offset)
	l.downSince.Store(e.now().UnixMilli())
	r.link = l
	r.linked.Store(true)
	e.KS.SetReplicaExpiry(true)
	r.mu.Unlock()
	if old != nil {
		old.close()
	}
	e.Log.Notice("REPLICAOF ", host, ":", strconv.Itoa(port), " enabled (", why, ")")
	go l.run()
	return true
}

// becomeMaster is REPLICAOF NO ONE: the link ends and this server starts
// a new history, keeping the old one as replid2 so that its replicas can
// still continue partially (shiftReplicationId).
func (e *Engine) becomeMaster() {
	r := &e.repl
	r.mu.Lock()
	l := r.link
	if l == nil {
		r.mu.Unlock()
		return
	}
	r.link = nil
	r.linked.Store(false)
	e.KS.SetReplicaExpiry(false)
	r.id2 = r.id
	r.secondOffset = r.offset + 1
	r.id = newReplID()
	r.seldb = -1
	r.mu.Unlock()
	l.close()
	e.Log.Notice("MASTER MODE enabled (user request)")
}

// run keeps the link up until it is closed, reconnecting after failures.
func (l *masterLink) run() {
	defer close(l.done)
	e := l.e
	for !l.stopped() {
		l.state.Store(linkConnecting)
		err := l.session()
		l.up.Store(false)
		l.syncing.Store(false)
		l.state.Store(linkConnect)
		l.downSince.Store(e.now().UnixMilli())
		if l.stopped() {
			return
		}
		if err != nil {
			e.Log.Warning("Error condition on socket for SYNC: ", err.Error())
		}
		select {
		case <-l.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (l *masterLink) timeout() time.Duration {
	if l.e.Cfg != nil {
		return time.Duration(l.e.Cfg.ReplTimeout.Load()) * time.Second
	}
	return time.Minute
}

// session is one connection to the master: handshake, synchronization,
// then the stream until an error.
func (l *masterLink) session() error {
	e := l.e
	e.Log.Notice("Connecting to MASTER ", l.host, ":", strconv.Itoa(l.port))
	nc, err := net.DialTimeout("tcp", net.JoinHostPort(l.host, strconv.Itoa(l.port)), l.timeout())
	if err != nil {
		return err
	}
	l.wmu.Lock()
	if l.stopped() {
		l.wmu.Unlock()
		nc.Close()
		return nil
	}
	l.nc = nc
	l.wmu.Unlock()
	defer func() {
		l.wmu.Lock()
		l.nc = nil
		l.wmu.Unlock()
		nc.Close()
	}()
	e.Log.Notice("MASTER <-> REPLICA sync started")
	br := bufio.NewReaderSize(nc, 64<<10)
	send := func(args ...string) (string, error) {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		_ = nc.SetDeadline(time.Now().Add(l.timeout()))
		if _, err := nc.Write(appendRESPCommand(nil, argv)); err != nil {
			return "", err
		}
		return readLine(br)
	}
	reply, err := send("PING")
	if err != nil {
		return err
	}
	if strings.HasPrefix(reply, "-") && !strings.HasPrefix(reply, "-NOAUTH") && !strings.HasPrefix(reply, "-NOPERM") &&
		!strings.HasPrefix(reply, "-ERR operation not permitted") {
		return errors.New("error reply to PING from master: '" + reply + "'")
	}
	if e.Cfg != nil {
		if pass := e.Cfg.MasterAuth.Load(); pass != "" {
			args := []string{"AUTH", pass}
			if user := e.Cfg.MasterUser.Load(); user != "" {
				args = []string{"AUTH", user, pass}
			}
			if reply, err = send(args...); err != nil {
				return err
			}
			if strings.HasPrefix(reply, "-") {
				return errors.New("unable to AUTH to MASTER: " + reply)
			}
		}
	}
	port := 6379
	if e.Cfg != nil {
		port = int(e.Cfg.Port.Load())
		if ap := e.Cfg.ReplicaAnnouncePort.Load(); ap != 0 {
			port = int(ap)
		}
	}
	if _, err = send("REPLCONF", "listening-port", strconv.Itoa(port)); err != nil {
		return err
	}
	if _, err = send("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return err
	}
	r := &e.repl
	r.mu.Lock()
	id, off := r.id, r.offset+1
	r.mu.Unlock()
	l.state.Store(linkSync)
	l.syncing.Store(true)
	reply, err = send("PSYNC", id, strconv.FormatInt(off, 10))
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(reply, "+FULLRESYNC"):
		f := strings.Fields(reply)
		if len(f) < 3 {
			return errors.New("bad FULLRESYNC reply: " + reply)
		}
		moff, perr := strconv.ParseInt(f[2], 10, 64)
		if perr != nil {
			return errors.New("bad FULLRESYNC offset: " + reply)
		}
		e.Log.Notice("Full resync from master: ", f[1], ":", f[2])
		if err := l.fullSync(br, nc, f[1], moff); err != nil {
			return err
		}
	case strings.HasPrefix(reply, "+CONTINUE"):
		e.Log.Notice("Successful partial resynchronization with master.")
		if f := strings.Fields(reply); len(f) > 1 && f[1] != id {
			r.mu.Lock()
			r.id2, r.secondOffset, r.id = r.id, r.offset+1, f[1]
			r.mu.Unlock()
		}
	default:
		return errors.New("unexpected reply to PSYNC from master: " + reply)
	}
	l.syncing.Store(false)
	l.up.Store(true)
	l.state.Store(linkConnected)
	l.lastIO.Store(time.Now().UnixMilli())
	e.Log.Notice("MASTER <-> REPLICA sync: Finished with success")
	l.sendAck()
	return l.stream(br, nc)
}

// readLine reads one reply line, skipping the empty lines a master sends
// as keep-alives while it prepares the snapshot.
func readLine(br *bufio.Reader) (string, error) {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		if line != "" {
			return line, nil
		}
	}
}

// fullSync reads the snapshot (a sized bulk or an EOF-marked stream) and
// replaces the dataset with it.
func (l *masterLink) fullSync(br *bufio.Reader, nc net.Conn, id string, off int64) error {
	e := l.e
	_ = nc.SetDeadline(time.Time{})
	head, err := readLine(br)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(head, "$") {
		return errors.New("bad protocol from MASTER, the first byte is not '$': " + head)
	}
	var payload []byte
	if mark, ok := strings.CutPrefix(head, "$EOF:"); ok {
		if len(mark) != 40 {
			return errors.New("bad EOF mark from MASTER")
		}
		payload, err = readUntilMark(br, nc, []byte(mark), l.timeout())
	} else {
		n, perr := strconv.ParseInt(head[1:], 10, 64)
		if perr != nil || n < 0 {
			return errors.New("bad bulk length from MASTER: " + head)
		}
		e.Log.Notice("MASTER <-> REPLICA sync: receiving ", strconv.FormatInt(n, 10), " bytes from master to disk")
		// Read as it arrives (no allocation of a length the peer claims),
		// with a deadline renewed per chunk.
		payload, err = readBulk(br, nc, n, l.timeout())
	}
	if err != nil {
		return err
	}
	if l.stopped() {
		return nil
	}
	e.Log.Notice("MASTER <-> REPLICA sync: Flushing old data")
	e.Log.Notice("MASTER <-> REPLICA sync: Loading DB in memory")
	streamDB, err := e.loadFromMaster(payload)
	r := &e.repl
	if err != nil {
		// The data is gone and half loaded: this history cannot be
		// continued from (Redis discards its cached master).
		r.mu.Lock()
		r.id, r.offset = newReplID(), 0
		r.mu.Unlock()
		return fmt.Errorf("cannot load the snapshot from the master: %w", err)
	}
	l.streamDB.Store(int32(streamDB))
	r.mu.Lock()
	if r.link != l {
		r.mu.Unlock()
		return nil // REPLICAOF changed while loading
	}
	r.id, r.offset = id, off
	r.id2, r.secondOffset = strings.Repeat("0", 40), -1
	r.backlog = backlog{}
	r.createBacklogLocked(e.backlogSize())
	// Our replicas have a history that is no longer ours: they resync.
	subs := r.replicas
	r.replicas = nil
	for _, ri := range subs {
		close(ri.quit)
		ri.out = nil
	}
	r.mu.Unlock()
	l.offset.Store(off)
	for _, ri := range subs {
		ri.cl.Conn.Close()
	}
	if e.aof.on.Load() {
		// The AOF must describe the new dataset (restartAOFAfterSYNC).
		if err := e.rewriteAOF(false); err != nil {
			e.Log.Warning("Failed restarting the AOF after a sync: ", err.Error())
		}
	}
	return nil
}

// readUntilMark reads a diskless payload up to its 40-byte end mark.
func readUntilMark(br *bufio.Reader, nc net.Conn, mark []byte, timeout time.Duration) ([]byte, error) {
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		_ = nc.SetReadDeadline(time.Now().Add(timeout))
		n, err := br.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) >= len(mark) && string(buf[len(buf)-len(mark):]) == string(mark) {
			return buf[:len(buf)-len(mark)], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// linkConn is the master client's Conn: it has no socket of its own to
// answer on (a master gets no replies).
type linkConn struct{ l *masterLink }

func (linkConn) Push([]byte)     {}
func (linkConn) PushBulk([]byte) {}
func (c linkConn) Close() {
	c.l.wmu.Lock()
	if c.l.nc != nil {
		c.l.nc.Close()
	}
	c.l.wmu.Unlock()
}
func (linkConn) Buffers() (qbuf, qbufFree, obl, oll, omem int) { return 0, 0, 0, 0, 0 }
func (linkConn) LongRunning()                                  {}
func (linkConn) WatchDisconnect() (<-chan struct{}, func())    { return nil, func() {} }

// stream applies the master's commands as the master client.
func (l *masterLink) stream(br *bufio.Reader, nc net.Conn) error {
	e := l.e
	cl := e.Clients.New(linkConn{l}, nc.RemoteAddr().String(), nc.LocalAddr().String(), -1, e.Now())
	cl.SetFlag(FlagMaster, true)
	cl.Authenticated = true
	if db := int(l.streamDB.Load()); db >= 0 && db < e.KS.NumDBs() {
		cl.SelectDB(db)
	}
	r := &e.repl
	r.mu.Lock()
	l.cl = cl
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		l.cl, l.pending = nil, nil
		r.mu.Unlock()
		e.EndBatch(cl) // a batch cut short
		e.Disconnect(cl)
		e.Clients.Remove(cl)
	}()
	_ = nc.SetWriteDeadline(time.Time{}) // acks set their own
	rd := resp.NewReader()
	var w resp.Writer
	var raw []byte
	for {
		_ = nc.SetReadDeadline(time.Now().Add(l.timeout()))
		n, err := rd.Fill(br)
		if n > 0 {
			l.lastIO.Store(time.Now().UnixMilli())
			e.Stats.NetInput.Add(int64(n))
			e.RefreshClock()
			e.BeginBatch(cl)
			for {
				argv, perr := rd.Next()
				if perr == resp.ErrIncomplete {
					break
				}
				if perr != nil {
					return fmt.Errorf("protocol error from master: %w", perr)
				}
				if len(argv) == 0 {
					continue
				}
				if l.stopped() {
					return nil // REPLICAOF changed: apply nothing more of this master
				}
				raw = append(raw, rd.LastRaw()...) // the master's bytes, verbatim
				inMulti := cl.multi != nil && !bytesEqualFold(argv[0], "exec") && !bytesEqualFold(argv[0], "discard")
				if !inMulti {
					r.mu.Lock()
					l.pending = raw
					r.mu.Unlock()
				}
				w.Reset()
				e.Exec(cl, argv, &w)
				l.streamDB.Store(int32(cl.DB))
				if cl.multi != nil {
					// Inside a transaction the offset does not move (Redis
					// keeps reploff while CLIENT_MULTI is set): a link lost
					// mid-transaction resumes from its MULTI. The bytes
					// wait for EXEC.
					r.mu.Lock()
					l.pending = nil
					r.mu.Unlock()
					continue
				}
				r.mu.Lock()
				if r.link == l && l.pending != nil {
					r.feedLocked(l.pending) // not fed by flushProp: nothing was written
				}
				l.pending = nil
				if r.link == l {
					l.offset.Store(r.offset)
				}
				r.mu.Unlock()
				raw = raw[:0]
			}
			e.EndBatch(cl)
		}
		if err != nil {
			if l.stopped() {
				return nil
			}
			return err
		}
	}
}

// StopReplication ends the link to the master, if any, and the clients
// waiting in WAIT (server shutdown).
func (e *Engine) StopReplication() {
	r := &e.repl
	r.stopOnce.Do(func() { close(r.stopping) })
	r.mu.Lock()
	l := r.link
	r.link = nil
	r.linked.Store(false)
	r.mu.Unlock()
	if l != nil {
		l.close()
		select { // let an apply in progress finish before the engine goes
		case <-l.done:
		case <-time.After(2 * time.Second):
		}
	}
}

// readBulk reads exactly n bytes, growing the buffer as data arrives.
func readBulk(br *bufio.Reader, nc net.Conn, n int64, timeout time.Duration) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	chunk := make([]byte, 64<<10)
	for int64(len(buf)) < n {
		_ = nc.SetReadDeadline(time.Now().Add(timeout))
		want := min(int64(len(chunk)), n-int64(len(buf)))
		m, err := br.Read(chunk[:want])
		buf = append(buf, chunk[:m]...)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}
