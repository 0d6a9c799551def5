package command

import (
	"github.com/cinnabar-db/cinnabar/internal/pubsub"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/cinnabar-db/cinnabar/internal/config"
)

// INFO (server.c genRedisInfoString): the sections and field names are
// Redis 7.0's, so monitoring tools and tests read Cinnabar as they read
// Redis. Values Cinnabar has no counterpart for (forks, replication
// backlog, Lua memory...) are reported as an idle Redis reports them.

// defaultInfoSections are INFO's sections without arguments or with
// "default" ("module_list" selects the modules section).
func defaultInfoSections() []string {
	return []string{"server", "clients", "memory", "persistence", "stats", "replication",
		"cpu", "module_list", "errorstats", "cluster", "keyspace"}
}

// infoCommand is INFO [section ...]: section names ignore case; "all"
// is every section, "everything" also the modules' own ones.
func infoCommand(c *Ctx) {
	want := map[string]bool{}
	all := false
	if len(c.Argv) == 1 {
		for _, s := range defaultInfoSections() {
			want[s] = true
		}
	}
	for _, a := range c.Argv[1:] {
		switch s := strings.ToLower(string(a)); s {
		case "default":
			for _, s := range defaultInfoSections() {
				want[s] = true
			}
		case "all", "everything":
			all = true
		default:
			want[s] = true
		}
	}
	c.W.Verbatim("txt", genInfo(nil, c, want, all))
}

// genInfo appends the INFO text of the selected sections.
func genInfo(dst []byte, c *Ctx, want map[string]bool, all bool) []byte {
	n := 0
	for _, s := range [...]string{"server", "clients", "memory", "persistence", "stats", "replication",
		"cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"} {
		if !all && !want[s] && !(s == "modules" && want["module_list"]) {
			continue
		}
		if n > 0 {
			dst = append(dst, "\r\n"...)
		}
		n++
		switch s {
		case "server":
			dst = infoServer(dst, c.E)
		case "clients":
			dst = infoClients(dst, c.E)
		case "memory":
			dst = infoMemory(dst, c.E)
		case "persistence":
			dst = infoPersistence(dst, c.E)
		case "stats":
			dst = infoStats(dst, c.E)
		case "replication":
			dst = infoReplication(dst, c.E)
		case "cpu":
			dst = infoCPU(dst)
		case "modules":
			dst = append(dst, "# Modules\r\n"...)
		case "commandstats":
			dst = infoCommandStats(dst, c.E)
		case "errorstats":
			dst = infoErrorStats(dst, c.E)
		case "latencystats":
			dst = infoLatencyStats(dst, c.E)
		case "cluster":
			dst = append(dst, "# Cluster\r\ncluster_enabled:"...)
			dst = appendBool(dst, c.E.Cfg != nil && c.E.Cfg.ClusterEnabled.Load())
			dst = append(dst, "\r\n"...)
		case "keyspace":
			dst = infoKeyspace(dst, c)
		}
	}
	return dst
}

// infoField appends "name:value\r\n".
func infoField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

func infoInt(dst []byte, name string, v int64) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, "\r\n"...)
}

func infoUint(dst []byte, name string, v uint64) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, v, 10)
	return append(dst, "\r\n"...)
}

// infoFloat appends a value printed with %.2f, plus suffix ("%" for
// percentages).
func infoFloat(dst []byte, name string, v float64, suffix string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	dst = strconv.AppendFloat(dst, v, 'f', 2, 64)
	dst = append(dst, suffix...)
	return append(dst, "\r\n"...)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, '1')
	}
	return append(dst, '0')
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// bytesToHuman is server.c bytesToHuman: 100B, 1.50K, 2.00M, ...
func bytesToHuman(dst []byte, n uint64) []byte {
	units := [...]byte{'K', 'M', 'G', 'T', 'P'}
	if n < 1024 {
		dst = strconv.AppendUint(dst, n, 10)
		return append(dst, 'B')
	}
	div := float64(1024)
	for _, u := range units {
		if float64(n) < div*1024 {
			dst = strconv.AppendFloat(dst, float64(n)/div, 'f', 2, 64)
			return append(dst, u)
		}
		div *= 1024
	}
	dst = strconv.AppendUint(dst, n, 10)
	return append(dst, 'B')
}

func infoHuman(dst []byte, name string, n uint64) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	dst = bytesToHuman(dst, n)
	return append(dst, "\r\n"...)
}

// unameString is uname's "sysname release machine".
func unameString() string {
	sys, rel := runtime.GOOS, ""
	if b, err := os.ReadFile("/proc/sys/kernel/ostype"); err == nil {
		sys = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		rel = strings.TrimSpace(string(b))
	}
	machine := runtime.GOARCH
	switch machine {
	case "amd64":
		machine = "x86_64"
	case "arm64":
		machine = "aarch64"
	case "386":
		machine = "i686"
	}
	return sys + " " + rel + " " + machine
}

func infoServer(dst []byte, e *Engine) []byte {
	now := e.now()
	uptime := now.Unix() - e.Started.Unix()
	dst = append(dst, "# Server\r\n"...)
	dst = infoField(dst, "redis_version", config.Version)
	dst = infoField(dst, "redis_git_sha1", "00000000")
	dst = infoField(dst, "redis_git_dirty", "0")
	dst = infoField(dst, "redis_build_id", e.RunID[:16])
	dst = infoField(dst, "redis_mode", serverMode(e))
	dst = infoField(dst, "os", unameString())
	dst = infoField(dst, "arch_bits", strconv.Itoa(strconv.IntSize))
	dst = infoField(dst, "monotonic_clock", "POSIX clock_gettime")
	dst = infoField(dst, "multiplexing_api", "epoll")
	dst = infoField(dst, "atomicvar_api", "c11-builtin")
	dst = infoField(dst, "gcc_version", "0.0.0")
	dst = infoInt(dst, "process_id", int64(os.Getpid()))
	dst = infoField(dst, "process_supervised", "no")
	dst = infoField(dst, "run_id", e.RunID)
	port := int64(0)
	hz := int64(10)
	cfgFile := ""
	if e.Cfg != nil {
		port = e.Cfg.Port.Load()
		if port == 0 {
			port = e.Cfg.TLSPort.Load()
		}
		hz = e.Cfg.Hz.Load()
		cfgFile = e.Cfg.ConfigFile()
	}
	dst = infoInt(dst, "tcp_port", port)
	dst = infoInt(dst, "server_time_usec", now.UnixMicro())
	dst = infoInt(dst, "uptime_in_seconds", uptime)
	dst = infoInt(dst, "uptime_in_days", uptime/(3600*24))
	dst = infoInt(dst, "hz", hz)
	dst = infoInt(dst, "configured_hz", hz)
	dst = infoInt(dst, "lru_clock", now.Unix()&(1<<24-1))
	exe, _ := os.Executable()
	dst = infoField(dst, "executable", exe)
	dst = infoField(dst, "config_file", cfgFile)
	dst = infoField(dst, "io_threads_active", "0")
	return dst
}

func infoClients(dst []byte, e *Engine) []byte {
	connected, replicas, blocked := 0, 0, 0
	maxIn, maxOut := 0, 0
	for _, cl := range e.Clients.Snapshot() {
		f := cl.Flags()
		if f&FlagReplica != 0 && f&FlagMonitor == 0 {
			replicas++
		} else {
			connected++
		}
		if f&FlagBlocked != 0 {
			blocked++
		}
		if cl.Conn != nil {
			qbuf, _, obl, _, omem := cl.Conn.Buffers()
			maxIn, maxOut = max(maxIn, qbuf), max(maxOut, obl+omem)
		}
	}
	maxClients := int64(10000)
	if e.Cfg != nil {
		maxClients = e.Cfg.MaxClients.Load()
	}
	dst = append(dst, "# Clients\r\n"...)
	dst = infoInt(dst, "connected_clients", int64(connected))
	dst = infoInt(dst, "cluster_connections", 0)
	dst = infoInt(dst, "maxclients", maxClients)
	dst = infoInt(dst, "client_recent_max_input_buffer", int64(maxIn))
	dst = infoInt(dst, "client_recent_max_output_buffer", int64(maxOut))
	dst = infoInt(dst, "blocked_clients", int64(blocked))
	trkClients, _, _, _ := e.TrackingInfo()
	dst = infoInt(dst, "tracking_clients", trkClients)
	dst = infoInt(dst, "clients_in_timeout_table", e.ClientsInTimeoutTable())
	return dst
}

// memStats are the process's memory figures, in bytes, in Redis's terms:
// used is used_memory (the figure maxmemory is checked against, see
// evict.go's memoryState), active and resident the
// allocator's in-use and retained memory, rss the process's resident set.
type memStats struct {
	used, peak, startup, clients  uint64
	active, resident, rss, system uint64
}

// readMemStats reads the Go runtime's and the kernel's memory figures
// and updates the peak.
func readMemStats(e *Engine) memStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	ms := memStats{
		used:     e.usedMemory(),
		active:   m.HeapInuse,
		resident: m.HeapSys - m.HeapReleased,
		rss:      processRSS(),
		system:   systemMemory(),
	}
	if ms.rss == 0 {
		ms.rss = m.Sys - m.HeapReleased
	}
	for {
		p := e.memPeak.Load()
		if ms.used <= p {
			ms.peak = p
			break
		}
		if e.memPeak.CompareAndSwap(p, ms.used) {
			ms.peak = ms.used
			break
		}
	}
	ms.clients = uint64(e.Clients.Len()) * (clientStructSize + replyBufSize)
	return ms
}

// processRSS is the resident set size from /proc/self/statm, 0 if unknown.
func processRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// systemMemory is MemTotal from /proc/meminfo, 0 if unknown.
func systemMemory() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

func infoMemory(dst []byte, e *Engine) []byte {
	ms := readMemStats(e)
	maxmem := uint64(0)
	policy := "noeviction"
	if e.Cfg != nil {
		maxmem = e.Cfg.Maxmemory.Load()
		if kv := e.Cfg.Get("maxmemory-policy"); len(kv) == 1 {
			policy = kv[0][1]
		}
	}
	overhead := ms.startup + ms.clients
	dataset := ms.used - min(overhead, ms.used)
	dst = append(dst, "# Memory\r\n"...)
	dst = infoUint(dst, "used_memory", ms.used)
	dst = infoHuman(dst, "used_memory_human", ms.used)
	dst = infoUint(dst, "used_memory_rss", ms.rss)
	dst = infoHuman(dst, "used_memory_rss_human", ms.rss)
	dst = infoUint(dst, "used_memory_peak", ms.peak)
	dst = infoHuman(dst, "used_memory_peak_human", ms.peak)
	dst = infoFloat(dst, "used_memory_peak_perc", ratio(ms.used, ms.peak)*100, "%")
	dst = infoUint(dst, "used_memory_overhead", overhead)
	dst = infoUint(dst, "used_memory_startup", ms.startup)
	dst = infoUint(dst, "used_memory_dataset", dataset)
	dst = infoFloat(dst, "used_memory_dataset_perc", ratio(dataset, ms.used-min(ms.startup, ms.used))*100, "%")
	dst = infoUint(dst, "allocator_allocated", ms.used)
	dst = infoUint(dst, "allocator_active", ms.active)
	dst = infoUint(dst, "allocator_resident", ms.resident)
	dst = infoUint(dst, "total_system_memory", ms.system)
	dst = infoHuman(dst, "total_system_memory_human", ms.system)
	// Scripts: the Lua heaps of the EVAL and function engines, and the
	// caches (EVAL's scripts, the function libraries) beside them.
	var vmEval, scriptsEval, vmFunctions, functionsMem int64
	var cachedScripts, libraries, functions int
	if sc := e.Scripts; sc != nil {
		vmEval, vmFunctions = sc.LuaMemory(), sc.LuaMemory()
		scriptsEval, cachedScripts = sc.ScriptsMemory(), sc.NumScripts()
		functionsMem = sc.FunctionsMemory()
		libraries, functions = sc.LibraryStats()
	}
	dst = infoInt(dst, "used_memory_lua", vmEval) // deprecated name of used_memory_vm_eval
	dst = infoInt(dst, "used_memory_vm_eval", vmEval)
	dst = infoHuman(dst, "used_memory_lua_human", uint64(vmEval))
	dst = infoInt(dst, "used_memory_scripts_eval", scriptsEval)
	dst = infoInt(dst, "number_of_cached_scripts", int64(cachedScripts))
	dst = infoInt(dst, "number_of_functions", int64(functions))
	dst = infoInt(dst, "number_of_libraries", int64(libraries))
	dst = infoInt(dst, "used_memory_vm_functions", vmFunctions)
	dst = infoInt(dst, "used_memory_vm_total", vmEval+vmFunctions)
	dst = infoHuman(dst, "used_memory_vm_total_human", uint64(vmEval+vmFunctions))
	dst = infoInt(dst, "used_memory_functions", functionsMem)
	dst = infoInt(dst, "used_memory_scripts", scriptsEval+functionsMem)
	dst = infoHuman(dst, "used_memory_scripts_human", uint64(scriptsEval+functionsMem))
	dst = infoUint(dst, "maxmemory", maxmem)
	dst = infoHuman(dst, "maxmemory_human", maxmem)
	dst = infoField(dst, "maxmemory_policy", policy)
	dst = infoFloat(dst, "allocator_frag_ratio", ratio(ms.active, ms.used), "")
	dst = infoUint(dst, "allocator_frag_bytes", ms.active-min(ms.used, ms.active))
	dst = infoFloat(dst, "allocator_rss_ratio", ratio(ms.resident, ms.active), "")
	dst = infoUint(dst, "allocator_rss_bytes", ms.resident-min(ms.active, ms.resident))
	dst = infoFloat(dst, "rss_overhead_ratio", ratio(ms.rss, ms.resident), "")
	dst = infoInt(dst, "rss_overhead_bytes", int64(ms.rss)-int64(ms.resident))
	dst = infoFloat(dst, "mem_fragmentation_ratio", ratio(ms.rss, ms.used), "")
	dst = infoInt(dst, "mem_fragmentation_bytes", int64(ms.rss)-int64(ms.used))
	for _, f := range [...]string{"mem_not_counted_for_evict", "mem_replication_backlog",
		"mem_total_replication_buffers", "mem_clients_slaves"} {
		dst = infoInt(dst, f, 0)
	}
	dst = infoUint(dst, "mem_clients_normal", ms.clients)
	dst = infoInt(dst, "mem_cluster_links", 0)
	dst = infoInt(dst, "mem_aof_buffer", 0)
	dst = infoField(dst, "mem_allocator", "go-"+runtime.Version())
	for _, f := range [...]string{"active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects"} {
		dst = infoInt(dst, f, 0)
	}
	return dst
}

func infoPersistence(dst []byte, e *Engine) []byte {
	aof := e.Cfg != nil && e.Cfg.AppendOnly.Load()
	dst = append(dst, "# Persistence\r\n"...)
	for _, f := range [...]string{"loading", "async_loading", "current_cow_peak",
		"current_cow_size", "current_cow_size_age"} {
		dst = infoInt(dst, f, 0)
	}
	dst = infoFloat(dst, "current_fork_perc", 0, "")
	for _, f := range [...]string{"current_save_keys_processed", "current_save_keys_total"} {
		dst = infoInt(dst, f, 0)
	}
	dst = infoInt(dst, "rdb_changes_since_last_save", e.Dirty.Load()-e.persist.dirtyAtSave.Load())
	dst = infoInt(dst, "rdb_bgsave_in_progress", boolInt(e.persist.bgsaving.Load()))
	dst = infoInt(dst, "rdb_last_save_time", e.lastSave.Load())
	dst = infoField(dst, "rdb_last_bgsave_status", map[bool]string{true: "ok", false: "err"}[e.persist.lastStatusOK.Load()])
	bgs := e.persist.lastBgsaveMs.Load()
	if bgs > 0 {
		bgs /= 1000
	}
	dst = infoInt(dst, "rdb_last_bgsave_time_sec", bgs)
	dst = infoInt(dst, "rdb_current_bgsave_time_sec", -1)
	dst = infoInt(dst, "rdb_saves", e.persist.saves.Load())
	dst = infoInt(dst, "rdb_last_cow_size", 0)
	dst = infoInt(dst, "rdb_last_load_keys_expired", e.persist.keysExpired.Load())
	dst = infoInt(dst, "rdb_last_load_keys_loaded", e.persist.keysLoaded.Load())
	aofOn, rewriting, rewrites, rewriteOK, writeOK, aofSize, aofBase := e.aofInfoStatus()
	okErr := map[bool]string{true: "ok", false: "err"}
	dst = infoInt(dst, "aof_enabled", boolInt(aof || aofOn))
	dst = infoInt(dst, "aof_rewrite_in_progress", boolInt(rewriting))
	dst = infoInt(dst, "aof_rewrite_scheduled", 0)
	dst = infoInt(dst, "aof_last_rewrite_time_sec", -1)
	dst = infoInt(dst, "aof_current_rewrite_time_sec", -1)
	dst = infoField(dst, "aof_last_bgrewrite_status", okErr[rewriteOK])
	dst = infoInt(dst, "aof_rewrites", rewrites)
	dst = infoInt(dst, "aof_rewrites_consecutive_failures", 0)
	dst = infoField(dst, "aof_last_write_status", okErr[writeOK])
	for _, f := range [...]string{"aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size"} {
		dst = infoInt(dst, f, 0)
	}
	if aofOn {
		dst = infoInt(dst, "aof_current_size", aofSize)
		dst = infoInt(dst, "aof_base_size", aofBase)
		dst = infoInt(dst, "aof_pending_rewrite", 0)
		dst = infoInt(dst, "aof_buffer_length", 0)
		dst = infoInt(dst, "aof_pending_bio_fsync", 0)
		dst = infoInt(dst, "aof_delayed_fsync", 0)
	}
	return dst
}

func infoStats(dst []byte, e *Engine) []byte {
	dst = append(dst, "# Stats\r\n"...)
	dst = infoInt(dst, "total_connections_received", e.Clients.Connections.Load())
	dst = infoInt(dst, "total_commands_processed", e.Stats.Commands.Load())
	dst = infoInt(dst, "instantaneous_ops_per_sec", 0)
	dst = infoInt(dst, "total_net_input_bytes", e.Stats.NetInput.Load())
	dst = infoInt(dst, "total_net_output_bytes", e.Stats.NetOutput.Load())
	dst = infoInt(dst, "total_net_repl_input_bytes", 0)
	dst = infoInt(dst, "total_net_repl_output_bytes", 0)
	for _, f := range [...]string{"instantaneous_input_kbps", "instantaneous_output_kbps",
		"instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
		dst = infoFloat(dst, f, 0, "")
	}
	dst = infoInt(dst, "rejected_connections", e.Clients.Rejected.Load())
	dst = infoInt(dst, "sync_full", e.repl.syncFull.Load())
	dst = infoInt(dst, "sync_partial_ok", e.repl.syncPartialOK.Load())
	dst = infoInt(dst, "sync_partial_err", e.repl.syncPartialErr.Load())
	dst = infoInt(dst, "expired_keys", e.KS.ExpiredKeys.Load())
	dst = infoFloat(dst, "expired_stale_perc", float64(e.KS.ExpiredStalePerc.Load()), "")
	for _, f := range [...]string{"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds"} {
		dst = infoInt(dst, f, 0)
	}
	dst = infoInt(dst, "evicted_keys", e.EvictedKeys())
	for _, f := range [...]string{"evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time"} {
		dst = infoInt(dst, f, 0)
	}
	dst = infoInt(dst, "keyspace_hits", e.KS.KeyspaceHits.Load())
	dst = infoInt(dst, "keyspace_misses", e.KS.KeyspaceMisses.Load())
	dst = infoInt(dst, "pubsub_channels", int64(e.PubSub.NumChannels(pubsub.Global)))
	dst = infoInt(dst, "pubsub_patterns", int64(e.PubSub.NumPat()))
	dst = infoInt(dst, "pubsubshard_channels", int64(e.PubSub.NumChannels(pubsub.Shard)))
	for _, f := range [...]string{"latest_fork_usec", "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys",
		"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
		"total_active_defrag_time", "current_active_defrag_time"} {
		dst = infoInt(dst, f, 0)
	}
	_, trkKeys, trkItems, trkPrefixes := e.TrackingInfo()
	dst = infoInt(dst, "tracking_total_keys", trkKeys)
	dst = infoInt(dst, "tracking_total_items", trkItems)
	dst = infoInt(dst, "tracking_total_prefixes", trkPrefixes)
	dst = infoInt(dst, "unexpected_error_replies", e.Stats.UnexpectedError.Load())
	dst = infoInt(dst, "total_error_replies", e.errorsTotal.Load())
	for _, f := range [...]string{"dump_payload_sanitizations", "total_reads_processed",
		"total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands"} {
		dst = infoInt(dst, f, 0)
	}
	return dst
}

// appendTimeval appends a duration as seconds.microseconds (%ld.%06ld).
func appendTimeval(dst []byte, tv syscall.Timeval) []byte {
	dst = strconv.AppendInt(dst, int64(tv.Sec), 10)
	dst = append(dst, '.')
	us := strconv.AppendInt(nil, int64(tv.Usec), 10)
	for i := len(us); i < 6; i++ {
		dst = append(dst, '0')
	}
	return append(dst, us...)
}

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

func infoCPU(dst []byte) []byte {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	dst = append(dst, "# CPU\r\n"...)
	field := func(name string, tv syscall.Timeval) {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendTimeval(dst, tv)
		dst = append(dst, "\r\n"...)
	}
	field("used_cpu_sys", self.Stime)
	field("used_cpu_user", self.Utime)
	field("used_cpu_sys_children", children.Stime)
	field("used_cpu_user_children", children.Utime)
	if runtime.GOOS == "linux" {
		var th syscall.Rusage
		if syscall.Getrusage(rusageThread, &th) == nil {
			field("used_cpu_sys_main_thread", th.Stime)
			field("used_cpu_user_main_thread", th.Utime)
		}
	}
	return dst
}

// appendSafeInfo appends s with the characters INFO cannot carry ('#',
// ':', newlines) replaced by '_' (getSafeInfoString).
func appendSafeInfo(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '#', ':', '\n', '\r':
			ch = '_'
		}
		dst = append(dst, ch)
	}
	return dst
}

// statsOrder lists the implemented commands, each container followed by
// its subcommands, as INFO commandstats and latencystats walk them.
func statsOrder(e *Engine) []*Spec {
	var out []*Spec
	for _, m := range e.Meta.All() {
		if s := e.SpecOf(m); s != nil {
			out = append(out, s)
		}
		for _, sub := range m.Subcommands {
			if s := e.SpecOf(sub); s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

func infoCommandStats(dst []byte, e *Engine) []byte {
	dst = append(dst, "# Commandstats\r\n"...)
	for _, s := range statsOrder(e) {
		calls, usec := s.Calls.Load(), s.Usec.Load()
		rejected, failed := s.Rejected.Load(), s.Failed.Load()
		if calls == 0 && rejected == 0 && failed == 0 {
			continue
		}
		dst = append(dst, "cmdstat_"...)
		dst = appendSafeInfo(dst, s.Meta.Name)
		dst = append(dst, ":calls="...)
		dst = strconv.AppendInt(dst, calls, 10)
		dst = append(dst, ",usec="...)
		dst = strconv.AppendInt(dst, usec, 10)
		dst = append(dst, ",usec_per_call="...)
		per := 0.0
		if calls > 0 {
			// Redis divides as C floats.
			per = float64(float32(usec) / float32(calls))
		}
		dst = strconv.AppendFloat(dst, per, 'f', 2, 64)
		dst = append(dst, ",rejected_calls="...)
		dst = strconv.AppendInt(dst, rejected, 10)
		dst = append(dst, ",failed_calls="...)
		dst = strconv.AppendInt(dst, failed, 10)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

func infoErrorStats(dst []byte, e *Engine) []byte {
	dst = append(dst, "# Errorstats\r\n"...)
	e.errorsMu.Lock()
	names := make([]string, 0, len(e.errorCounts))
	for k := range e.errorCounts {
		names = append(names, k)
	}
	counts := make(map[string]int64, len(names))
	for _, k := range names {
		counts[k] = e.errorCounts[k]
	}
	e.errorsMu.Unlock()
	sort.Strings(names) // rax order: bytewise
	for _, k := range names {
		dst = append(dst, "errorstat_"...)
		dst = appendSafeInfo(dst, k)
		dst = append(dst, ":count="...)
		dst = strconv.AppendInt(dst, counts[k], 10)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

func infoLatencyStats(dst []byte, e *Engine) []byte {
	dst = append(dst, "# Latencystats\r\n"...)
	if e.Cfg != nil && !e.Cfg.LatencyTracking.Load() {
		return dst
	}
	pcts := []float64{50, 99, 99.9}
	if e.Cfg != nil {
		pcts = e.Cfg.LatencyTrackingInfoPercentiles.Load()
	}
	for _, s := range statsOrder(e) {
		counts, total, ok := s.Hist.snapshot()
		if !ok {
			continue
		}
		dst = append(dst, "latency_percentiles_usec_"...)
		dst = appendSafeInfo(dst, s.Meta.Name)
		dst = append(dst, ':')
		for i, p := range pcts {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, 'p')
			dst = strconv.AppendFloat(dst, p, 'f', -1, 64)
			dst = append(dst, '=')
			dst = strconv.AppendFloat(dst, float64(percentile(&counts, total, p))/1000, 'f', 3, 64)
		}
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// infoKeyspace reports every non-empty database; it locks every shard
// while it counts (INFO is keyless, the dispatcher locks nothing).
func infoKeyspace(dst []byte, c *Ctx) []byte {
	e := c.E
	dst = append(dst, "# Keyspace\r\n"...)
	defer lockEverything(c)()
	for i := 0; i < e.KS.NumDBs(); i++ {
		db := e.KS.DB(i)
		keys, expires := db.Len(), db.Expires()
		if keys == 0 && expires == 0 {
			continue
		}
		dst = append(dst, "db"...)
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, ":keys="...)
		dst = strconv.AppendInt(dst, int64(keys), 10)
		dst = append(dst, ",expires="...)
		dst = strconv.AppendInt(dst, int64(expires), 10)
		dst = append(dst, ",avg_ttl="...)
		dst = strconv.AppendInt(dst, db.AvgTTL(), 10)
		dst = append(dst, "\r\n"...)
	}
	return dst
}
