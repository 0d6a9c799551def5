package command

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
)

// Replication, master side (Redis's replication.c): a backlog of the
// stream, the attached replicas, SYNC/PSYNC/REPLCONF, WAIT, ROLE.
//
// The stream is fed under repl.mu by flushProp/propagateNow (each while
// the writing unit still holds its shards) and by the replica link, which
// proxies its master's stream verbatim. Lock order: shards -> repl.mu ->
// conn.pushMu (Conn.Push).

type replState struct {
	active atomic.Bool // a backlog exists: writes are propagated
	linked atomic.Bool // this server is a replica (link != nil)

	// INFO stats.
	syncFull, syncPartialOK, syncPartialErr atomic.Int64

	mu           sync.Mutex
	id, id2      string // master_replid, master_replid2
	offset       int64  // master_repl_offset
	secondOffset int64  // second_repl_offset, -1 if none
	backlog      backlog
	replicas     []*replicaInfo
	seldb        int    // database the stream last selected, -1 to force a SELECT
	scratch      []byte // propagateNow's encoding
	selBuf       []byte // a SELECT's encoding
	lastPing     time.Time

	acked chan struct{} // closed and replaced when a replica acknowledges (WAIT)

	stopping chan struct{} // closed when the server shuts down (WAIT returns)
	stopOnce sync.Once

	link *masterLink // non-nil while this server is a replica
}

// backlog is the circular buffer of the latest stream bytes (repl_backlog).
type backlog struct {
	buf     []byte
	idx     int   // next write position
	histlen int64 // valid bytes
	off     int64 // replication offset of the first valid byte
}

func (b *backlog) write(p []byte, endOffset int64) {
	size := len(b.buf)
	for len(p) > 0 {
		n := copy(b.buf[b.idx:], p)
		b.idx = (b.idx + n) % size
		p = p[n:]
		b.histlen += int64(n)
	}
	if b.histlen > int64(size) {
		b.histlen = int64(size)
	}
	b.off = endOffset - b.histlen + 1
}

// since returns the backlog's bytes from replication offset off on.
func (b *backlog) since(off int64) []byte {
	skip := off - b.off
	n := b.histlen - skip
	out := make([]byte, 0, n)
	size := int64(len(b.buf))
	start := (int64(b.idx) - b.histlen + skip + size*2) % size
	for n > 0 {
		chunk := min(n, size-start)
		out = append(out, b.buf[start:start+chunk]...)
		n -= chunk
		start = 0
	}
	return out
}

// replicaInfo is an attached replica (Redis's slave client fields).
type replicaInfo struct {
	cl         *Client
	listenPort int
	ackOff     atomic.Int64
	ackTime    atomic.Int64 // unix ms of the last REPLCONF ACK
	attachOff  int64

	out  []byte        // stream bytes not yet given to the connection, guarded by repl.mu
	wake chan struct{} // out became non-empty
	quit chan struct{} // the replica is detached
}

// replConf is what a client said in REPLCONF before becoming a replica.
type replConf struct {
	listenPort int
	capaEOF    bool
	capaPsync2 bool
}

func newReplID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (r *replState) init() {
	r.id = newReplID()
	r.id2 = strings.Repeat("0", 40)
	r.secondOffset = -1
	r.seldb = -1
	r.acked = make(chan struct{})
	r.stopping = make(chan struct{})
}

func (r *replState) isReplicaLocked() bool { return r.link != nil }

// createBacklogLocked starts keeping the stream (createReplicationBacklog).
func (r *replState) createBacklogLocked(size int64) {
	if r.backlog.buf != nil {
		return
	}
	r.backlog = backlog{buf: make([]byte, size), off: r.offset + 1}
	r.active.Store(true)
}

// feedLocked appends raw stream bytes to the backlog and every replica.
func (r *replState) feedLocked(b []byte) {
	if r.backlog.buf == nil {
		return
	}
	r.offset += int64(len(b))
	r.backlog.write(b, r.offset)
	for _, ri := range r.replicas {
		// Batched: the replica's sender takes everything queued since its
		// last round with one Push, instead of a Push per command.
		if len(ri.out) == 0 {
			select {
			case ri.wake <- struct{}{}:
			default:
			}
		}
		ri.out = append(ri.out, b...)
	}
}

// sendLoop moves a replica's queued stream bytes to its connection (the
// output-buffer limit applies there) until the replica is detached.
func (r *replState) sendLoop(ri *replicaInfo) {
	var spare []byte
	for {
		select {
		case <-ri.wake:
		case <-ri.quit:
			return
		}
		r.mu.Lock()
		data := ri.out
		ri.out = spare[:0]
		r.mu.Unlock()
		if len(data) > 0 {
			ri.cl.Conn.Push(data)
		}
		if cap(data) <= 1<<20 {
			spare = data[:0]
		} else {
			spare = nil
		}
	}
}

// feedCmdLocked feeds one encoded command for database db, selecting it
// first when the stream is elsewhere.
func (r *replState) feedCmdLocked(db int, cmd []byte) {
	if db != r.seldb {
		r.selBuf = appendRESPCommand(r.selBuf[:0], [][]byte{[]byte("SELECT"), itoa(int64(db))})
		r.feedLocked(r.selBuf)
		r.seldb = db
	}
	r.feedLocked(cmd)
}

// backlogSize is repl-backlog-size, at least 16 KB as Redis enforces
// (CONFIG_REPL_BACKLOG_MIN_SIZE).
func (e *Engine) backlogSize() int64 {
	if e.Cfg != nil {
		return max(e.Cfg.ReplBacklogSize.Load(), 16<<10)
	}
	return 1 << 20
}

// resizeBacklog is CONFIG SET repl-backlog-size: the newest history that
// fits is kept (resizeReplicationBacklog).
func (e *Engine) resizeBacklog() error {
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	size := e.backlogSize()
	if r.backlog.buf == nil || int64(len(r.backlog.buf)) == size {
		return nil
	}
	keep := min(r.backlog.histlen, size)
	tail := r.backlog.since(r.offset - keep + 1)
	r.backlog = backlog{buf: make([]byte, size), off: r.offset + 1}
	if len(tail) > 0 {
		r.backlog.write(tail, r.offset)
	}
	return nil
}

// replconfCommand is REPLCONF: the options a replica announces before
// PSYNC, and ACK/GETACK once it is attached.
func replconfCommand(c *Ctx) {
	if len(c.Argv)%2 == 0 {
		c.Error(ErrSyntax)
		return
	}
	cl := c.C
	for i := 1; i < len(c.Argv); i += 2 {
		val := c.Argv[i+1]
		switch {
		case c.Is(i, "listening-port"):
			n, ok := parseInt(val)
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			cl.replConf().listenPort = int(n)
		case c.Is(i, "ip-address"):
		case c.Is(i, "capa"):
			if bytesEqualFold(val, "eof") {
				cl.replConf().capaEOF = true
			} else if bytesEqualFold(val, "psync2") {
				cl.replConf().capaPsync2 = true
			}
		case c.Is(i, "ack"):
			// REPLCONF ACK <offset> [FACK <offset>]: no reply.
			if ri := cl.replica; ri != nil {
				if n, ok := parseInt(val); ok && n > ri.ackOff.Load() {
					ri.ackOff.Store(n)
				}
				ri.ackTime.Store(c.E.now().UnixMilli())
				c.E.signalAcked()
			}
			return
		case c.Is(i, "getack"):
			if l := c.E.replLink(); l != nil {
				l.sendAck()
			}
			return
		case c.Is(i, "rdb-only"), c.Is(i, "rdb-filter-only"):
		default:
			c.Error("ERR Unrecognized REPLCONF option: " + string(c.Argv[i]))
			return
		}
	}
	c.W.OK()
}

func (cl *Client) replConf() *replConf {
	if cl.repl == nil {
		cl.repl = &replConf{}
	}
	return cl.repl
}

func (e *Engine) signalAcked() {
	r := &e.repl
	r.mu.Lock()
	close(r.acked)
	r.acked = make(chan struct{})
	r.mu.Unlock()
}

func (e *Engine) replLink() *masterLink {
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.link
}

// syncCommand is SYNC and PSYNC replid offset: a partial resynchronization
// from the backlog when it still holds the offset, otherwise a snapshot
// of the dataset followed by the stream. Every shard is held, so the
// snapshot is exactly the dataset at the stream offset it is sent with.
func syncCommand(c *Ctx) {
	cl := c.C
	e := c.E
	if cl.Flags()&FlagReplica != 0 {
		return // a replica sending SYNC again: ignore (syncCommand)
	}
	if cl.Flags()&FlagMaster != 0 {
		c.Error("ERR Replica can't sync")
		return
	}
	psync := c.Is(0, "psync")
	r := &e.repl
	r.mu.Lock()
	if r.link != nil && !r.link.up.Load() {
		r.mu.Unlock()
		c.Error("NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	conf := cl.replConf()
	if psync && e.tryPartialLocked(c, conf) {
		r.syncPartialOK.Add(1)
		r.mu.Unlock()
		return
	}
	if psync && !c.Is(1, "?") {
		r.syncPartialErr.Add(1)
	}
	r.syncFull.Add(1)
	r.createBacklogLocked(e.backlogSize())
	payload, err := e.snapshotRDB()
	if err != nil {
		r.mu.Unlock()
		c.Error("ERR cannot create the snapshot: " + err.Error())
		return
	}
	var head []byte
	if psync {
		head = append(head, "+FULLRESYNC "+r.id+" "+strconv.FormatInt(r.offset, 10)+"\r\n"...)
	}
	head = appendRESPHeader(head, '$', len(payload))
	head = append(head, payload...)
	e.attachReplicaLocked(cl, conf, head, r.offset)
	r.seldb = -1 // the replica's stream starts with a SELECT
	r.lastPing = time.Now()
	r.mu.Unlock()
	e.Log.Notice("Replica ", cl.Addr, " asks for synchronization")
	e.Log.Notice("Synchronization with replica ", cl.Addr, " succeeded")
}

// tryPartialLocked is masterTryPartialResynchronization.
func (e *Engine) tryPartialLocked(c *Ctx, conf *replConf) bool {
	r := &e.repl
	id := string(c.Argv[1])
	off, ok := parseInt(c.Argv[2])
	if !ok || r.backlog.buf == nil {
		return false
	}
	if id != r.id && !(id == r.id2 && off <= r.secondOffset) {
		return false
	}
	if off < r.backlog.off || off > r.backlog.off+r.backlog.histlen {
		return false
	}
	head := []byte("+CONTINUE\r\n")
	if conf.capaPsync2 {
		head = []byte("+CONTINUE " + r.id + "\r\n")
	}
	head = append(head, r.backlog.since(off)...)
	e.attachReplicaLocked(c.C, conf, head, off-1)
	e.Log.Notice("Partial resynchronization request from ", c.C.Addr, " accepted.")
	return true
}

// attachReplicaLocked makes cl a replica: first bytes go out, then the
// stream. Its replies are suppressed from now on, as Redis never answers
// a replica.
func (e *Engine) attachReplicaLocked(cl *Client, conf *replConf, first []byte, off int64) {
	ri := &replicaInfo{cl: cl, listenPort: conf.listenPort, attachOff: off,
		wake: make(chan struct{}, 1), quit: make(chan struct{})}
	ri.ackTime.Store(e.now().UnixMilli())
	cl.replica = ri
	cl.SetFlag(FlagReplica, true)
	cl.ReplyMode.Store(ReplyOff)
	cl.Conn.PushBulk(first)
	e.repl.replicas = append(e.repl.replicas, ri)
	go e.repl.sendLoop(ri)
}

// detachReplica forgets a departing replica.
func (e *Engine) detachReplica(cl *Client) {
	if cl.replica == nil {
		return
	}
	r := &e.repl
	r.mu.Lock()
	for i, ri := range r.replicas {
		if ri == cl.replica {
			r.replicas = append(r.replicas[:i], r.replicas[i+1:]...)
			close(ri.quit)
			ri.out = nil
			break
		}
	}
	r.mu.Unlock()
	e.Log.Notice("Connection with replica ", cl.Addr, " lost.")
}

// ReplicationCron pings the replicas every repl-ping-replica-period and
// keeps the link to the master acknowledging (replicationCron).
func (e *Engine) ReplicationCron() {
	r := &e.repl
	now := time.Now()
	r.mu.Lock()
	period := time.Duration(10) * time.Second
	if e.Cfg != nil {
		period = time.Duration(e.Cfg.ReplPingReplicaPeriod.Load()) * time.Second
	}
	if r.link == nil && len(r.replicas) > 0 && now.Sub(r.lastPing) >= period {
		r.feedLocked(respPing)
		r.lastPing = now
	}
	link := r.link
	r.mu.Unlock()
	if link != nil {
		link.cron()
	}
}

// goodReplicas counts replicas that acknowledged within
// min-replicas-max-lag seconds (refreshGoodSlavesCount).
func (e *Engine) goodReplicas() int {
	maxLag := e.Cfg.MinReplicasMaxLag.Load()
	now := e.now().UnixMilli()
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ri := range r.replicas {
		if now-ri.ackTime.Load() <= maxLag*1000 {
			n++
		}
	}
	return n
}

// writeRefusal is processCommand's replication checks for a write (or an
// EXEC holding one): READONLY on a replica, NOREPLICAS below
// min-replicas-to-write.
func (e *Engine) writeRefusal(cl *Client) string {
	if e.Cfg == nil || cl.Flags()&FlagMaster != 0 {
		return ""
	}
	if e.isReplica() {
		if e.Cfg.ReplicaReadOnly.Load() {
			return "READONLY You can't write against a read only replica."
		}
		return ""
	}
	if n := e.Cfg.MinReplicasToWrite.Load(); n > 0 && e.Cfg.MinReplicasMaxLag.Load() > 0 && int64(e.goodReplicas()) < n {
		return "NOREPLICAS Not enough good replicas to write."
	}
	return ""
}

// replCheck is processCommand's replication checks for command m: writes
// refused on a read-only replica or below min-replicas-to-write, and
// anything not flagged stale while the link to the master is down with
// replica-serve-stale-data off. EXEC is judged by what it queued.
func (e *Engine) replCheck(cl *Client, spec *Spec, m *meta.Command) string {
	write := m.FlagMask&meta.FlagWrite != 0
	denyStale := m.FlagMask&meta.FlagStale == 0
	if spec.Name == "exec" && cl.multi != nil {
		write = cl.multi.writeMeta() != nil
		denyStale = false
		for _, q := range cl.multi.queue {
			if q.spec.Meta.FlagMask&meta.FlagStale == 0 {
				denyStale = true
			}
		}
	}
	if write {
		if msg := e.writeRefusal(cl); msg != "" {
			return msg
		}
	}
	if denyStale {
		return e.staleRefusal(cl)
	}
	return ""
}

// staleRefusal is the replica-serve-stale-data check: with the link to
// the master down, only commands flagged stale run.
func (e *Engine) staleRefusal(cl *Client) string {
	if e.Cfg == nil || e.Cfg.ReplicaServeStaleData.Load() || cl.Flags()&FlagMaster != 0 {
		return ""
	}
	if l := e.replLink(); l != nil && !l.up.Load() {
		return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	}
	return ""
}

func (e *Engine) isReplica() bool {
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.link != nil
}

// waitCommand is WAIT numreplicas timeout: block until that many replicas
// acknowledged the client's last write, or the timeout (ms, 0 = forever).
func waitCommand(c *Ctx) {
	e := c.E
	if e.isReplica() {
		c.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return
	}
	want, ok := parseInt(c.Argv[1])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	timeout, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error("ERR timeout is not an integer or out of range")
		return
	}
	if timeout < 0 {
		c.Error("ERR timeout is negative")
		return
	}
	target := c.C.woff
	acked := e.replicasAcked(target)
	if int64(acked) >= want || c.InExec || c.InScript {
		c.W.Int(int64(acked))
		return
	}
	var gone <-chan struct{}
	if c.C.Conn != nil {
		c.C.Conn.LongRunning()
		g, stop := c.C.Conn.WatchDisconnect()
		defer stop()
		gone = g
	}
	// Blocked as Redis's BLOCKED_WAIT: flag b, counted in blocked_clients,
	// and CLIENT UNBLOCK ends it (TIMEOUT: the count so far; ERROR: the
	// UNBLOCKED error).
	unblock := make(chan bool, 1)
	c.C.replWait.Store(&unblock)
	c.C.SetFlag(FlagBlocked, true)
	defer func() {
		c.C.replWait.Store(nil)
		c.C.SetFlag(FlagBlocked, false)
	}()
	e.requestAcks()
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		defer t.Stop()
		deadline = t.C
	}
	for {
		r := &e.repl
		r.mu.Lock()
		ch := r.acked
		r.mu.Unlock()
		acked = e.replicasAcked(target)
		if int64(acked) >= want {
			break
		}
		select {
		case <-ch:
			continue
		case <-deadline:
		case <-r.stopping:
		case <-gone: // the client left (or CLIENT KILL): its reply goes nowhere
		case withError := <-unblock:
			if withError {
				c.Error(ErrUnblocked)
				return
			}
		case <-time.After(time.Second):
			continue
		}
		break
	}
	c.W.Int(int64(e.replicasAcked(target)))
}

func (e *Engine) replicasAcked(off int64) int {
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ri := range r.replicas {
		if ri.ackOff.Load() >= off {
			n++
		}
	}
	return n
}

// requestAcks asks every replica for its offset (REPLCONF GETACK *).
func (e *Engine) requestAcks() {
	r := &e.repl
	r.mu.Lock()
	if len(r.replicas) > 0 && r.link == nil {
		r.feedLocked([]byte("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"))
	}
	r.mu.Unlock()
}

// roleCommand is ROLE.
func roleCommand(c *Ctx) {
	e := c.E
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	w := c.W
	if l := r.link; l != nil {
		w.Array(5)
		w.BulkString("slave")
		w.BulkString(l.host)
		w.Int(int64(l.port))
		w.BulkString(l.stateName())
		w.Int(l.offset.Load())
		return
	}
	w.Array(3)
	w.BulkString("master")
	w.Int(r.offset)
	w.Array(len(r.replicas))
	for _, ri := range r.replicas {
		w.Array(3)
		w.BulkString(hostOf(ri.cl.Addr))
		w.BulkString(strconv.Itoa(ri.listenPort))
		w.BulkString(strconv.FormatInt(ri.ackOff.Load(), 10))
	}
}

func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

// infoReplication is INFO's replication section.
func infoReplication(dst []byte, e *Engine) []byte {
	r := &e.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	dst = append(dst, "# Replication\r\n"...)
	if l := r.link; l != nil {
		dst = infoField(dst, "role", "slave")
		dst = infoField(dst, "master_host", l.host)
		dst = infoInt(dst, "master_port", int64(l.port))
		up := l.up.Load()
		dst = infoField(dst, "master_link_status", map[bool]string{true: "up", false: "down"}[up])
		last := int64(-1)
		if t := l.lastIO.Load(); t > 0 {
			last = (time.Now().UnixMilli() - t) / 1000
		}
		dst = infoInt(dst, "master_last_io_seconds_ago", last)
		dst = infoInt(dst, "master_sync_in_progress", b2i(l.syncing.Load()))
		dst = infoInt(dst, "slave_read_repl_offset", l.offset.Load())
		dst = infoInt(dst, "slave_repl_offset", l.offset.Load())
		if !up {
			dst = infoInt(dst, "master_link_down_since_seconds", (time.Now().UnixMilli()-l.downSince.Load())/1000)
		}
		prio, ro := int64(100), true
		if e.Cfg != nil {
			prio, ro = e.Cfg.ReplicaPriority.Load(), e.Cfg.ReplicaReadOnly.Load()
		}
		dst = infoInt(dst, "slave_priority", prio)
		dst = infoInt(dst, "slave_read_only", b2i(ro))
		dst = infoInt(dst, "replica_announced", 1)
	} else {
		dst = infoField(dst, "role", "master")
	}
	dst = infoInt(dst, "connected_slaves", int64(len(r.replicas)))
	now := e.now().UnixMilli()
	for i, ri := range r.replicas {
		dst = append(dst, "slave"...)
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, ":ip="...)
		dst = append(dst, hostOf(ri.cl.Addr)...)
		dst = append(dst, ",port="...)
		dst = strconv.AppendInt(dst, int64(ri.listenPort), 10)
		dst = append(dst, ",state=online,offset="...)
		dst = strconv.AppendInt(dst, ri.ackOff.Load(), 10)
		dst = append(dst, ",lag="...)
		dst = strconv.AppendInt(dst, (now-ri.ackTime.Load())/1000, 10)
		dst = append(dst, "\r\n"...)
	}
	dst = infoField(dst, "master_failover_state", "no-failover")
	dst = infoField(dst, "master_replid", r.id)
	dst = infoField(dst, "master_replid2", r.id2)
	dst = infoInt(dst, "master_repl_offset", r.offset)
	dst = infoInt(dst, "second_repl_offset", r.secondOffset)
	dst = infoInt(dst, "repl_backlog_active", b2i(r.backlog.buf != nil))
	dst = infoInt(dst, "repl_backlog_size", e.backlogSize())
	dst = infoInt(dst, "repl_backlog_first_byte_offset", r.backlog.off)
	dst = infoInt(dst, "repl_backlog_histlen", r.backlog.histlen)
	return dst
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func replicationCommands() []*Spec {
	return []*Spec{
		{Name: "sync", Handler: syncCommand, Lock: LockAll},
		{Name: "psync", Handler: syncCommand, Lock: LockAll},
		{Name: "replconf", Handler: replconfCommand},
		{Name: "replicaof", Handler: replicaofCommand},
		{Name: "slaveof", Handler: replicaofCommand},
		{Name: "wait", Handler: waitCommand},
		{Name: "role", Handler: roleCommand},
	}
}
