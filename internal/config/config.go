package config

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Version is the Redis version whose configuration this package reproduces;
// it appears in startup error texts.
const Version = "7.0.15"

// Config is one server's configuration. Every Redis 7.0 parameter has a typed
// handle field below, named after the parameter; hot paths read them with
// Load (one atomic read). Changes go through Load-time parsing, Set and
// the table in table.go only.
//
// Get, Set, Rewrite and OnChange are safe for concurrent use; they serialize
// on an internal mutex. A multi-parameter Set is atomic for other Set, Get
// and Rewrite calls, but a hot-path reader may observe some of its new
// values before others (as a Redis module thread could).
type Config struct {
	// Network.
	Port             Int             // port
	Bind             Value[[]string] // bind
	BindSourceAddr   String          // bind-source-addr
	UnixSocket       String          // unixsocket
	UnixSocketPerm   Int             // unixsocketperm (octal in text form)
	ProtectedMode    Bool            // protected-mode
	TCPBacklog       Int             // tcp-backlog
	TCPKeepAlive     Int             // tcp-keepalive
	Timeout          Int             // timeout (seconds)
	SocketMarkID     Int             // socket-mark-id
	MaxClients       Int             // maxclients
	IOThreads        Int             // io-threads
	IOThreadsDoReads Bool            // io-threads-do-reads

	// TLS.
	TLSPort                Int    // tls-port
	TLSCertFile            String // tls-cert-file
	TLSKeyFile             String // tls-key-file
	TLSKeyFilePass         String // tls-key-file-pass
	TLSClientCertFile      String // tls-client-cert-file
	TLSClientKeyFile       String // tls-client-key-file
	TLSClientKeyFilePass   String // tls-client-key-file-pass
	TLSDHParamsFile        String // tls-dh-params-file
	TLSCACertFile          String // tls-ca-cert-file
	TLSCACertDir           String // tls-ca-cert-dir
	TLSProtocols           String // tls-protocols
	TLSCiphers             String // tls-ciphers
	TLSCiphersuites        String // tls-ciphersuites
	TLSAuthClients         Enum   // tls-auth-clients
	TLSReplication         Bool   // tls-replication
	TLSCluster             Bool   // tls-cluster
	TLSPreferServerCiphers Bool   // tls-prefer-server-ciphers
	TLSSessionCaching      Bool   // tls-session-caching
	TLSSessionCacheSize    Int    // tls-session-cache-size
	TLSSessionCacheTimeout Int    // tls-session-cache-timeout

	// General.
	Daemonize              Bool                     // daemonize
	Supervised             Enum                     // supervised
	PidFile                String                   // pidfile
	LogLevel               Enum                     // loglevel
	LogFile                String                   // logfile
	SyslogEnabled          Bool                     // syslog-enabled
	SyslogIdent            String                   // syslog-ident
	SyslogFacility         Enum                     // syslog-facility
	CrashLogEnabled        Bool                     // crash-log-enabled
	CrashMemcheckEnabled   Bool                     // crash-memcheck-enabled
	Databases              Int                      // databases
	AlwaysShowLogo         Bool                     // always-show-logo
	SetProcTitle           Bool                     // set-proc-title
	ProcTitleTemplate      String                   // proc-title-template
	Hz                     Int                      // hz (clamped to 1..500 like Redis)
	DynamicHz              Bool                     // dynamic-hz
	ActiveRehashing        Bool                     // activerehashing
	ActiveExpireEffort     Int                      // active-expire-effort
	EnableProtectedConfigs Enum                     // enable-protected-configs
	EnableDebugCommand     Enum                     // enable-debug-command
	EnableModuleCommand    Enum                     // enable-module-command
	IgnoreWarnings         String                   // ignore-warnings
	DisableTHP             Bool                     // disable-thp
	JemallocBgThread       Bool                     // jemalloc-bg-thread
	OOMScoreAdj            Enum                     // oom-score-adj
	OOMScoreAdjValues      Value[OOMScoreAdjValues] // oom-score-adj-values
	ServerCPUList          String                   // server_cpulist
	BioCPUList             String                   // bio_cpulist
	AOFRewriteCPUList      String                   // aof_rewrite_cpulist
	BgsaveCPUList          String                   // bgsave_cpulist
	ShutdownTimeout        Int                      // shutdown-timeout
	ShutdownOnSigint       Enum                     // shutdown-on-sigint (Shutdown* flags)
	ShutdownOnSigterm      Enum                     // shutdown-on-sigterm (Shutdown* flags)
	UseExitOnPanic         Bool                     // use-exit-on-panic (hidden)
	WatchdogPeriod         Int                      // watchdog-period (hidden)

	// Snapshotting.
	Save                              Value[[]SavePoint] // save
	StopWritesOnBgsaveError           Bool               // stop-writes-on-bgsave-error
	RDBCompression                    Bool               // rdbcompression
	RDBChecksum                       Bool               // rdbchecksum
	RDBDelSyncFiles                   Bool               // rdb-del-sync-files
	RDBSaveIncrementalFsync           Bool               // rdb-save-incremental-fsync
	DBFilename                        String             // dbfilename
	Dir                               String             // dir (absolute path)
	SanitizeDumpPayload               Enum               // sanitize-dump-payload
	RDBKeySaveDelay                   Int                // rdb-key-save-delay (hidden)
	KeyLoadDelay                      Int                // key-load-delay (hidden)
	LoadingProcessEventsIntervalBytes Int                // loading-process-events-interval-bytes (hidden)

	// Append only file.
	AppendOnly                 Bool   // appendonly
	AppendFilename             String // appendfilename
	AppendDirname              String // appenddirname
	AppendFsync                Enum   // appendfsync
	NoAppendfsyncOnRewrite     Bool   // no-appendfsync-on-rewrite
	AutoAOFRewritePercentage   Int    // auto-aof-rewrite-percentage
	AutoAOFRewriteMinSize      Int    // auto-aof-rewrite-min-size
	AOFLoadTruncated           Bool   // aof-load-truncated
	AOFUseRDBPreamble          Bool   // aof-use-rdb-preamble
	AOFTimestampEnabled        Bool   // aof-timestamp-enabled
	AOFRewriteIncrementalFsync Bool   // aof-rewrite-incremental-fsync
	AOFDisableAutoGC           Bool   // aof-disable-auto-gc

	// Security.
	RequirePass      String // requirepass
	ACLFile          String // aclfile
	ACLLogMaxLen     Int    // acllog-max-len
	ACLPubsubDefault Enum   // acl-pubsub-default

	// Replication.
	ReplicaOf                    Value[ReplicaOf] // replicaof, slaveof
	MasterAuth                   String           // masterauth
	MasterUser                   String           // masteruser
	ReplicaServeStaleData        Bool             // replica-serve-stale-data
	ReplicaReadOnly              Bool             // replica-read-only
	ReplDisklessSync             Bool             // repl-diskless-sync
	ReplDisklessSyncDelay        Int              // repl-diskless-sync-delay
	ReplDisklessSyncMaxReplicas  Int              // repl-diskless-sync-max-replicas
	ReplDisklessLoad             Enum             // repl-diskless-load
	ReplPingReplicaPeriod        Int              // repl-ping-replica-period
	ReplTimeout                  Int              // repl-timeout
	ReplDisableTCPNodelay        Bool             // repl-disable-tcp-nodelay
	ReplBacklogSize              Int              // repl-backlog-size
	ReplBacklogTTL               Int              // repl-backlog-ttl
	ReplicaPriority              Int              // replica-priority
	ReplicaAnnounced             Bool             // replica-announced
	ReplicaAnnounceIP            String           // replica-announce-ip
	ReplicaAnnouncePort          Int              // replica-announce-port
	MinReplicasToWrite           Int              // min-replicas-to-write
	MinReplicasMaxLag            Int              // min-replicas-max-lag
	ReplicaLazyFlush             Bool             // replica-lazy-flush
	ReplicaIgnoreMaxmemory       Bool             // replica-ignore-maxmemory
	ReplicaIgnoreDiskWriteErrors Bool             // replica-ignore-disk-write-errors
	PropagationErrorBehavior     Enum             // propagation-error-behavior

	// Memory management and lazy freeing.
	Maxmemory                 Uint // maxmemory
	MaxmemoryPolicy           Enum // maxmemory-policy
	MaxmemorySamples          Int  // maxmemory-samples
	MaxmemoryEvictionTenacity Int  // maxmemory-eviction-tenacity
	MaxmemoryClients          Int  // maxmemory-clients (-p for p%)
	LazyfreeLazyEviction      Bool // lazyfree-lazy-eviction
	LazyfreeLazyExpire        Bool // lazyfree-lazy-expire
	LazyfreeLazyServerDel     Bool // lazyfree-lazy-server-del
	LazyfreeLazyUserDel       Bool // lazyfree-lazy-user-del
	LazyfreeLazyUserFlush     Bool // lazyfree-lazy-user-flush
	LFULogFactor              Int  // lfu-log-factor
	LFUDecayTime              Int  // lfu-decay-time

	// Active defragmentation.
	ActiveDefrag               Bool // activedefrag
	ActiveDefragIgnoreBytes    Int  // active-defrag-ignore-bytes
	ActiveDefragThresholdLower Int  // active-defrag-threshold-lower
	ActiveDefragThresholdUpper Int  // active-defrag-threshold-upper
	ActiveDefragCycleMin       Int  // active-defrag-cycle-min
	ActiveDefragCycleMax       Int  // active-defrag-cycle-max
	ActiveDefragMaxScanFields  Int  // active-defrag-max-scan-fields

	// Clients and protocol.
	ClientOutputBufferLimit Value[OutputBufferLimits] // client-output-buffer-limit
	ClientQueryBufferLimit  Int                       // client-query-buffer-limit
	ProtoMaxBulkLen         Int                       // proto-max-bulk-len
	BusyReplyThreshold      Int                       // busy-reply-threshold, lua-time-limit (ms)
	TrackingTableMaxKeys    Int                       // tracking-table-max-keys

	// Monitoring.
	SlowlogLogSlowerThan           Int              // slowlog-log-slower-than (µs)
	SlowlogMaxLen                  Int              // slowlog-max-len
	LatencyMonitorThreshold        Int              // latency-monitor-threshold (ms)
	LatencyTracking                Bool             // latency-tracking
	LatencyTrackingInfoPercentiles Value[[]float64] // latency-tracking-info-percentiles
	NotifyKeyspaceEvents           Int              // notify-keyspace-events (Notify* flags)

	// Data type encodings.
	HashMaxListpackEntries Int // hash-max-listpack-entries, hash-max-ziplist-entries
	HashMaxListpackValue   Int // hash-max-listpack-value, hash-max-ziplist-value
	ListMaxListpackSize    Int // list-max-listpack-size, list-max-ziplist-size
	ListCompressDepth      Int // list-compress-depth
	SetMaxIntsetEntries    Int // set-max-intset-entries
	ZsetMaxListpackEntries Int // zset-max-listpack-entries, zset-max-ziplist-entries
	ZsetMaxListpackValue   Int // zset-max-listpack-value, zset-max-ziplist-value
	HLLSparseMaxBytes      Int // hll-sparse-max-bytes
	StreamNodeMaxBytes     Int // stream-node-max-bytes
	StreamNodeMaxEntries   Int // stream-node-max-entries

	// Cluster.
	ClusterEnabled                  Bool   // cluster-enabled
	ClusterConfigFile               String // cluster-config-file
	ClusterNodeTimeout              Int    // cluster-node-timeout
	ClusterPort                     Int    // cluster-port
	ClusterReplicaValidityFactor    Int    // cluster-replica-validity-factor
	ClusterMigrationBarrier         Int    // cluster-migration-barrier
	ClusterAllowReplicaMigration    Bool   // cluster-allow-replica-migration
	ClusterRequireFullCoverage      Bool   // cluster-require-full-coverage
	ClusterReplicaNoFailover        Bool   // cluster-replica-no-failover
	ClusterAllowReadsWhenDown       Bool   // cluster-allow-reads-when-down
	ClusterAllowPubsubshardWhenDown Bool   // cluster-allow-pubsubshard-when-down
	ClusterLinkSendbufLimit         Uint   // cluster-link-sendbuf-limit
	ClusterAnnounceIP               String // cluster-announce-ip
	ClusterAnnounceHostname         String // cluster-announce-hostname
	ClusterAnnouncePort             Int    // cluster-announce-port
	ClusterAnnounceBusPort          Int    // cluster-announce-bus-port
	ClusterAnnounceTLSPort          Int    // cluster-announce-tls-port
	ClusterPreferredEndpointType    Enum   // cluster-preferred-endpoint-type

	mu         sync.Mutex // guards the fields below and serializes changes
	params     []*param   // the table, in table order
	entries    []*entry   // params and their aliases, in table order
	byName     map[string]*entry
	configFile string // absolute path of the loaded file, "" if none
	hooks      map[*param][]*hook
	users      func() []string
	directives []Directive
}

// entry is a name under which a parameter is registered: its own name or
// its alias. Redis registers both as separate dictionary entries, which
// shows in CONFIG GET (both names reported) and in CONFIG SET's duplicate
// check (a name and its alias are not duplicates).
type entry struct {
	name  string
	p     *param
	alias bool
}

type hook struct{ fn func() error }

// New returns a Config holding Redis 7.0.15's defaults, with dir set to the
// process's working directory.
func New() *Config {
	c := &Config{hooks: map[*param][]*hook{}}
	c.params = c.table()
	c.byName = make(map[string]*entry, 2*len(c.params))
	for _, p := range c.params {
		p.kind.setDefault(c)
		c.register(&entry{name: p.name, p: p})
		if p.alias != "" {
			c.register(&entry{name: p.alias, p: p, alias: true})
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if real, err := filepath.EvalSymlinks(wd); err == nil {
			wd = real
		}
		c.Dir.store(wd)
	}
	return c
}

func (c *Config) register(e *entry) {
	if _, dup := c.byName[e.name]; dup {
		panic("BUG: config parameter registered twice: " + e.name)
	}
	c.byName[e.name] = e
	c.entries = append(c.entries, e)
}

// lookup finds a parameter by name or alias, ignoring ASCII case.
func (c *Config) lookup(name string) *entry {
	if e, ok := c.byName[name]; ok {
		return e
	}
	return c.byName[strings.ToLower(name)]
}

// ConfigFile returns the absolute path of the configuration file the Config
// was loaded from, or "" (INFO's config_file field).
func (c *Config) ConfigFile() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.configFile
}

// Info describes a configuration parameter.
type Info struct {
	Name      string // canonical name
	Alias     string // the other name, or ""
	Immutable bool   // cannot be changed by CONFIG SET
	Protected bool   // settable only as enable-protected-configs allows
	Sensitive bool   // CONFIG SET must redact its value from logs/monitor
	Hidden    bool   // excluded from CONFIG GET patterns
	MultiArg  bool   // takes several space-separated values
}

// Lookup describes the parameter registered under name (or its alias),
// ignoring case. The CONFIG SET handler uses it to redact sensitive values.
func (c *Config) Lookup(name string) (Info, bool) {
	e := c.lookup(name)
	if e == nil {
		return Info{}, false
	}
	p := e.p
	return Info{
		Name:      p.name,
		Alias:     p.alias,
		Immutable: p.flags&fImmutable != 0,
		Protected: p.flags&fProtected != 0,
		Sensitive: p.flags&fSensitive != 0,
		Hidden:    p.flags&fHidden != 0,
		MultiArg:  p.flags&fMultiArg != 0,
	}, true
}

// Names returns every registered name (parameters and aliases) in table
// order, hidden ones included.
func (c *Config) Names() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.name
	}
	return out
}

// Get implements CONFIG GET: it returns the name/value pairs matching any
// of the patterns. A pattern without glob characters is looked up exactly
// (case-insensitively, hidden parameters included) and reported under the
// spelling given; a glob pattern matches registered names, aliases included,
// case-insensitively and skips hidden parameters. Each name is reported
// once; values are formatted exactly as Redis 7.0 prints them.
func (c *Config) Get(patterns ...string) [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][2]string
	seen := map[string]bool{}
	var buf []byte
	add := func(name string, p *param) {
		buf = p.kind.get(c, buf[:0])
		out = append(out, [2]string{name, string(buf)})
		seen[strings.ToLower(name)] = true
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "[*?") {
			if seen[strings.ToLower(pat)] {
				continue
			}
			if e := c.lookup(pat); e != nil {
				add(pat, e.p)
			}
			continue
		}
		for _, e := range c.entries {
			if e.p.flags&fHidden != 0 || seen[e.name] {
				continue
			}
			if StringMatch(pat, e.name, true) {
				add(e.name, e.p)
			}
		}
	}
	return out
}

// OnChange registers fn to run after a CONFIG SET changed the parameter
// name (or its alias). Hooks run after every value of the SET is stored, so
// fn sees the new values through the handle fields. If a hook fails, every
// parameter of the SET is restored, the hooks run again, and Set returns
// the error "ERR CONFIG SET failed (possibly related to argument 'name') -
// <fn's error>". Hooks run with the Config's lock held: they must not call
// Get, Set, Rewrite or OnChange. OnChange panics on an unknown name.
func (c *Config) OnChange(name string, fn func() error) {
	e := c.lookup(name)
	if e == nil {
		panic("BUG: OnChange for unknown config parameter " + name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks[e.p] = append(c.hooks[e.p], &hook{fn: fn})
}

// OnRewriteUsers registers the source of "user ..." lines for Rewrite
// (the ACL's current users, as ACL SAVE would describe them, each a full
// line such as "user default on nopass ~* &* +@all"). Without it, Rewrite
// leaves the file's user lines as they are.
func (c *Config) OnRewriteUsers(fn func() []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users = fn
}

// Directives returns the directives Load accepted that are not parameters
// (include excluded): user, rename-command, loadmodule, sentinel,
// module parameters (names with a dot), in file order.
func (c *Config) Directives() []Directive {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Directive(nil), c.directives...)
}
