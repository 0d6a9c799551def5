package config

import (
	"math"
	"strings"
)

// Enum values, numerically equal to Redis's constants (server.h) so that
// INFO and persistence code can use them as Redis does.
const (
	// loglevel
	LogDebug   = 0
	LogVerbose = 1
	LogNotice  = 2
	LogWarning = 3

	// maxmemory-policy (MAXMEMORY_*)
	maxmemoryFlagLRU     = 1 << 0
	maxmemoryFlagLFU     = 1 << 1
	maxmemoryFlagAllkeys = 1 << 2

	MaxmemoryVolatileLRU    = 0<<8 | maxmemoryFlagLRU
	MaxmemoryVolatileLFU    = 1<<8 | maxmemoryFlagLFU
	MaxmemoryVolatileTTL    = 2 << 8
	MaxmemoryVolatileRandom = 3 << 8
	MaxmemoryAllkeysLRU     = 4<<8 | maxmemoryFlagLRU | maxmemoryFlagAllkeys
	MaxmemoryAllkeysLFU     = 5<<8 | maxmemoryFlagLFU | maxmemoryFlagAllkeys
	MaxmemoryAllkeysRandom  = 6<<8 | maxmemoryFlagAllkeys
	MaxmemoryNoEviction     = 7 << 8

	// appendfsync
	AppendfsyncNo       = 0
	AppendfsyncAlways   = 1
	AppendfsyncEverysec = 2

	// enable-protected-configs, enable-debug-command, enable-module-command
	ProtectedNo    = 0
	ProtectedYes   = 1
	ProtectedLocal = 2

	// supervised
	SupervisedNo      = 0
	SupervisedAuto    = 1
	SupervisedSystemd = 2
	SupervisedUpstart = 3

	// repl-diskless-load
	ReplDisklessLoadDisabled  = 0
	ReplDisklessLoadOnEmptyDB = 1
	ReplDisklessLoadSwapDB    = 2

	// tls-auth-clients
	TLSAuthClientsNo       = 0
	TLSAuthClientsYes      = 1
	TLSAuthClientsOptional = 2

	// oom-score-adj
	OOMScoreAdjNo       = 0
	OOMScoreAdjRelative = 1
	OOMScoreAdjAbsolute = 2

	// acl-pubsub-default (SELECTOR_FLAG_ALLCHANNELS or 0)
	ACLPubsubResetChannels = 0
	ACLPubsubAllChannels   = 1 << 3

	// sanitize-dump-payload
	SanitizeDumpNo      = 0
	SanitizeDumpYes     = 1
	SanitizeDumpClients = 2

	// cluster-preferred-endpoint-type
	ClusterEndpointIP              = 0
	ClusterEndpointHostname        = 1
	ClusterEndpointUnknownEndpoint = 2

	// propagation-error-behavior
	PropagationErrIgnore          = 0
	PropagationErrPanic           = 1
	PropagationErrPanicOnReplicas = 2

	// shutdown-on-sigint, shutdown-on-sigterm flags (SHUTDOWN_*)
	ShutdownDefault = 0
	ShutdownSave    = 1
	ShutdownNoSave  = 2
	ShutdownNow     = 4
	ShutdownForce   = 8
)

var (
	enumLogLevel        = []enumItem{{"debug", LogDebug}, {"verbose", LogVerbose}, {"notice", LogNotice}, {"warning", LogWarning}}
	enumMaxmemoryPolicy = []enumItem{
		{"volatile-lru", MaxmemoryVolatileLRU}, {"volatile-lfu", MaxmemoryVolatileLFU},
		{"volatile-random", MaxmemoryVolatileRandom}, {"volatile-ttl", MaxmemoryVolatileTTL},
		{"allkeys-lru", MaxmemoryAllkeysLRU}, {"allkeys-lfu", MaxmemoryAllkeysLFU},
		{"allkeys-random", MaxmemoryAllkeysRandom}, {"noeviction", MaxmemoryNoEviction},
	}
	// syslog facilities carry syslog.h's LOG_USER and LOG_LOCALn values.
	enumSyslogFacility = []enumItem{
		{"user", 1 << 3}, {"local0", 16 << 3}, {"local1", 17 << 3}, {"local2", 18 << 3}, {"local3", 19 << 3},
		{"local4", 20 << 3}, {"local5", 21 << 3}, {"local6", 22 << 3}, {"local7", 23 << 3},
	}
	enumSupervised       = []enumItem{{"upstart", SupervisedUpstart}, {"systemd", SupervisedSystemd}, {"auto", SupervisedAuto}, {"no", SupervisedNo}}
	enumAppendfsync      = []enumItem{{"everysec", AppendfsyncEverysec}, {"always", AppendfsyncAlways}, {"no", AppendfsyncNo}}
	enumShutdown         = []enumItem{{"default", ShutdownDefault}, {"save", ShutdownSave}, {"nosave", ShutdownNoSave}, {"now", ShutdownNow}, {"force", ShutdownForce}}
	enumReplDisklessLoad = []enumItem{{"disabled", ReplDisklessLoadDisabled}, {"on-empty-db", ReplDisklessLoadOnEmptyDB}, {"swapdb", ReplDisklessLoadSwapDB}}
	enumTLSAuthClients   = []enumItem{{"no", TLSAuthClientsNo}, {"yes", TLSAuthClientsYes}, {"optional", TLSAuthClientsOptional}}
	enumOOMScoreAdj      = []enumItem{{"no", OOMScoreAdjNo}, {"yes", OOMScoreAdjRelative}, {"relative", OOMScoreAdjRelative}, {"absolute", OOMScoreAdjAbsolute}}
	enumACLPubsubDefault = []enumItem{{"allchannels", ACLPubsubAllChannels}, {"resetchannels", ACLPubsubResetChannels}}
	enumSanitizeDump     = []enumItem{{"no", SanitizeDumpNo}, {"yes", SanitizeDumpYes}, {"clients", SanitizeDumpClients}}
	enumProtected        = []enumItem{{"no", ProtectedNo}, {"yes", ProtectedYes}, {"local", ProtectedLocal}}
	enumClusterEndpoint  = []enumItem{{"ip", ClusterEndpointIP}, {"hostname", ClusterEndpointHostname}, {"unknown-endpoint", ClusterEndpointUnknownEndpoint}}
	enumPropagationErr   = []enumItem{{"ignore", PropagationErrIgnore}, {"panic", PropagationErrPanic}, {"panic-on-replicas", PropagationErrPanicOnReplicas}}
)

// C limits used by the table.
const (
	intMin   = math.MinInt32
	intMax   = math.MaxInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	mb       = 1024 * 1024
)

// Constructors for table rows. Their argument order follows config.c's
// create*Config macros: name, alias, flags, [bounds], handle, default.

func boolP(name, alias string, f flags, h *Bool, def bool) *param {
	return &param{name: name, alias: alias, flags: f, kind: &boolKind{h: h, def: def}}
}

// intP is a signed numeric (int, long, long long, ssize_t, time_t, off_t).
func intP(name, alias string, f flags, min, max int64, h *Int, def int64, nf numFlags) *param {
	return &param{name: name, alias: alias, flags: f, kind: &numKind{i: h, min: min, max: max, def: def, nf: nf}}
}

// uintP is a numeric Redis bound-checks as unsigned (unsigned int, size_t).
func uintP(name, alias string, f flags, min, max int64, h *Int, def int64, nf numFlags) *param {
	return &param{name: name, alias: alias, flags: f, kind: &numKind{i: h, min: min, max: max, def: def, nf: nf, unsigned: true}}
}

// ullP is an unsigned long long memory value.
func ullP(name string, f flags, h *Uint, def int64) *param {
	return &param{name: name, flags: f, kind: &numKind{u: h, min: 0, max: -1 /* ULLONG_MAX */, def: def, nf: numMemory, unsigned: true}}
}

func enumP(name string, f flags, items []enumItem, h *Enum, def int, valid func(int) string) *param {
	return &param{name: name, flags: f, kind: &enumKind{h: h, items: items, def: def, bitflags: f&fMultiArg != 0, valid: valid}}
}

// strP is a string whose empty value is NULL (EMPTY_STRING_IS_NULL, NULL
// default); strDefP allows the empty string and has a default.
func strP(name, alias string, f flags, h *String, valid func(*Config, string) string) *param {
	return &param{name: name, alias: alias, flags: f, kind: &stringKind{h: h, emptyIsNull: true, valid: valid}}
}

func strDefP(name string, f flags, h *String, def string, valid func(*Config, string) string) *param {
	return &param{name: name, flags: f, kind: &stringKind{h: h, def: def, valid: valid}}
}

func special(name, alias string, f flags, k kind) *param {
	return &param{name: name, alias: alias, flags: f, kind: k}
}

const (
	mod   flags = 0 // MODIFIABLE_CONFIG
	imm         = fImmutable
	dbg         = fDebug
	multi       = fMultiArg
)

// table is Redis 7.0.15's static_configs (config.c), TLS rows included
// (redis-server is built with TLS), bound to c's handles.
func (c *Config) table() []*param {
	return []*param{
		// Bool configs.
		boolP("rdbchecksum", "", imm, &c.RDBChecksum, true),
		boolP("daemonize", "", imm, &c.Daemonize, false),
		boolP("io-threads-do-reads", "", dbg|imm, &c.IOThreadsDoReads, false),
		boolP("always-show-logo", "", imm, &c.AlwaysShowLogo, false),
		boolP("protected-mode", "", mod, &c.ProtectedMode, true),
		boolP("rdbcompression", "", mod, &c.RDBCompression, true),
		boolP("rdb-del-sync-files", "", mod, &c.RDBDelSyncFiles, false),
		boolP("activerehashing", "", mod, &c.ActiveRehashing, true),
		boolP("stop-writes-on-bgsave-error", "", mod, &c.StopWritesOnBgsaveError, true),
		boolP("set-proc-title", "", imm, &c.SetProcTitle, true),
		boolP("dynamic-hz", "", mod, &c.DynamicHz, true),
		boolP("lazyfree-lazy-eviction", "", dbg, &c.LazyfreeLazyEviction, false),
		boolP("lazyfree-lazy-expire", "", dbg, &c.LazyfreeLazyExpire, false),
		boolP("lazyfree-lazy-server-del", "", dbg, &c.LazyfreeLazyServerDel, false),
		boolP("lazyfree-lazy-user-del", "", dbg, &c.LazyfreeLazyUserDel, false),
		boolP("lazyfree-lazy-user-flush", "", dbg, &c.LazyfreeLazyUserFlush, false),
		boolP("repl-disable-tcp-nodelay", "", mod, &c.ReplDisableTCPNodelay, false),
		boolP("repl-diskless-sync", "", dbg, &c.ReplDisklessSync, true),
		boolP("aof-rewrite-incremental-fsync", "", mod, &c.AOFRewriteIncrementalFsync, true),
		boolP("no-appendfsync-on-rewrite", "", mod, &c.NoAppendfsyncOnRewrite, false),
		boolP("cluster-require-full-coverage", "", mod, &c.ClusterRequireFullCoverage, true),
		boolP("rdb-save-incremental-fsync", "", mod, &c.RDBSaveIncrementalFsync, true),
		boolP("aof-load-truncated", "", mod, &c.AOFLoadTruncated, true),
		boolP("aof-use-rdb-preamble", "", mod, &c.AOFUseRDBPreamble, true),
		boolP("aof-timestamp-enabled", "", mod, &c.AOFTimestampEnabled, false),
		boolP("cluster-replica-no-failover", "cluster-slave-no-failover", mod, &c.ClusterReplicaNoFailover, false),
		boolP("replica-lazy-flush", "slave-lazy-flush", mod, &c.ReplicaLazyFlush, false),
		boolP("replica-serve-stale-data", "slave-serve-stale-data", mod, &c.ReplicaServeStaleData, true),
		boolP("replica-read-only", "slave-read-only", dbg, &c.ReplicaReadOnly, true),
		boolP("replica-ignore-maxmemory", "slave-ignore-maxmemory", mod, &c.ReplicaIgnoreMaxmemory, true),
		boolP("jemalloc-bg-thread", "", mod, &c.JemallocBgThread, true),
		boolP("activedefrag", "", dbg, &c.ActiveDefrag, false),
		boolP("syslog-enabled", "", imm, &c.SyslogEnabled, false),
		boolP("cluster-enabled", "", imm, &c.ClusterEnabled, false),
		boolP("appendonly", "", fDenyLoading, &c.AppendOnly, false),
		boolP("cluster-allow-reads-when-down", "", mod, &c.ClusterAllowReadsWhenDown, false),
		boolP("cluster-allow-pubsubshard-when-down", "", mod, &c.ClusterAllowPubsubshardWhenDown, true),
		boolP("crash-log-enabled", "", mod, &c.CrashLogEnabled, true),
		boolP("crash-memcheck-enabled", "", mod, &c.CrashMemcheckEnabled, true),
		boolP("use-exit-on-panic", "", fHidden, &c.UseExitOnPanic, false),
		boolP("disable-thp", "", imm, &c.DisableTHP, true),
		boolP("cluster-allow-replica-migration", "", mod, &c.ClusterAllowReplicaMigration, true),
		boolP("replica-announced", "", mod, &c.ReplicaAnnounced, true),
		boolP("latency-tracking", "", mod, &c.LatencyTracking, true),
		boolP("aof-disable-auto-gc", "", mod, &c.AOFDisableAutoGC, false),
		boolP("replica-ignore-disk-write-errors", "", mod, &c.ReplicaIgnoreDiskWriteErrors, false),

		// String configs.
		strDefP("aclfile", imm, &c.ACLFile, "", nil),
		strP("unixsocket", "", imm, &c.UnixSocket, nil),
		strP("pidfile", "", imm, &c.PidFile, nil),
		strP("replica-announce-ip", "slave-announce-ip", mod, &c.ReplicaAnnounceIP, nil),
		strP("masteruser", "", fSensitive, &c.MasterUser, nil),
		strP("cluster-announce-ip", "", mod, &c.ClusterAnnounceIP, nil),
		strDefP("cluster-config-file", imm, &c.ClusterConfigFile, "nodes.conf", nil),
		strP("cluster-announce-hostname", "", mod, &c.ClusterAnnounceHostname, validAnnouncedHostname),
		strDefP("syslog-ident", imm, &c.SyslogIdent, "redis", nil),
		strDefP("dbfilename", fProtected, &c.DBFilename, "dump.rdb", validDBFilename),
		strDefP("appendfilename", imm, &c.AppendFilename, "appendonly.aof", validAOFFilename),
		strDefP("appenddirname", imm, &c.AppendDirname, "appendonlydir", validAOFDirname),
		strP("server_cpulist", "", imm, &c.ServerCPUList, nil),
		strP("bio_cpulist", "", imm, &c.BioCPUList, nil),
		strP("aof_rewrite_cpulist", "", imm, &c.AOFRewriteCPUList, nil),
		strP("bgsave_cpulist", "", imm, &c.BgsaveCPUList, nil),
		strDefP("ignore-warnings", mod, &c.IgnoreWarnings, "", nil),
		strDefP("proc-title-template", mod, &c.ProcTitleTemplate, "{title} {listen-addr} {server-mode}", validProcTitleTemplate),
		strP("bind-source-addr", "", mod, &c.BindSourceAddr, nil),
		strDefP("logfile", imm, &c.LogFile, "", nil),
		strP("masterauth", "", fSensitive, &c.MasterAuth, nil),
		strP("requirepass", "", fSensitive, &c.RequirePass, nil),

		// Enum configs.
		enumP("supervised", imm, enumSupervised, &c.Supervised, SupervisedNo, nil),
		enumP("syslog-facility", imm, enumSyslogFacility, &c.SyslogFacility, 16<<3, nil),
		enumP("repl-diskless-load", dbg|fDenyLoading, enumReplDisklessLoad, &c.ReplDisklessLoad, ReplDisklessLoadDisabled, nil),
		enumP("loglevel", mod, enumLogLevel, &c.LogLevel, LogNotice, nil),
		enumP("maxmemory-policy", mod, enumMaxmemoryPolicy, &c.MaxmemoryPolicy, MaxmemoryNoEviction, nil),
		enumP("appendfsync", mod, enumAppendfsync, &c.AppendFsync, AppendfsyncEverysec, nil),
		enumP("oom-score-adj", mod, enumOOMScoreAdj, &c.OOMScoreAdj, OOMScoreAdjNo, nil),
		enumP("acl-pubsub-default", mod, enumACLPubsubDefault, &c.ACLPubsubDefault, ACLPubsubResetChannels, nil),
		enumP("sanitize-dump-payload", dbg, enumSanitizeDump, &c.SanitizeDumpPayload, SanitizeDumpNo, nil),
		enumP("enable-protected-configs", imm, enumProtected, &c.EnableProtectedConfigs, ProtectedNo, nil),
		enumP("enable-debug-command", imm, enumProtected, &c.EnableDebugCommand, ProtectedNo, nil),
		enumP("enable-module-command", imm, enumProtected, &c.EnableModuleCommand, ProtectedNo, nil),
		enumP("cluster-preferred-endpoint-type", mod, enumClusterEndpoint, &c.ClusterPreferredEndpointType, ClusterEndpointIP, nil),
		enumP("propagation-error-behavior", mod, enumPropagationErr, &c.PropagationErrorBehavior, PropagationErrIgnore, nil),
		enumP("shutdown-on-sigint", multi, enumShutdown, &c.ShutdownOnSigint, ShutdownDefault, validShutdownFlags),
		enumP("shutdown-on-sigterm", multi, enumShutdown, &c.ShutdownOnSigterm, ShutdownDefault, validShutdownFlags),

		// Integer configs.
		intP("databases", "", imm, 1, intMax, &c.Databases, 16, 0),
		intP("port", "", mod, 0, 65535, &c.Port, 6379, 0),
		intP("io-threads", "", dbg|imm, 1, 128, &c.IOThreads, 1, 0),
		intP("auto-aof-rewrite-percentage", "", mod, 0, intMax, &c.AutoAOFRewritePercentage, 100, 0),
		intP("cluster-replica-validity-factor", "cluster-slave-validity-factor", mod, 0, intMax, &c.ClusterReplicaValidityFactor, 10, 0),
		intP("list-max-listpack-size", "list-max-ziplist-size", mod, intMin, intMax, &c.ListMaxListpackSize, -2, 0),
		intP("tcp-keepalive", "", mod, 0, intMax, &c.TCPKeepAlive, 300, 0),
		intP("cluster-migration-barrier", "", mod, 0, intMax, &c.ClusterMigrationBarrier, 1, 0),
		intP("active-defrag-cycle-min", "", mod, 1, 99, &c.ActiveDefragCycleMin, 1, 0),
		intP("active-defrag-cycle-max", "", mod, 1, 99, &c.ActiveDefragCycleMax, 25, 0),
		intP("active-defrag-threshold-lower", "", mod, 0, 1000, &c.ActiveDefragThresholdLower, 10, 0),
		intP("active-defrag-threshold-upper", "", mod, 0, 1000, &c.ActiveDefragThresholdUpper, 100, 0),
		intP("lfu-log-factor", "", mod, 0, intMax, &c.LFULogFactor, 10, 0),
		intP("lfu-decay-time", "", mod, 0, intMax, &c.LFUDecayTime, 1, 0),
		intP("replica-priority", "slave-priority", mod, 0, intMax, &c.ReplicaPriority, 100, 0),
		intP("repl-diskless-sync-delay", "", mod, 0, intMax, &c.ReplDisklessSyncDelay, 5, 0),
		intP("maxmemory-samples", "", mod, 1, intMax, &c.MaxmemorySamples, 5, 0),
		intP("maxmemory-eviction-tenacity", "", mod, 0, 100, &c.MaxmemoryEvictionTenacity, 10, 0),
		intP("timeout", "", mod, 0, intMax, &c.Timeout, 0, 0),
		intP("replica-announce-port", "slave-announce-port", mod, 0, 65535, &c.ReplicaAnnouncePort, 0, 0),
		intP("tcp-backlog", "", imm, 0, intMax, &c.TCPBacklog, 511, 0),
		intP("cluster-port", "", imm, 0, 65535, &c.ClusterPort, 0, 0),
		intP("cluster-announce-bus-port", "", mod, 0, 65535, &c.ClusterAnnounceBusPort, 0, 0),
		intP("cluster-announce-port", "", mod, 0, 65535, &c.ClusterAnnouncePort, 0, 0),
		intP("cluster-announce-tls-port", "", mod, 0, 65535, &c.ClusterAnnounceTLSPort, 0, 0),
		intP("repl-timeout", "", mod, 1, intMax, &c.ReplTimeout, 60, 0),
		intP("repl-ping-replica-period", "repl-ping-slave-period", mod, 1, intMax, &c.ReplPingReplicaPeriod, 10, 0),
		intP("list-compress-depth", "", dbg, 0, intMax, &c.ListCompressDepth, 0, 0),
		intP("rdb-key-save-delay", "", fHidden, intMin, intMax, &c.RDBKeySaveDelay, 0, 0),
		intP("key-load-delay", "", fHidden, intMin, intMax, &c.KeyLoadDelay, 0, 0),
		intP("active-expire-effort", "", mod, 1, 10, &c.ActiveExpireEffort, 1, 0),
		hzParam(&c.Hz),
		intP("min-replicas-to-write", "min-slaves-to-write", mod, 0, intMax, &c.MinReplicasToWrite, 0, 0),
		intP("min-replicas-max-lag", "min-slaves-max-lag", mod, 0, intMax, &c.MinReplicasMaxLag, 10, 0),
		intP("watchdog-period", "", fHidden, 0, intMax, &c.WatchdogPeriod, 0, 0),
		intP("shutdown-timeout", "", mod, 0, intMax, &c.ShutdownTimeout, 10, 0),
		intP("repl-diskless-sync-max-replicas", "", mod, 0, intMax, &c.ReplDisklessSyncMaxReplicas, 0, 0),

		// Unsigned int configs.
		uintP("maxclients", "", mod, 1, uintMax, &c.MaxClients, 10000, 0),
		uintP("unixsocketperm", "", imm, 0, 0o777, &c.UnixSocketPerm, 0, numOctal),
		uintP("socket-mark-id", "", imm, 0, uintMax, &c.SocketMarkID, 0, 0),

		// Unsigned long configs (bound-checked as signed by Redis).
		intP("active-defrag-max-scan-fields", "", mod, 1, longMax, &c.ActiveDefragMaxScanFields, 1000, 0),
		intP("slowlog-max-len", "", mod, 0, longMax, &c.SlowlogMaxLen, 128, 0),
		intP("acllog-max-len", "", mod, 0, longMax, &c.ACLLogMaxLen, 128, 0),

		// Long long configs.
		intP("busy-reply-threshold", "lua-time-limit", mod, 0, longMax, &c.BusyReplyThreshold, 5000, 0),
		intP("cluster-node-timeout", "", mod, 0, llongMax, &c.ClusterNodeTimeout, 15000, 0),
		intP("slowlog-log-slower-than", "", mod, -1, llongMax, &c.SlowlogLogSlowerThan, 10000, 0),
		intP("latency-monitor-threshold", "", mod, 0, llongMax, &c.LatencyMonitorThreshold, 0, 0),
		intP("proto-max-bulk-len", "", dbg, 1*mb, longMax, &c.ProtoMaxBulkLen, 512*mb, numMemory),
		intP("stream-node-max-entries", "", mod, 0, llongMax, &c.StreamNodeMaxEntries, 100, 0),
		intP("repl-backlog-size", "", mod, 1, llongMax, &c.ReplBacklogSize, 1*mb, numMemory),

		// Unsigned long long configs.
		ullP("maxmemory", mod, &c.Maxmemory, 0),
		ullP("cluster-link-sendbuf-limit", mod, &c.ClusterLinkSendbufLimit, 0),

		// Size_t configs.
		uintP("hash-max-listpack-entries", "hash-max-ziplist-entries", mod, 0, longMax, &c.HashMaxListpackEntries, 512, 0),
		uintP("set-max-intset-entries", "", mod, 0, longMax, &c.SetMaxIntsetEntries, 512, 0),
		uintP("zset-max-listpack-entries", "zset-max-ziplist-entries", mod, 0, longMax, &c.ZsetMaxListpackEntries, 128, 0),
		uintP("active-defrag-ignore-bytes", "", mod, 1, llongMax, &c.ActiveDefragIgnoreBytes, 100*mb, numMemory),
		uintP("hash-max-listpack-value", "hash-max-ziplist-value", mod, 0, longMax, &c.HashMaxListpackValue, 64, numMemory),
		uintP("stream-node-max-bytes", "", mod, 0, longMax, &c.StreamNodeMaxBytes, 4096, numMemory),
		uintP("zset-max-listpack-value", "zset-max-ziplist-value", mod, 0, longMax, &c.ZsetMaxListpackValue, 64, numMemory),
		uintP("hll-sparse-max-bytes", "", mod, 0, longMax, &c.HLLSparseMaxBytes, 3000, numMemory),
		uintP("tracking-table-max-keys", "", mod, 0, longMax, &c.TrackingTableMaxKeys, 1000000, 0),
		uintP("client-query-buffer-limit", "", dbg, 1*mb, longMax, &c.ClientQueryBufferLimit, 1024*mb, numMemory),
		intP("maxmemory-clients", "", mod, -100, math.MaxInt64, &c.MaxmemoryClients, 0, numMemory|numPercent),

		// Other numeric configs.
		intP("repl-backlog-ttl", "", mod, 0, longMax, &c.ReplBacklogTTL, 60*60, 0),
		intP("auto-aof-rewrite-min-size", "", mod, 0, llongMax, &c.AutoAOFRewriteMinSize, 64*mb, numMemory),
		intP("loading-process-events-interval-bytes", "", fHidden, 1024, intMax, &c.LoadingProcessEventsIntervalBytes, 2*mb, 0),

		// TLS configs.
		intP("tls-port", "", mod, 0, 65535, &c.TLSPort, 0, 0),
		intP("tls-session-cache-size", "", mod, 0, intMax, &c.TLSSessionCacheSize, 20*1024, 0),
		intP("tls-session-cache-timeout", "", mod, 0, intMax, &c.TLSSessionCacheTimeout, 300, 0),
		boolP("tls-cluster", "", mod, &c.TLSCluster, false),
		boolP("tls-replication", "", mod, &c.TLSReplication, false),
		enumP("tls-auth-clients", mod, enumTLSAuthClients, &c.TLSAuthClients, TLSAuthClientsYes, nil),
		boolP("tls-prefer-server-ciphers", "", mod, &c.TLSPreferServerCiphers, false),
		boolP("tls-session-caching", "", mod, &c.TLSSessionCaching, true),
		strP("tls-cert-file", "", fVolatile, &c.TLSCertFile, nil),
		strP("tls-key-file", "", fVolatile, &c.TLSKeyFile, nil),
		strP("tls-key-file-pass", "", mod, &c.TLSKeyFilePass, nil),
		strP("tls-client-cert-file", "", fVolatile, &c.TLSClientCertFile, nil),
		strP("tls-client-key-file", "", fVolatile, &c.TLSClientKeyFile, nil),
		strP("tls-client-key-file-pass", "", mod, &c.TLSClientKeyFilePass, nil),
		strP("tls-dh-params-file", "", fVolatile, &c.TLSDHParamsFile, nil),
		strP("tls-ca-cert-file", "", fVolatile, &c.TLSCACertFile, nil),
		strP("tls-ca-cert-dir", "", fVolatile, &c.TLSCACertDir, nil),
		strP("tls-protocols", "", mod, &c.TLSProtocols, nil),
		strP("tls-ciphers", "", mod, &c.TLSCiphers, nil),
		strP("tls-ciphersuites", "", mod, &c.TLSCiphersuites, nil),

		// Special configs.
		special("dir", "", fProtected|fDenyLoading, &dirKind{h: &c.Dir}),
		special("save", "", multi, &saveKind{h: &c.Save}),
		special("client-output-buffer-limit", "", multi, &coblKind{h: &c.ClientOutputBufferLimit}),
		special("oom-score-adj-values", "", multi, &oomKind{h: &c.OOMScoreAdjValues}),
		special("notify-keyspace-events", "", mod, &notifyKind{h: &c.NotifyKeyspaceEvents}),
		special("bind", "", multi, &bindKind{h: &c.Bind}),
		special("replicaof", "slaveof", imm|multi, &replicaofKind{h: &c.ReplicaOf}),
		special("latency-tracking-info-percentiles", "", multi, &percentilesKind{h: &c.LatencyTrackingInfoPercentiles}),
	}
}

// hzParam is hz: any non-negative int is accepted, but the stored value is
// clamped to 1..500 (updateHZ and the end of loadServerConfigFromString).
func hzParam(h *Int) *param {
	p := intP("hz", "", mod, 0, intMax, h, 10, 0)
	p.kind.(*numKind).normalize = clampHz
	return p
}

func clampHz(v int64) int64 { return min(max(v, 1), 500) }

// Validators (config.c isValid*).

func validDBFilename(_ *Config, v string) string {
	if strings.ContainsAny(v, `/\`) {
		return "dbfilename can't be a path, just a filename"
	}
	return ""
}

func validAOFFilename(_ *Config, v string) string {
	if v == "" {
		return "appendfilename can't be empty"
	}
	if strings.ContainsAny(v, `/\`) {
		return "appendfilename can't be a path, just a filename"
	}
	return ""
}

func validAOFDirname(_ *Config, v string) string {
	if v == "" {
		return "appenddirname can't be empty"
	}
	if strings.ContainsAny(v, `/\`) {
		return "appenddirname can't be a path, just a dirname"
	}
	return ""
}

func validShutdownFlags(v int) string {
	if v&ShutdownNoSave != 0 && v&ShutdownSave != 0 {
		return "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	return ""
}

func validAnnouncedHostname(_ *Config, v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch == 0 {
			break
		}
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// validProcTitleTemplate expands the template as validateProcTitleTemplate
// (server.c) does, with an empty title and the current settings: unknown
// variables, an unterminated "{" and an empty (or all-blank) result are
// invalid.
func validProcTitleTemplate(c *Config, tmpl string) string {
	const bad = "template format is invalid or contains unknown variables"
	if i := strings.IndexByte(tmpl, 0); i >= 0 {
		tmpl = tmpl[:i]
	}
	var res strings.Builder
	p := tmpl
	for p != "" {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			res.WriteString(p)
			break
		}
		res.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return bad
		}
		if p[0] == '{' {
			res.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return bad
		}
		switch p[:j] {
		case "title":
		case "listen-addr":
			port, tls := c.Port.Load(), c.TLSPort.Load()
			if port != 0 || tls != 0 {
				addr := "*"
				if b := c.Bind.Load(); len(b) > 0 {
					addr = b[0]
				}
				if port == 0 {
					port = tls
				}
				res.WriteString(addr + ":" + itoa(port))
			} else {
				res.WriteString("unixsocket:" + c.UnixSocket.Load())
			}
		case "server-mode":
			if c.ClusterEnabled.Load() {
				res.WriteString("[cluster]")
			}
		case "config-file":
			if c.configFile != "" {
				res.WriteString(c.configFile)
			} else {
				res.WriteString("-")
			}
		case "port":
			res.WriteString(itoa(c.Port.Load()))
		case "tls-port":
			res.WriteString(itoa(c.TLSPort.Load()))
		case "unixsocket":
			res.WriteString(c.UnixSocket.Load())
		default:
			return bad
		}
		p = p[j+1:]
	}
	if strings.Trim(res.String(), " ") == "" {
		return bad
	}
	return ""
}
