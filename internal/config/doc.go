// Package config is Cinnabar's configuration: Redis 7.0.15's configuration
// parameters, their parsing from redis.conf and the command line, and the
// logic of CONFIG GET, CONFIG SET and CONFIG REWRITE.
//
// # The table
//
// Every parameter of Redis 7.0.15 (src/config.c static_configs, TLS ones
// included) is a row of the table in table.go: name, alias (slaveof for
// replicaof, hash-max-ziplist-entries for hash-max-listpack-entries, ...),
// flags (immutable, protected, sensitive, hidden, multi-argument,
// deny-loading), type, bounds and default. Parameters Cinnabar does not act
// on are accepted and stored all the same, so clients and Redis's test suite
// can CONFIG GET and SET them. The types are Redis's:
//
//   - bool: yes/no, case-insensitive.
//   - numeric: integers Redis parses strictly (no blanks, no '+', no leading
//     zeros); memory values with units b, k=1000, kb=1024, m, mb, g, gb
//     (case-insensitive); percentages ("10%", stored as -10); octal
//     (unixsocketperm). Bounds are checked as in config.c, signed or
//     unsigned according to the C type.
//   - enum: one name, or for shutdown-on-sigint/sigterm several flags.
//   - string: with or without "empty means unset".
//   - special: dir, save, client-output-buffer-limit, oom-score-adj-values,
//     notify-keyspace-events, bind, replicaof, latency-tracking-info-percentiles.
//
// # Reading values
//
// Each parameter has a typed handle field in Config (Port, Maxmemory,
// MaxmemoryPolicy, Save, ...): Load is a single atomic read, for hot paths.
// There is no package-level mutable state; several Configs can live in one
// process. Unlike Redis, setting dir does not chdir: Config.Dir holds the
// absolute directory and the server resolves relative file names
// (dbfilename, appenddirname, ...) against it.
//
// # Loading
//
// Load takes redis-server's arguments: an optional configuration file (or
// "-" for standard input) followed by "--name value..." options, which are
// turned into configuration lines and read after the file, exactly as
// redis-server does (line numbers in errors included). The file syntax is
// redis.conf's: one directive per line, '#' comments, arguments split like
// sdssplitargs ("double quotes" with \n \r \t \b \a \xHH escapes, 'single
// quotes'), include (with globs), multi-argument directives such as
// "save 900 1 300 10", and user / rename-command / loadmodule directives,
// which are handed to the server (LoadOptions.Directive, Config.Directives).
// A bad line fails with a *FatalError whose text is redis-server's:
//
//	*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
//	Reading the configuration file, at line 2
//	>>> 'foo bar'
//	Bad directive or wrong number of arguments
//
// # CONFIG GET, SET and REWRITE
//
// Get matches names with Redis's glob matcher (StringMatch), reports
// aliases as separate names and formats values as Redis does. Set (and
// SetWith) validates every name/value pair before storing any, then runs
// the hooks registered with OnChange; a failing hook restores all values.
// Rewrite updates the loaded file in place as CONFIG REWRITE does. All
// errors returned by Get/Set/Rewrite are Redis's reply texts, "ERR " prefix
// included, so the command handler can send them as they are.
package config
