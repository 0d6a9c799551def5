package command

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/rdb"
	"github.com/cinnabar-db/cinnabar/internal/script"
)

// RDB persistence (Redis's rdb.c): SAVE, BGSAVE, DEBUG RELOAD, the save
// points, and loading at start-up.
//
// A snapshot is taken with every shard held, so it is exactly the
// dataset at one point of the command order. SAVE writes the file under
// those locks, as Redis's SAVE blocks. BGSAVE serializes to memory under
// the locks and writes the file from a goroutine after releasing them —
// no fork; writes wait only for the serialization.

type persistState struct {
	bgsaving     atomic.Bool
	lastStatusOK atomic.Bool
	saves        atomic.Int64
	lastBgsaveMs atomic.Int64 // duration of the last BGSAVE, -1 if none
	dirtyAtSave  atomic.Int64 // Dirty when the last successful save started
	keysLoaded   atomic.Int64
	keysExpired  atomic.Int64
}

func (p *persistState) init() {
	p.lastStatusOK.Store(true)
	p.lastBgsaveMs.Store(-1)
}

// rdbPath is dir/dbfilename.
func (e *Engine) rdbPath() string {
	if e.Cfg == nil {
		return "dump.rdb"
	}
	return filepath.Join(e.Cfg.Dir.Load(), e.Cfg.DBFilename.Load())
}

// writeRDB writes the whole dataset, functions included, in RDB format.
// Every shard must be held, repl.mu must not be.
func (e *Engine) writeRDB(out io.Writer) error {
	r := &e.repl
	r.mu.Lock()
	id, off, db := r.id, r.offset, r.streamDBLocked()
	r.mu.Unlock()
	return e.writeRDBAt(out, id, off, db)
}

// streamDBLocked is the database the stream has selected when this server
// is a replica (its master's stream, proxied), recorded as repl-stream-db
// so that a replica synchronizing from us applies what follows there.
// repl.mu must be held.
func (r *replState) streamDBLocked() int64 {
	if r.link != nil {
		return int64(r.link.streamDB.Load())
	}
	return 0
}

// writeRDBAt is writeRDB with the replication id, offset and stream
// database to record.
func (e *Engine) writeRDBAt(out io.Writer, id string, off, streamDB int64) error {
	compress, checksum := true, true
	if e.Cfg != nil {
		compress, checksum = e.Cfg.RDBCompression.Load(), e.Cfg.RDBChecksum.Load()
	}
	w := rdb.NewWriter(out, compress)
	w.NoChecksum = !checksum
	_ = w.Header()
	_ = w.Aux("redis-ver", "7.0.15")
	_ = w.AuxInt("redis-bits", 64)
	_ = w.AuxInt("ctime", e.now().Unix())
	_ = w.AuxInt("used-mem", int64(e.usedMemory()))
	_ = w.AuxInt("repl-stream-db", streamDB)
	_ = w.Aux("repl-id", id)
	_ = w.AuxInt("repl-offset", off)
	_ = w.AuxInt("aof-base", 0)
	for _, lib := range e.Scripts.ListLibraries() {
		_ = w.Function(lib.Code)
	}
	idle, freq := false, false
	if e.Cfg != nil {
		p := e.Cfg.MaxmemoryPolicy.Load()
		idle, freq = policyLRU(p), policyLFU(p)
	}
	now := e.clockMs.Load()
	var werr error
	for i := 0; i < e.KS.NumDBs(); i++ {
		db := e.KS.DB(i)
		n := db.Len()
		if n == 0 {
			continue
		}
		if err := w.SelectDB(i, uint64(n), uint64(db.Expires())); err != nil {
			return err
		}
		db.ForEach(func(key []byte, ent keyspace.Entry) bool {
			if ent.Type == keyspace.TypeStream {
				return true // not supported yet
			}
			idleSec, fr := int64(-1), -1
			if idle {
				idleSec = e.KS.IdleSeconds(ent.LRU)
			} else if freq {
				fr = int(lfuDecrAndReturn(ent.LRU, now, e.lfuDecay()))
			}
			if err := w.Key(key, ent, idleSec, fr); err != nil {
				werr = err
				return false
			}
			return true
		})
		if werr != nil {
			return werr
		}
	}
	return w.Finish()
}

func (e *Engine) lfuDecay() int64 {
	if e.Cfg != nil {
		return e.Cfg.LFUDecayTime.Load()
	}
	return 1
}

// snapshotRDB serializes the dataset in memory. Every shard must be held
// (and repl.mu, whose id and offset it records).
func (e *Engine) snapshotRDB() ([]byte, error) {
	var buf bytes.Buffer
	if err := e.writeRDBAt(&buf, e.repl.id, e.repl.offset, e.repl.streamDBLocked()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes data (or what fill writes) to path through a
// temporary file, fsynced and renamed over path (rdbSave's temp-<pid>.rdb).
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	tmp := filepath.Join(filepath.Dir(path), "temp-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".rdb")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("cannot create the temp file %s: %w", tmp, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write the RDB file: %w", err)
	}
	// The rename is durable once the directory is synced.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// saveLocked is rdbSave: the snapshot written to the RDB file with every
// shard held.
func (e *Engine) saveLocked() error {
	start := e.Dirty.Load()
	err := writeFileAtomic(e.rdbPath(), e.writeRDB)
	if err != nil {
		e.Log.Warning("Failed saving the DB: ", err.Error())
		e.persist.lastStatusOK.Store(false)
		return err
	}
	e.Log.Notice("DB saved on disk")
	e.savedAt(start)
	return nil
}

func (e *Engine) savedAt(dirtyAtStart int64) {
	e.persist.dirtyAtSave.Store(dirtyAtStart)
	e.lastSave.Store(e.now().Unix())
	e.persist.lastStatusOK.Store(true)
	e.persist.saves.Add(1)
}

// Save writes the RDB file now, holding every shard (SAVE, SHUTDOWN).
func (e *Engine) Save() error {
	e.KS.LockAllWait(nil)
	defer e.KS.ReleaseAll()
	return e.saveLocked()
}

// bgsave snapshots the dataset under every shard's lock and writes it
// from a goroutine. It reports false if a background save is running.
func (e *Engine) bgsave() (bool, error) {
	if !e.persist.bgsaving.CompareAndSwap(false, true) {
		return false, nil
	}
	start := e.Dirty.Load()
	var buf bytes.Buffer
	err := e.writeRDB(&buf)
	data := buf.Bytes()
	if err != nil {
		e.persist.bgsaving.Store(false)
		return true, err
	}
	path := e.rdbPath()
	e.Log.Notice("Background saving started")
	go func() {
		t0 := time.Now()
		err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err })
		e.persist.lastBgsaveMs.Store(time.Since(t0).Milliseconds())
		if err != nil {
			e.Log.Warning("Background saving error: ", err.Error())
			e.persist.lastStatusOK.Store(false)
		} else {
			e.Log.Notice("Background saving terminated with success")
			e.savedAt(start)
		}
		e.persist.bgsaving.Store(false)
	}()
	return true, nil
}

func saveCommand(c *Ctx) {
	if c.E.persist.bgsaving.Load() {
		c.Error("ERR Background save already in progress")
		return
	}
	if err := c.E.saveLocked(); err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.W.OK()
}

// bgsaveCommand is BGSAVE [SCHEDULE].
func bgsaveCommand(c *Ctx) {
	if len(c.Argv) > 1 && !(len(c.Argv) == 2 && c.Is(1, "schedule")) {
		c.Error(ErrSyntax)
		return
	}
	started, err := c.E.bgsave()
	switch {
	case err != nil:
		c.Error("ERR " + err.Error())
	case !started && len(c.Argv) == 2:
		c.W.Status("Background saving scheduled")
	case !started:
		c.Error("ERR Background save already in progress")
	default:
		c.W.Status("Background saving started")
	}
}

// PersistenceCron starts a BGSAVE when a save point is reached (serverCron).
func (e *Engine) PersistenceCron() {
	if e.Cfg == nil || e.persist.bgsaving.Load() {
		return
	}
	changes := e.Dirty.Load() - e.persist.dirtyAtSave.Load()
	if changes <= 0 {
		return
	}
	elapsed := e.now().Unix() - e.lastSave.Load()
	for _, sp := range e.Cfg.Save.Load() {
		if changes >= int64(sp.Changes) && elapsed >= int64(sp.Seconds) {
			e.Log.Notice(strconv.FormatInt(changes, 10), " changes in ", strconv.FormatInt(int64(sp.Seconds), 10), " seconds. Saving...")
			e.KS.LockAllWait(nil)
			_, err := e.bgsave()
			e.KS.ReleaseAll()
			if err != nil {
				e.Log.Warning("Background saving error: ", err.Error())
			}
			return
		}
	}
}

// SavePointsConfigured reports whether save points are set (SHUTDOWN saves then).
func (e *Engine) SavePointsConfigured() bool {
	return e.Cfg != nil && len(e.Cfg.Save.Load()) > 0
}

// loadOptions select rdbLoad's behaviour.
type loadOptions struct {
	merge       bool // RDBFLAGS_ALLOW_DUP: a key or library in the file replaces ours
	dropExpired bool // a master drops keys already expired
	streamDB    *int // set to the repl-stream-db AUX field, if wanted
}

// loadRDBLocked loads an RDB image into the keyspace and the function
// libraries. Every shard must be held.
func (e *Engine) loadRDBLocked(b []byte, opt loadOptions, lim rdb.Limits) error {
	libs := e.Scripts.ListLibraries()
	cur := script.NewLibraries()
	for _, l := range libs {
		if _, err := e.Scripts.LoadLibraryInto(cur, l.Code, false, 0); err != nil {
			return err
		}
	}
	db := e.KS.DB(0)
	now := e.clockMs.Load()
	var loaded, expired int64
	h := &rdb.Handler{
		Aux: func(key, val []byte) error {
			if opt.streamDB != nil && string(key) == "repl-stream-db" {
				if n, err := strconv.Atoi(string(val)); err == nil {
					*opt.streamDB = n
				}
			}
			return nil
		},
		Function: func(code []byte) error {
			_, err := e.Scripts.LoadLibraryInto(cur, code, opt.merge, 0)
			return err
		},
		SelectDB: func(i int) error {
			if i < 0 || i >= e.KS.NumDBs() {
				return fmt.Errorf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting", e.KS.NumDBs())
			}
			db = e.KS.DB(i)
			return nil
		},
		Key: func(key []byte, o rdb.Object, expireAt, idle int64, freq int) error {
			if opt.dropExpired && expireAt != 0 && expireAt < now {
				expired++
				return nil
			}
			if db.Exists(key) {
				if !opt.merge {
					return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, db.ID())
				}
				db.Delete(key)
			}
			ttl := keyspace.NoExpire
			if expireAt != 0 {
				ttl = expireAt
			}
			if o.Type == keyspace.TypeString {
				db.SetString(key, o.Str, ttl, false)
			} else {
				db.SetObject(key, o.Type, o.Value, ttl)
			}
			if idle >= 0 || freq >= 0 {
				db.SetAccess(key, idle, int64(freq))
			}
			loaded++
			return nil
		},
	}
	if _, err := rdb.Load(b, lim, h); err != nil {
		return err
	}
	e.Scripts.SetLibraries(cur)
	e.persist.keysLoaded.Store(loaded)
	e.persist.keysExpired.Store(expired)
	return nil
}

// engineLimits reads the encoding thresholds loaded values are built with.
func (e *Engine) engineLimits() rdb.Limits {
	var c Ctx
	c.E = e
	return rdbLimits(&c)
}

// flushAllLocked empties every database and the function libraries
// (emptyData). Every shard must be held.
func (e *Engine) flushAllLocked() {
	for i := 0; i < e.KS.NumDBs(); i++ {
		e.TouchAllWatchedKeysInDB(i, -1)
	}
	e.KS.FlushAll()
	e.Scripts.FlushLibraries()
}

// LoadAtStartup loads dir/dbfilename if it exists (loadDataFromDisk).
func (e *Engine) LoadAtStartup() error {
	if took, err := e.StartAOF(); took || err != nil {
		if err != nil {
			return fmt.Errorf("cannot load the append only file: %w", err)
		}
		return nil
	}
	path := e.rdbPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	start := time.Now()
	e.KS.LockAllWait(nil)
	defer e.KS.ReleaseAll()
	if err := e.loadRDBLocked(b, loadOptions{dropExpired: true}, e.engineLimits()); err != nil {
		return fmt.Errorf("cannot load %s: %w", path, err)
	}
	e.Log.Notice("DB loaded from disk: ", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64), " seconds")
	return nil
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]. Every shard is held.
func debugReload(c *Ctx) {
	e := c.E
	flush, save, merge := true, true, false
	for j := 2; j < len(c.Argv); j++ {
		switch {
		case c.Is(j, "merge"):
			merge = true
		case c.Is(j, "noflush"):
			flush = false
		case c.Is(j, "nosave"):
			save = false
		default:
			c.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	if save {
		if err := e.saveLocked(); err != nil {
			c.Error("ERR " + err.Error())
			return
		}
	}
	b, err := os.ReadFile(e.rdbPath())
	if err != nil {
		c.Error("ERR Error trying to load the RDB dump")
		return
	}
	if flush {
		e.flushAllLocked()
	}
	if err := e.loadRDBLocked(b, loadOptions{merge: merge, dropExpired: true}, rdbLimits(c)); err != nil {
		e.Log.Warning("DEBUG RELOAD: ", err.Error())
		c.Error("ERR Error trying to load the RDB dump")
		return
	}
	e.Log.Warning("DB reloaded by DEBUG RELOAD")
	c.W.OK()
}

// loadFromMaster replaces the dataset with a snapshot received from the
// master (readSyncBulkPayload): emptied first, nothing dropped. It returns
// the database the master's stream had selected (repl-stream-db).
func (e *Engine) loadFromMaster(payload []byte) (int, error) {
	e.KS.LockAllWait(nil)
	defer e.KS.ReleaseAll()
	e.flushAllLocked()
	opt := loadOptions{streamDB: new(int)}
	err := e.loadRDBLocked(payload, opt, e.engineLimits())
	return *opt.streamDB, err
}

func persistenceCommands() []*Spec {
	return []*Spec{
		{Name: "save", Handler: saveCommand, Lock: LockAll},
		{Name: "bgsave", Handler: bgsaveCommand, Lock: LockAll},
		{Name: "bgrewriteaof", Handler: bgrewriteaofCommand},
	}
}

// PrepareShutdown saves before a shutdown (prepareForShutdown): with SAVE,
// or when save points are configured, unless NOSAVE. A failed save stops
// the shutdown unless FORCE.
func (e *Engine) PrepareShutdown(nosave, save, force bool) error {
	if nosave || !(save || e.SavePointsConfigured()) {
		return nil
	}
	e.Log.Notice("Saving the final RDB snapshot before exiting.")
	if err := e.Save(); err != nil && !force {
		e.Log.Warning("Error trying to save the DB, can't exit.")
		return errors.New("ERR Errors trying to SHUTDOWN. Check logs.")
	}
	return nil
}
