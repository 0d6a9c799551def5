package command

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// The append-only file, Redis 7.0's multi-part layout (aof.c): in
// appenddirname, a manifest names one base file (an RDB snapshot,
// aof-use-rdb-preamble) and the incremental files of commands written
// since, in order. The commands come from the propagation stream
// (flushProp/propagateNow feed it under repl.mu, while the writing unit
// still holds its shards), so the file is a valid serial order of the
// execution. Lock order: shards -> repl.mu -> aof.mu.
//
// Each write goes to the incremental file at once (write(2), before the
// command's reply leaves); appendfsync always also fsyncs it there,
// everysec fsyncs from the cron, no leaves it to the kernel.
//
// A rewrite (BGREWRITEAOF, CONFIG SET appendonly yes, start-up) happens
// with every shard held: a new incremental file is opened and recorded in
// the manifest next to the old files, then the snapshot is taken; the
// base file is written and the manifest switched to the new base and the
// new incremental file after the locks are released, and the old files
// are deleted. A crash at any point leaves a manifest whose files hold
// every write.

type aofState struct {
	on atomic.Bool

	mu       sync.Mutex
	base     string   // base file name (in dir)
	incrs    []string // incremental files, the last one open
	seq      int
	f        *os.File
	seldb    int
	size     int64 // bytes in the current incremental file
	baseSize int64 // bytes of the base file (auto-aof-rewrite-percentage)
	pending  bool  // written since the last fsync
	lastErr  error

	rewriting     atomic.Bool
	rewrites      atomic.Int64
	lastRewriteOK atomic.Bool
	lastWriteOK   atomic.Bool
	lastFsync     atomic.Int64 // unix ms
}

func (e *Engine) aofDir() string {
	return filepath.Join(e.Cfg.Dir.Load(), e.Cfg.AppendDirname.Load())
}

func (e *Engine) aofManifestPath() string {
	return filepath.Join(e.aofDir(), e.Cfg.AppendFilename.Load()+".manifest")
}

// aofFeedLocked appends an encoded command for database db. repl.mu must
// be held.
func (e *Engine) aofFeedLocked(db int, cmd []byte) {
	a := &e.aof
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return
	}
	var buf []byte
	if db != a.seldb {
		buf = appendRESPCommand(buf, [][]byte{[]byte("SELECT"), itoa(int64(db))})
		a.seldb = db
	}
	if buf != nil {
		buf = append(buf, cmd...)
		cmd = buf
	}
	n, err := a.f.Write(cmd)
	a.size += int64(n)
	if err != nil {
		a.lastErr = err
		a.lastWriteOK.Store(false)
		e.Log.Warning("Error writing to the AOF file: ", err.Error())
		return
	}
	a.lastWriteOK.Store(true)
	if e.Cfg.AppendFsync.Load() == config.AppendfsyncAlways {
		if err := a.f.Sync(); err != nil {
			e.Log.Warning("Can't persist AOF for fsync error when the AOF fsync policy is 'always': ", err.Error())
		}
		a.lastFsync.Store(time.Now().UnixMilli())
		return
	}
	a.pending = true
}

// AOFCron fsyncs the incremental file once a second under everysec, and
// starts a rewrite when the incremental part has grown past
// auto-aof-rewrite-percentage of the base (and auto-aof-rewrite-min-size).
func (e *Engine) AOFCron() {
	a := &e.aof
	if e.Cfg == nil || !a.on.Load() {
		return
	}
	if pct := e.Cfg.AutoAOFRewritePercentage.Load(); pct > 0 && !a.rewriting.Load() {
		a.mu.Lock()
		size, base := a.size, a.baseSize
		a.mu.Unlock()
		if base+size >= e.Cfg.AutoAOFRewriteMinSize.Load() && size*100 >= max(base, 1)*pct {
			e.Log.Notice("Starting automatic rewriting of AOF on ", strconv.FormatInt(size*100/max(base, 1), 10), "% growth")
			if err := e.rewriteAOF(false); err != nil {
				e.Log.Warning("Automatic AOF rewrite failed: ", err.Error())
			}
		}
	}
	if e.Cfg.AppendFsync.Load() != config.AppendfsyncEverysec {
		return
	}
	if time.Now().UnixMilli()-a.lastFsync.Load() < 1000 {
		return
	}
	a.mu.Lock()
	f, pending := a.f, a.pending
	a.pending = false
	a.mu.Unlock()
	a.lastFsync.Store(time.Now().UnixMilli())
	if f != nil && pending {
		go f.Sync() // a concurrent write is fine; the next second covers it
	}
}

// manifest is the list of files of the AOF: one base, then incrementals.
type manifest struct {
	base  string
	incrs []string
	seq   int
}

func (m manifest) encode() []byte {
	var b strings.Builder
	if m.base != "" {
		fmt.Fprintf(&b, "file %s seq %d type b\n", m.base, seqOf(m.base))
	}
	for _, f := range m.incrs {
		fmt.Fprintf(&b, "file %s seq %d type i\n", f, seqOf(f))
	}
	return []byte(b.String())
}

// seqOf reads the sequence number of a file named prefix.<seq>.<kind>.<ext>.
func seqOf(name string) int {
	parts := strings.Split(name, ".")
	if len(parts) >= 4 {
		n, _ := strconv.Atoi(parts[len(parts)-3])
		return n
	}
	return 0
}

func readManifest(path string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		kv := map[string]string{}
		for j := 0; j+1 < len(f); j += 2 {
			kv[f[j]] = f[j+1]
		}
		name, typ := kv["file"], kv["type"]
		if name == "" || strings.ContainsAny(name, "/\\") {
			return m, fmt.Errorf("invalid AOF manifest file format at line %d", i+1)
		}
		seq, _ := strconv.Atoi(kv["seq"])
		m.seq = max(m.seq, seq)
		switch typ {
		case "b":
			m.base = name
		case "i":
			m.incrs = append(m.incrs, name)
		case "h": // history: to be deleted, not loaded
		default:
			return m, fmt.Errorf("unknown AOF file type %q at line %d", typ, i+1)
		}
	}
	return m, nil
}

func writeAtomic(path string, data []byte) error {
	return writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// rewriteAOF is BGREWRITEAOF. With start set it also turns the AOF on
// (CONFIG SET appendonly yes, start-up). It takes every shard.
func (e *Engine) rewriteAOF(start bool) error {
	a := &e.aof
	if !a.rewriting.CompareAndSwap(false, true) {
		return errors.New("Background append only file rewriting already in progress")
	}
	dir := e.aofDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		a.rewriting.Store(false)
		return fmt.Errorf("cannot create the AOF directory: %w", err)
	}
	prefix := e.Cfg.AppendFilename.Load()
	e.KS.LockAllWait(nil)
	r := &e.repl
	r.mu.Lock()
	a.mu.Lock()
	a.seq++
	seq := a.seq
	incr := fmt.Sprintf("%s.%d.incr.aof", prefix, seq)
	base := fmt.Sprintf("%s.%d.base.rdb", prefix, seq)
	f, err := os.OpenFile(filepath.Join(dir, incr), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err == nil {
		// Until the new base exists, the manifest keeps every old file
		// and the new incremental one.
		err = writeAtomic(e.aofManifestPath(), manifest{base: a.base, incrs: append(append([]string{}, a.incrs...), incr)}.encode())
	}
	if err != nil {
		a.mu.Unlock()
		r.mu.Unlock()
		e.KS.ReleaseAll()
		a.rewriting.Store(false)
		if f != nil {
			f.Close()
		}
		return fmt.Errorf("cannot open the new AOF file: %w", err)
	}
	old := append([]string{a.base}, a.incrs...)
	if a.f != nil {
		a.f.Sync()
		a.f.Close()
	}
	a.f, a.incrs, a.seldb, a.size = f, append(a.incrs, incr), -1, 0
	if !start && !a.on.Load() {
		// BGREWRITEAOF with appendonly off: the files are written, but
		// nothing is appended to them.
		a.f.Close()
		a.f = nil
	}
	a.mu.Unlock()
	snapshot, serr := e.snapshotRDB()
	if start {
		a.on.Store(true)
		r.active.Store(true) // from now on every write goes to the new incremental file
	}
	r.mu.Unlock()
	e.KS.ReleaseAll()
	if serr != nil {
		a.rewriting.Store(false)
		a.lastRewriteOK.Store(false)
		return serr
	}
	finish := func() error {
		defer a.rewriting.Store(false)
		if err := writeAtomic(filepath.Join(dir, base), snapshot); err != nil {
			a.lastRewriteOK.Store(false)
			return err
		}
		a.mu.Lock()
		err := writeAtomic(e.aofManifestPath(), manifest{base: base, incrs: []string{incr}}.encode())
		if err == nil {
			a.base, a.incrs, a.baseSize = base, []string{incr}, int64(len(snapshot))
		}
		a.mu.Unlock()
		if err != nil {
			a.lastRewriteOK.Store(false)
			return err
		}
		for _, name := range old {
			if name != "" {
				os.Remove(filepath.Join(dir, name))
			}
		}
		a.rewrites.Add(1)
		a.lastRewriteOK.Store(true)
		e.Log.Notice("Background AOF rewrite finished successfully")
		return nil
	}
	if start {
		return finish() // the AOF is complete before the caller goes on
	}
	go func() {
		if err := finish(); err != nil {
			e.Log.Warning("Background AOF rewrite failed: ", err.Error())
		}
	}()
	return nil
}

// stopAOF is CONFIG SET appendonly no.
func (e *Engine) stopAOF() {
	a := &e.aof
	r := &e.repl
	r.mu.Lock()
	a.mu.Lock()
	a.on.Store(false)
	if a.f != nil {
		a.f.Sync()
		a.f.Close()
		a.f = nil
	}
	a.mu.Unlock()
	r.mu.Unlock()
	e.syncPropagating()
}

// syncPropagating recomputes whether writes are collected for the stream.
func (e *Engine) syncPropagating() {
	r := &e.repl
	r.mu.Lock()
	r.active.Store(r.backlog.buf != nil || e.aof.on.Load())
	r.mu.Unlock()
}

// loadAOF replays the AOF named by the manifest, if there is one: the
// base (an RDB file, or commands), then each incremental file. It
// reports whether a manifest was found.
func (e *Engine) loadAOF() (bool, error) {
	m, err := readManifest(e.aofManifestPath())
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	dir := e.aofDir()
	a := &e.aof
	a.mu.Lock()
	a.base, a.incrs, a.seq = m.base, m.incrs, m.seq
	a.mu.Unlock()
	if m.base != "" {
		b, err := os.ReadFile(filepath.Join(dir, m.base))
		if err != nil {
			return true, fmt.Errorf("cannot read the AOF base file: %w", err)
		}
		if strings.HasPrefix(string(b), "REDIS") {
			e.KS.LockAllWait(nil)
			err = e.loadRDBLocked(b, loadOptions{merge: true}, e.engineLimits())
			e.KS.ReleaseAll()
		} else {
			err = e.replayAOF(b, false)
		}
		if err != nil {
			return true, fmt.Errorf("cannot load the AOF base file %s: %w", m.base, err)
		}
	}
	for i, name := range m.incrs {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return true, fmt.Errorf("cannot read the AOF file %s: %w", name, err)
		}
		if err := e.replayAOF(b, i == len(m.incrs)-1); err != nil {
			return true, fmt.Errorf("cannot load the AOF file %s: %w", name, err)
		}
	}
	return true, nil
}

// replayAOF executes the commands of one AOF file as the AOF client.
// last allows a truncated tail (aof-load-truncated).
func (e *Engine) replayAOF(b []byte, last bool) error {
	cl := e.Clients.New(nil, "", "", -1, e.Now())
	cl.SetFlag(FlagMaster, true) // obeyed like a master: no OOM or READONLY refusal
	cl.Authenticated = true
	cl.noProp = true // what is loaded is not propagated again
	defer func() {
		e.Disconnect(cl)
		e.Clients.Remove(cl)
	}()
	rd := resp.NewReader()
	rd.Feed(b)
	var w resp.Writer
	for {
		argv, err := rd.Next()
		if err == resp.ErrIncomplete {
			if rd.Buffered() == 0 {
				return nil
			}
			if last && e.Cfg.AOFLoadTruncated.Load() {
				e.Log.Warning("!!! Warning: short read while loading the AOF file !!! (ignoring the truncated tail)")
				return nil
			}
			return errors.New("unexpected end of file")
		}
		if err != nil {
			return fmt.Errorf("bad file format reading the append only file: %w", err)
		}
		if len(argv) == 0 {
			continue
		}
		w.Reset()
		e.Exec(cl, argv, &w)
	}
}

// StartAOF loads the AOF at start-up when appendonly is on and leaves it
// open for writing; it reports whether it took charge of loading (the RDB
// file is then not read, as in Redis).
func (e *Engine) StartAOF() (bool, error) {
	if e.Cfg == nil || !e.Cfg.AppendOnly.Load() {
		return false, nil
	}
	if _, err := e.loadAOF(); err != nil {
		return true, err
	}
	if err := e.rewriteAOF(true); err != nil {
		return true, err
	}
	e.syncPropagating()
	return true, nil
}

// onAppendonlyChange is CONFIG SET appendonly.
func (e *Engine) onAppendonlyChange() error {
	on := e.Cfg.AppendOnly.Load()
	switch {
	case on && !e.aof.on.Load():
		if err := e.rewriteAOF(true); err != nil {
			return err
		}
		e.syncPropagating()
	case !on && e.aof.on.Load():
		e.stopAOF()
	}
	return nil
}

// debugLoadAOF is DEBUG LOADAOF: the dataset is emptied and rebuilt from
// the AOF.
func debugLoadAOF(c *Ctx) {
	e := c.E
	if e.aof.on.Load() {
		e.aof.mu.Lock()
		if e.aof.f != nil {
			e.aof.f.Sync()
		}
		e.aof.mu.Unlock()
	}
	e.KS.LockAllWait(c.C.blocker())
	e.flushAllLocked()
	e.KS.ReleaseAll()
	on := e.aof.on.Swap(false) // replaying must not append to the file read
	e.syncPropagating()
	_, err := e.loadAOF()
	e.aof.on.Store(on)
	e.syncPropagating()
	if err != nil {
		e.Log.Warning("DEBUG LOADAOF: ", err.Error())
		c.Error("ERR Error trying to load the AOF files")
		return
	}
	e.Log.Warning("Append Only File loaded by DEBUG LOADAOF")
	c.W.OK()
}

func bgrewriteaofCommand(c *Ctx) {
	if err := c.E.rewriteAOF(false); err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.W.Status("Background append only file rewriting started")
}

// aofInfoStatus is what INFO persistence reports of the AOF.
func (e *Engine) aofInfoStatus() (enabled, rewriting bool, rewrites int64, lastOK, writeOK bool, size, base int64) {
	a := &e.aof
	a.mu.Lock()
	size, base = a.size+a.baseSize, a.baseSize
	a.mu.Unlock()
	return a.on.Load(), a.rewriting.Load(), a.rewrites.Load(), a.lastRewriteOK.Load(), a.lastWriteOK.Load(), size, base
}
