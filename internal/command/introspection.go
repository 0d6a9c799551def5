package command

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// Introspection commands: COMMAND, SLOWLOG, LATENCY, MONITOR, MEMORY
// and DEBUG (server.c, slowlog.c, latency.c, object.c, debug.c).
func introspectionCommands() []*Spec {
	return []*Spec{
		{Name: "command", Handler: commandCommand},
		{Name: "command|count", Handler: commandCountCommand},
		{Name: "command|list", Handler: commandListCommand},
		{Name: "command|info", Handler: commandInfoCommand},
		{Name: "command|docs", Handler: commandDocsCommand},
		{Name: "command|getkeys", Handler: commandGetKeysCommand},
		{Name: "command|getkeysandflags", Handler: commandGetKeysAndFlagsCommand},
		{Name: "command|help", Handler: commandHelpCommand},

		{Name: "slowlog", Handler: containerCommand},
		{Name: "slowlog|get", Handler: slowlogGetCommand},
		{Name: "slowlog|len", Handler: slowlogLenCommand},
		{Name: "slowlog|reset", Handler: slowlogResetCommand},
		{Name: "slowlog|help", Handler: slowlogHelpCommand},

		{Name: "latency", Handler: containerCommand},
		{Name: "latency|latest", Handler: latencyLatestCommand},
		{Name: "latency|history", Handler: latencyHistoryCommand},
		{Name: "latency|reset", Handler: latencyResetCommand},
		{Name: "latency|graph", Handler: latencyGraphCommand},
		{Name: "latency|doctor", Handler: latencyDoctorCommand},
		{Name: "latency|histogram", Handler: latencyHistogramCommand},
		{Name: "latency|help", Handler: latencyHelpCommand},

		{Name: "monitor", Handler: monitorCommand},

		{Name: "memory", Handler: containerCommand},
		{Name: "memory|usage", Handler: memoryUsageCommand},
		{Name: "memory|stats", Handler: memoryStatsCommand, Lock: LockSelf},
		{Name: "memory|doctor", Handler: memoryDoctorCommand},
		{Name: "memory|malloc-stats", Handler: memoryMallocStatsCommand},
		{Name: "memory|purge", Handler: memoryPurgeCommand},
		{Name: "memory|help", Handler: memoryHelpCommand},

		{Name: "debug", Handler: debugCommand, Lock: LockSelf},
	}
}

// ---------------------------------------------------------------- COMMAND

// implemented returns m as COMMAND shows it: nil if Cinnabar implements
// neither m nor any of its subcommands, else m, or a copy of m without the
// subcommands Cinnabar lacks.
func (e *Engine) implemented(m *meta.Command) *meta.Command {
	if m == nil {
		return nil
	}
	if len(m.Subcommands) == 0 {
		if e.SpecOf(m) == nil {
			return nil
		}
		return m
	}
	var subs []*meta.Command
	for _, s := range m.Subcommands {
		if e.SpecOf(s) != nil {
			subs = append(subs, s)
		}
	}
	switch {
	case len(subs) == len(m.Subcommands):
		return m
	case len(subs) == 0 && e.SpecOf(m) == nil:
		return nil
	}
	cp := *m
	cp.Subcommands = subs
	return &cp
}

// implementedCommands lists the implemented top-level commands in name order.
func (e *Engine) implementedCommands() []*meta.Command {
	var out []*meta.Command
	for _, m := range e.Meta.All() {
		if im := e.implemented(m); im != nil {
			out = append(out, im)
		}
	}
	return out
}

// lookupFullName is lookupCommandBySds restricted to what is implemented.
func (e *Engine) lookupFullName(name []byte) *meta.Command {
	return e.implemented(e.Meta.LookupFullName(name))
}

func commandCommand(c *Ctx) {
	cmds := c.E.implementedCommands()
	c.W.Array(len(cmds))
	for _, m := range cmds {
		m.WriteInfo(c.W)
	}
}

func commandCountCommand(c *Ctx) { c.W.Int(int64(len(c.E.implementedCommands()))) }

// commandListCommand is COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN pat].
func commandListCommand(c *Ctx) {
	var filter func(m *meta.Command) bool
	for i := 2; i < len(c.Argv); i++ {
		if !c.Is(i, "filterby") || len(c.Argv)-1-i != 2 {
			c.Error(ErrSyntax)
			return
		}
		arg := string(c.Argv[i+2])
		switch {
		case c.Is(i+1, "module"):
			filter = func(*meta.Command) bool { return false } // no modules
		case c.Is(i+1, "aclcat"):
			filter = func(m *meta.Command) bool {
				for _, cat := range m.ACLCategories {
					if strings.EqualFold(cat, arg) {
						return true
					}
				}
				return false
			}
		case c.Is(i+1, "pattern"):
			filter = func(m *meta.Command) bool { return config.StringMatch(arg, m.Name, true) }
		default:
			c.Error(ErrSyntax)
			return
		}
		i += 2
	}
	d := c.W.Defer()
	n := 0
	for _, m := range c.E.implementedCommands() {
		if filter == nil || filter(m) {
			c.W.BulkString(m.Name)
			n++
		}
		for _, sub := range m.Subcommands {
			if filter == nil || filter(sub) {
				c.W.BulkString(sub.Name)
				n++
			}
		}
	}
	c.W.FinishArray(d, n)
}

func commandInfoCommand(c *Ctx) {
	if len(c.Argv) == 2 {
		commandCommand(c)
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, name := range c.Argv[2:] {
		c.E.lookupFullName(name).WriteInfo(c.W)
	}
}

func commandDocsCommand(c *Ctx) {
	if len(c.Argv) == 2 {
		cmds := c.E.implementedCommands()
		c.W.Map(len(cmds))
		for _, m := range cmds {
			c.W.BulkString(m.Name)
			m.WriteDocs(c.W)
		}
		return
	}
	d := c.W.Defer()
	n := 0
	for _, name := range c.Argv[2:] {
		m := c.E.lookupFullName(name)
		if m == nil {
			continue
		}
		c.W.BulkString(m.Name)
		m.WriteDocs(c.W)
		n++
	}
	c.W.FinishMap(d, n)
}

func commandGetKeysCommand(c *Ctx)         { getKeys(c, false) }
func commandGetKeysAndFlagsCommand(c *Ctx) { getKeys(c, true) }

// getKeys is getKeysSubcommandImpl.
func getKeys(c *Ctx, withFlags bool) {
	argv := c.Argv[2:]
	m := c.E.Meta.LookupArgv(argv)
	if m == nil || c.E.implemented(m) == nil {
		c.Error(meta.ErrInvalidCommand.Error())
		return
	}
	keys, err := m.Keys(argv, nil)
	if err != nil {
		c.Error(err.Error())
		return
	}
	c.W.Array(len(keys))
	for _, k := range keys {
		if withFlags {
			c.W.Array(2)
			c.W.Bulk(argv[k.Pos])
			meta.WriteKeyFlags(c.W, k.Flags)
			continue
		}
		c.W.Bulk(argv[k.Pos])
	}
}

func commandHelpCommand(c *Ctx) {
	writeHelp(c,
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	)
}

// ---------------------------------------------------------------- SLOWLOG

func slowlogGetCommand(c *Ctx) {
	if len(c.Argv) > 3 {
		subcommandSyntaxError(c)
		return
	}
	n := 10
	if len(c.Argv) == 3 {
		v, ok := parseInt(c.Argv[2])
		if !ok || v < -1 {
			c.Error(ErrSlowlogCount)
			return
		}
		n = -1
		if v >= 0 && v < 1<<31 {
			n = int(v)
		}
	}
	entries := c.E.Slowlog.Get(n)
	c.W.Array(len(entries))
	for _, se := range entries {
		c.W.Array(6)
		c.W.Int(se.ID)
		c.W.Int(se.Time)
		c.W.Int(se.Duration)
		c.W.Array(len(se.Argv))
		for _, a := range se.Argv {
			c.W.Bulk(a)
		}
		c.W.BulkString(se.Addr)
		c.W.BulkString(se.Name)
	}
}

func slowlogLenCommand(c *Ctx) { c.W.Int(int64(c.E.Slowlog.Len())) }

func slowlogResetCommand(c *Ctx) {
	c.E.Slowlog.Reset()
	c.W.OK()
}

func slowlogHelpCommand(c *Ctx) {
	writeHelp(c,
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	)
}

// ---------------------------------------------------------------- LATENCY

// LatencyHistogram is a command's latency distribution for LATENCY
// HISTOGRAM and INFO latencystats (Redis keeps an HdrHistogram per
// command). Durations are kept in nanoseconds, as Redis records them,
// between 1 ns and 1 s, in buckets a sixteenth of a power of two wide
// (values below 16 ns have a bucket each). It is allocated on the first
// call and dropped by CONFIG RESETSTAT, so a command without calls since
// then has no histogram.
type LatencyHistogram struct {
	counts atomic.Pointer[[histBuckets]atomic.Int64]
}

const (
	histSubBits = 4
	histSub     = 1 << histSubBits
	histMaxNs   = 1e9
	// 1e9 < 2^30: powers 2^4..2^29 have histSub buckets each, plus the
	// histSub single values below 2^4.
	histBuckets = (30 - histSubBits + 1) * histSub
)

// histIndex is the bucket of a duration of ns nanoseconds (1..1e9).
func histIndex(ns uint64) int {
	if ns < histSub {
		return int(ns)
	}
	m := bits.Len64(ns) - 1 // >= histSubBits
	return (m-histSubBits+1)*histSub + int(ns>>(m-histSubBits)&(histSub-1))
}

// histBounds returns the smallest and largest value of bucket i.
func histBounds(i int) (lo, hi uint64) {
	if i < histSub {
		return uint64(i), uint64(i)
	}
	m := i/histSub + histSubBits - 1
	lo = uint64(histSub+i%histSub) << (m - histSubBits)
	return lo, lo + 1<<(m-histSubBits) - 1
}

// Record adds one call that took dur. Durations are truncated to whole
// microseconds as Redis measures them.
func (h *LatencyHistogram) Record(dur time.Duration) { h.add(histBucket(dur), 1) }

// histBucket is the histogram bucket of a call that took dur.
func histBucket(dur time.Duration) int {
	ns := uint64(dur.Microseconds()) * 1000
	if dur < 0 {
		ns = 0
	}
	return histIndex(min(max(ns, 1), histMaxNs))
}

// add records n calls in bucket i.
func (h *LatencyHistogram) add(i int, n int64) {
	p := h.counts.Load()
	if p == nil {
		p = new([histBuckets]atomic.Int64)
		if !h.counts.CompareAndSwap(nil, p) {
			p = h.counts.Load()
		}
	}
	p[i].Add(n)
}

// Reset drops the histogram.
func (h *LatencyHistogram) Reset() { h.counts.Store(nil) }

// snapshot copies the counts; ok is false when there is no histogram.
func (h *LatencyHistogram) snapshot() (counts [histBuckets]int64, total int64, ok bool) {
	p := h.counts.Load()
	if p == nil {
		return counts, 0, false
	}
	for i := range p {
		counts[i] = p[i].Load()
		total += counts[i]
	}
	return counts, total, true
}

// trackLatency records a call's duration in its command's histogram when
// latency-tracking is on (call() in server.c).
func (e *Engine) trackLatency(s *Spec, dur time.Duration) {
	if e.latencyTracking() {
		s.Hist.Record(dur)
	}
}

// latencyTracking is the latency-tracking setting (on without a config).
func (e *Engine) latencyTracking() bool { return e.Cfg == nil || e.Cfg.LatencyTracking.Load() }

// writeHistogram is fillCommandCDF: the number of calls and, for each
// power-of-two latency bound from 1024 ns up, the cumulative number of
// calls faster than it, where that number grows. A bound is reported as
// the largest value HdrHistogram (2 significant digits) holds in its
// bucket, in microseconds.
func writeHistogram(c *Ctx, counts *[histBuckets]int64, total int64) {
	c.W.Map(2)
	c.W.BulkString("calls")
	c.W.Int(total)
	c.W.BulkString("histogram_usec")
	d := c.W.Defer()
	n := 0
	var cum, prev int64
	next := 0 // next bucket to add to cum
	for k := 0; k <= 20 && prev < total; k++ {
		bound := uint64(1024) << k
		for next < histBuckets {
			if lo, _ := histBounds(next); lo >= bound {
				break
			}
			cum += counts[next]
			next++
		}
		if cum > prev {
			hi := bound + bound>>7 - 1
			c.W.Int(int64(hi / 1000))
			c.W.Int(cum)
			n++
			prev = cum
		}
	}
	c.W.FinishMap(d, n)
}

// percentile is hdr_value_at_percentile, in nanoseconds.
func percentile(counts *[histBuckets]int64, total int64, p float64) uint64 {
	want := int64(p/100*float64(total) + 0.5)
	want = max(want, 1)
	var cum int64
	for i := range counts {
		cum += counts[i]
		if cum >= want {
			_, hi := histBounds(i)
			return hi
		}
	}
	return 0
}

func latencyLatestCommand(c *Ctx) {
	evs := latencyEvents(c.E)
	c.W.Array(len(evs))
	for _, ev := range evs {
		last := ev.Samples[len(ev.Samples)-1]
		c.W.Array(4)
		c.W.BulkString(ev.Name)
		c.W.Int(last.Time)
		c.W.Int(last.Latency)
		c.W.Int(ev.Max)
	}
}

// latencyEvents returns the latency events with samples, by name.
func latencyEvents(e *Engine) []LatencyEvent {
	evs := e.Latency.Events()
	out := evs[:0]
	for _, ev := range evs {
		if len(ev.Samples) > 0 {
			out = append(out, ev)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// latencyEvent returns the named event (names are case-sensitive, as the
// latency_events dict).
func latencyEvent(e *Engine, name []byte) (LatencyEvent, bool) {
	for _, ev := range latencyEvents(e) {
		if ev.Name == string(name) {
			return ev, true
		}
	}
	return LatencyEvent{}, false
}

func latencyHistoryCommand(c *Ctx) {
	ev, _ := latencyEvent(c.E, c.Argv[2])
	c.W.Array(len(ev.Samples))
	for _, s := range ev.Samples {
		c.W.Array(2)
		c.W.Int(s.Time)
		c.W.Int(s.Latency)
	}
}

// latencyResetCommand is LATENCY RESET [event ...]; event names match
// without regard to case (latencyResetEvent).
func latencyResetCommand(c *Ctx) {
	evs := c.E.Latency.Events()
	if len(c.Argv) == 2 {
		c.W.Int(int64(c.E.Latency.Reset()))
		return
	}
	n := 0
	for _, a := range c.Argv[2:] {
		for _, ev := range evs {
			if strings.EqualFold(ev.Name, string(a)) {
				n += c.E.Latency.Reset(ev.Name)
			}
		}
	}
	c.W.Int(int64(n))
}

func latencyGraphCommand(c *Ctx) {
	ev, ok := latencyEvent(c.E, c.Argv[2])
	if !ok {
		c.Error("ERR No samples available for event '" + string(c.Argv[2]) + "'")
		return
	}
	c.W.Verbatim("txt", latencyGraph(nil, ev, c.Now()/1000))
}

// latencyGraph is latencyCommandGenSparkeline: a header and an 80-column,
// 4-row sparkline of the samples labelled with their age.
func latencyGraph(dst []byte, ev LatencyEvent, now int64) []byte {
	var lo, hi int64
	seq := make([]sparkSample, 0, len(ev.Samples))
	for i, s := range ev.Samples {
		if i == 0 || s.Latency < lo {
			lo = s.Latency
		}
		if i == 0 || s.Latency > hi {
			hi = s.Latency
		}
		el := now - s.Time
		var label string
		switch {
		case el < 60:
			label = strconv.FormatInt(el, 10) + "s"
		case el < 3600:
			label = strconv.FormatInt(el/60, 10) + "m"
		case el < 3600*24:
			label = strconv.FormatInt(el/3600, 10) + "h"
		default:
			label = strconv.FormatInt(el/(3600*24), 10) + "d"
		}
		seq = append(seq, sparkSample{value: float64(s.Latency), label: label})
	}
	dst = append(dst, ev.Name...)
	dst = append(dst, " - high "...)
	dst = appendInt(dst, hi)
	dst = append(dst, " ms, low "...)
	dst = appendInt(dst, lo)
	dst = append(dst, " ms (all time high "...)
	dst = appendInt(dst, ev.Max)
	dst = append(dst, " ms)\n"...)
	dst = append(dst, strings.Repeat("-", 80)...)
	dst = append(dst, '\n')
	return sparklineRender(dst, seq, 80, 4)
}

type sparkSample struct {
	value float64
	label string
}

// sparklineRender is sparkline.c's sparklineRender with SPARKLINE_FILL:
// the samples in chunks of columns, each drawn rows high with the labels
// written vertically below.
func sparklineRender(dst []byte, seq []sparkSample, columns, rows int) []byte {
	for j := 0; j < len(seq); j += columns {
		if j != 0 {
			dst = append(dst, '\n')
		}
		end := min(j+columns, len(seq))
		dst = sparklineRenderRange(dst, seq, seq[j:end], rows)
	}
	return dst
}

func sparklineRenderRange(dst []byte, all, part []sparkSample, rows int) []byte {
	const fill = "_o#"
	lo, hi := all[0].value, all[0].value
	labels := false
	for _, s := range all {
		lo, hi = min(lo, s.value), max(hi, s.value)
		labels = labels || s.label != ""
	}
	relmax := hi - lo
	if relmax == 0 {
		relmax = 1
	}
	steps := len(fill) * rows
	chars := make([]byte, len(part))
	for row := 0; ; row++ {
		more := false
		for j := range chars {
			chars[j] = ' '
		}
		for j, s := range part {
			step := int(float64(int((s.value-lo)*float64(steps))) / relmax)
			step = min(max(step, 0), steps-1)
			if row < rows {
				more = true
				idx := step - (rows-row-1)*len(fill)
				switch {
				case idx >= 0 && idx < len(fill):
					chars[j] = fill[idx]
				case idx >= len(fill):
					chars[j] = '|'
				}
				continue
			}
			if labels && row-rows < 1 { // one blank line above the labels
				more = true
				break
			}
			if k := row - rows - 1; k < len(s.label) {
				more = true
				chars[j] = s.label[k]
			}
		}
		if !more {
			return dst
		}
		dst = append(dst, chars...)
		dst = append(dst, '\n')
	}
}

func latencyDoctorCommand(c *Ctx) { c.W.Verbatim("txt", latencyReport(c.E, c.Now()/1000)) }

// latencyReport is createLatencyReport, for the events Cinnabar records.
func latencyReport(e *Engine, now int64) []byte {
	threshold := int64(0)
	slower := int64(0)
	if e.Cfg != nil {
		threshold = e.Cfg.LatencyMonitorThreshold.Load()
		slower = e.Cfg.SlowlogLogSlowerThan.Load()
	}
	evs := latencyEvents(e)
	var r []byte
	if len(evs) == 0 && threshold == 0 {
		return append(r, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"...)
	}
	var slowlogEnable, slowlogTuning, slowlogInspect, largeObjects, scheduler, hz bool
	advices := 0
	for i, ev := range evs {
		if i == 0 {
			r = append(r, "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"...)
		}
		var sum, oldest int64
		for j, s := range ev.Samples {
			sum += s.Latency
			if j == 0 || s.Time < oldest {
				oldest = s.Time
			}
		}
		n := int64(len(ev.Samples))
		avg := sum / n
		period := max(now-oldest, 1)
		var mad int64
		for _, s := range ev.Samples {
			d := avg - s.Latency
			if d < 0 {
				d = -d
			}
			mad += d
		}
		mad /= n
		r = appendInt(r, int64(i+1))
		r = append(r, ". "...)
		r = append(r, ev.Name...)
		r = append(r, ": "...)
		r = appendInt(r, n)
		r = append(r, " latency spikes (average "...)
		r = appendInt(r, avg)
		r = append(r, "ms, mean deviation "...)
		r = appendInt(r, mad)
		r = append(r, "ms, period "...)
		r = strconv.AppendFloat(r, float64(period)/float64(n), 'f', 2, 64)
		r = append(r, " sec). Worst all time event "...)
		r = appendInt(r, ev.Max)
		r = append(r, "ms."...)
		switch ev.Name {
		case "command":
			if slower < 0 {
				slowlogEnable = true
				advices++
			} else if slower/1000 > threshold {
				slowlogTuning = true
				advices++
			}
			slowlogInspect, largeObjects = true, true
			advices += 2
		case "fast-command":
			scheduler = true
			advices++
		case "expire-cycle":
			hz, largeObjects = true, true
			advices += 2
		}
		r = append(r, '\n')
	}
	switch {
	case len(evs) == 0 && advices == 0:
		return append(r, "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"...)
	case len(evs) > 0 && advices == 0:
		return append(r, "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"...)
	}
	r = append(r, "\nI have a few advices for you:\n\n"...)
	if slowlogEnable {
		r = append(r, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than "...)
		r = appendInt(r, threshold*1000)
		r = append(r, "'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"...)
	}
	if slowlogTuning {
		r = append(r, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "...)
		r = appendInt(r, threshold*1000)
		r = append(r, "'.\n"...)
	}
	if slowlogInspect {
		r = append(r, "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n"...)
	}
	if scheduler {
		r = append(r, "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n"+
			"  1) Lower the system load.\n"+
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"+
			"  3) Check if you have a \"noisy neighbour\" problem.\n"+
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n"+
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n"...)
	}
	if hz && e.Cfg != nil && e.Cfg.Hz.Load() < 100 {
		r = append(r, "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"...)
	}
	if largeObjects {
		r = append(r, "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"...)
	}
	return r
}

// latencyHistogramCommand is LATENCY HISTOGRAM [command ...]: a map from
// command name to its histogram, for the commands that have one.
func latencyHistogramCommand(c *Ctx) {
	d := c.W.Defer()
	n := 0
	add := func(m *meta.Command) {
		s := c.E.SpecOf(m)
		if s == nil {
			return
		}
		counts, total, ok := s.Hist.snapshot()
		if !ok {
			return
		}
		c.W.BulkString(m.Name)
		writeHistogram(c, &counts, total)
		n++
	}
	if len(c.Argv) == 2 {
		for _, m := range c.E.Meta.All() {
			add(m)
			for _, sub := range m.Subcommands {
				add(sub)
			}
		}
	} else {
		for _, name := range c.Argv[2:] {
			m := c.E.Meta.LookupFullName(name)
			if m == nil {
				continue
			}
			add(m)
			for _, sub := range m.Subcommands {
				add(sub)
			}
		}
	}
	c.W.FinishMap(d, n)
}

func latencyHelpCommand(c *Ctx) {
	writeHelp(c,
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	)
}

// ---------------------------------------------------------------- MONITOR

// monitorCommand is server.c monitorCommand; a client that already is a
// monitor (or a replica) gets no reply.
func monitorCommand(c *Ctx) {
	if c.C.Flags()&(FlagMonitor|FlagReplica) != 0 {
		return
	}
	c.E.Clients.AddMonitor(c.C)
	c.W.OK()
}

// ---------------------------------------------------------------- MEMORY

// memoryUsageCommand is MEMORY USAGE key [SAMPLES count]. Sizes are
// Cinnabar's own estimates; SAMPLES is accepted and ignored since sizes
// are computed exactly.
func memoryUsageCommand(c *Ctx) {
	for j := 3; j < len(c.Argv); j++ {
		if !c.Is(j, "samples") || j+1 >= len(c.Argv) {
			c.Error(ErrSyntax)
			return
		}
		n, ok := parseInt(c.Argv[j+1])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		if n < 0 {
			c.Error(ErrSyntax)
			return
		}
		j++
	}
	n, ok := keyMemoryUsage(c, c.Argv[2])
	if !ok {
		c.W.Null()
		return
	}
	c.W.Int(int64(n))
}

// keyMemoryUsage estimates a key's size, its value included. The key's
// shard must be locked.
func keyMemoryUsage(c *Ctx, key []byte) (int, bool) {
	n, ok := c.DB.MemoryUsage(key)
	if !ok {
		return 0, false
	}
	if e, ok := c.DB.Peek(key); ok && e.Obj != nil {
		if m, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
			n += m.MemoryUsage()
		}
	}
	return n, true
}

func memoryStatsCommand(c *Ctx) {
	ms := readMemStats(c.E)
	type dbStat struct{ id, keys, expires int }
	var dbs []dbStat
	keys := 0
	unlock := lockEverything(c)
	for i := 0; i < c.E.KS.NumDBs(); i++ {
		db := c.E.KS.DB(i)
		if n := db.Len(); n > 0 {
			dbs = append(dbs, dbStat{i, n, db.Expires()})
			keys += n
		}
	}
	unlock()
	w := c.W
	w.Map(27 + len(dbs))
	kv := func(k string, v uint64) {
		w.BulkString(k)
		w.Int(int64(v))
	}
	kd := func(k string, v float64) {
		w.BulkString(k)
		w.Double(v)
	}
	kv("peak.allocated", ms.peak)
	kv("total.allocated", ms.used)
	kv("startup.allocated", ms.startup)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", ms.clients)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	overheadDB := uint64(0)
	for _, d := range dbs {
		w.BulkString("db." + strconv.Itoa(d.id))
		w.Map(3)
		kv("overhead.hashtable.main", uint64(d.keys)*24)
		kv("overhead.hashtable.expires", uint64(d.expires)*24)
		kv("overhead.hashtable.slot-to-keys", 0)
		overheadDB += uint64(d.keys+d.expires) * 24
	}
	overhead := ms.startup + ms.clients + overheadDB
	dataset := uint64(0)
	if ms.used > overhead {
		dataset = ms.used - overhead
	}
	kv("overhead.total", overhead)
	kv("keys.count", uint64(keys))
	perKey := uint64(0)
	if keys > 0 {
		perKey = (ms.used - ms.startup) / uint64(keys)
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", dataset)
	kd("dataset.percentage", ratio(dataset, ms.used-min(ms.startup, ms.used))*100)
	kd("peak.percentage", ratio(ms.used, ms.peak)*100)
	kv("allocator.allocated", ms.used)
	kv("allocator.active", ms.active)
	kv("allocator.resident", ms.resident)
	kd("allocator-fragmentation.ratio", ratio(ms.active, ms.used))
	kv("allocator-fragmentation.bytes", ms.active-min(ms.used, ms.active))
	kd("allocator-rss.ratio", ratio(ms.resident, ms.active))
	kv("allocator-rss.bytes", ms.resident-min(ms.active, ms.resident))
	kd("rss-overhead.ratio", ratio(ms.rss, ms.resident))
	kv("rss-overhead.bytes", ms.rss-min(ms.resident, ms.rss))
	kd("fragmentation", ratio(ms.rss, ms.used))
	kv("fragmentation.bytes", ms.rss-min(ms.used, ms.rss))
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// memoryDoctorCommand is getMemoryDoctorReport for what Cinnabar can
// measure (peak against current use).
func memoryDoctorCommand(c *Ctx) {
	ms := readMemStats(c.E)
	var s string
	switch {
	case ms.used < 5<<20:
		s = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	case float64(ms.peak)/float64(ms.used) > 1.5:
		s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
			" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n" +
			"I'm here to keep you safe, Sam. I want to help you.\n"
	default:
		s = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	c.W.Verbatim("txt", []byte(s))
}

func memoryMallocStatsCommand(c *Ctx) {
	c.W.BulkString("Stats not supported for the current allocator")
}

// memoryPurgeCommand is MEMORY PURGE: where Redis asks jemalloc to purge
// dirty pages, Cinnabar runs a GC and returns the freed heap to the
// operating system (debug.FreeOSMemory), which also refreshes the
// used-memory figure from a fresh GC.
func memoryPurgeCommand(c *Ctx) {
	debug.FreeOSMemory()
	c.W.OK()
}

func memoryHelpCommand(c *Ctx) {
	writeHelp(c,
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	)
}

// ---------------------------------------------------------------- DEBUG

// debugCommand is debug.c debugCommand, for the subcommands that make
// sense in Cinnabar; the others answer as an unknown subcommand does.
// It locks the shards it reads itself.
func debugCommand(c *Ctx) {
	sub := c.Argv[1]
	argc := len(c.Argv)
	is := func(name string) bool { return bytesEqualFold(sub, name) }
	switch {
	case is("help") && argc == 2:
		debugHelp(c)
	case is("sleep") && argc == 3:
		secs, _ := strconv.ParseFloat(strings.TrimSpace(string(c.Argv[2])), 64)
		if us := int64(secs * 1e6); us > 0 {
			time.Sleep(time.Duration(us) * time.Microsecond)
		}
		c.W.OK()
	case is("loadaof") && argc == 2:
		debugLoadAOF(c)
	case is("reload"):
		c.E.KS.LockAllWait(c.C.blocker())
		debugReload(c)
		c.E.KS.ReleaseAll()
	case is("set-active-expire") && argc == 3:
		c.E.KS.ActiveExpire.Store(atoi(c.Argv[2]) != 0)
		c.W.OK()
	case is("pause-cron") && argc == 3:
		c.E.CronPaused.Store(atoi(c.Argv[2]) != 0)
		c.W.OK()
	case is("set-disable-deny-scripts") && argc == 3:
		c.E.DisableDenyScripts.Store(atoi(c.Argv[2]) != 0)
		c.W.OK()
	case (is("set-skip-checksum-validation") || is("aof-flush-sleep")) && argc == 3:
		c.W.OK()
	case is("quicklist-packed-threshold") && argc == 3:
		n, ok := parseMemory(c.Argv[2])
		if !ok || n > 4<<30 {
			c.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
			return
		}
		c.W.OK()
	case is("log") && argc == 3:
		c.E.Log.Warning("DEBUG LOG: ", string(c.Argv[2]))
		c.W.OK()
	case is("leak") && argc == 3:
		c.W.OK()
	case is("error") && argc == 3:
		// The string is sent as it is, with no "ERR " prefix, and like
		// any reply written raw it is not counted in errorstats.
		c.W.Error(string(c.Argv[2]))
	case is("object") && argc == 3:
		debugObject(c)
	case is("sdslen") && argc == 3:
		debugSdslen(c)
	case is("listpack") && argc == 3:
		debugEncodingDump(c, "listpack", "ERR Not a listpack encoded object.", "Listpack structure printed on stdout")
	case is("quicklist") && (argc == 3 || argc == 4):
		debugEncodingDump(c, "quicklist", "ERR Not a quicklist encoded object.", "Quicklist structure printed on stdout")
	case is("populate") && argc >= 3 && argc <= 5:
		debugPopulate(c)
	case is("digest") && argc == 2:
		unlock := lockEverything(c)
		d := datasetDigest(c.E)
		unlock()
		c.W.Status(hexDigest(d))
	case is("digest-value") && argc >= 2:
		c.W.Array(argc - 2)
		for _, key := range c.Argv[2:] {
			var d [20]byte
			withKeyLocked(c, key, func() {
				if e, ok := c.DB.Peek(key); ok {
					xorObjectDigest(&d, e)
				}
			})
			c.W.Status(hexDigest(d))
		}
	case is("protocol") && argc == 3:
		debugProtocol(c)
	case is("stringmatch-len") && argc == 2, is("stringmatch-test") && argc == 2:
		c.W.Status("Apparently Redis did not crash: test passed")
	case is("structsize") && argc == 2:
		c.W.BulkString("bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ")
	default:
		subcommandSyntaxError(c)
	}
}

// atoi is C's atoi: leading digits with an optional sign, 0 otherwise.
func atoi(b []byte) int64 {
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// parseMemory is memtoull: a byte count with an optional unit (b, k, kb,
// m, mb, g, gb, case-insensitive).
func parseMemory(b []byte) (uint64, bool) {
	s := strings.ToLower(string(b))
	mul := uint64(1)
	for _, u := range [...]struct {
		suffix string
		mul    uint64
	}{{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024 * 1024 * 1024}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = s[:len(s)-len(u.suffix)], u.mul
			break
		}
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || (mul > 1 && n > ^uint64(0)/mul) {
		return 0, false
	}
	return n * mul, true
}

// withKeyLocked runs fn with the shard of key locked (DEBUG has no key
// specs, so the dispatcher locks nothing for it), unless the caller
// (EXEC, a script) already holds every shard.
func withKeyLocked(c *Ctx, key []byte, fn func()) {
	if c.AllLocked {
		fn()
		return
	}
	s := c.E.KS.ShardOf(key)
	c.E.KS.LockShard(s)
	defer c.E.KS.ReleaseShard(s)
	fn()
}

// lockEverything locks every shard for a keyless command that reads the
// whole keyspace (INFO keyspace, MEMORY STATS, DEBUG DIGEST) and returns
// the unlock; inside EXEC or a script the shards are already held.
func lockEverything(c *Ctx) (unlock func()) {
	if c.AllLocked {
		return func() {}
	}
	c.E.KS.LockAll()
	return c.E.KS.ReleaseAll
}

func debugObject(c *Ctx) {
	key := c.Argv[2]
	withKeyLocked(c, key, func() {
		e, ok := c.DB.PeekStale(key) // no expiry: objectCommandLookup is a plain dictFind
		if !ok {
			c.Error(ErrNoSuchKey)
			return
		}
		// The same refcount OBJECT REFCOUNT reports (object.go).
		refcount := int64(1)
		if e.Type == keyspace.TypeString && e.Enc == keyspace.EncInt &&
			e.Int >= 0 && e.Int < sharedIntegers && sharesIntegers(c.E.Cfg) {
			refcount = sharedRefcount
		}
		size, _ := keyMemoryUsage(c, key)
		var b []byte
		b = append(b, "Value at:0x"...)
		b = strconv.AppendUint(b, uint64(c.E.KS.Hash(key))&0xffffffffffff, 16)
		b = append(b, " refcount:"...)
		b = appendInt(b, refcount)
		b = append(b, " encoding:"...)
		b = append(b, entryEncoding(e)...)
		b = append(b, " serializedlength:"...)
		b = appendInt(b, int64(serializedLength(e, size)))
		b = append(b, " lru:"...)
		b = appendInt(b, int64(e.LRU))
		b = append(b, " lru_seconds_idle:"...)
		b = appendInt(b, c.E.KS.IdleSeconds(e.LRU))
		if l, ok := e.Obj.(*list.List); ok {
			nodes := max(l.NodeCount(), 1)
			b = append(b, " ql_nodes:"...)
			b = appendInt(b, int64(l.NodeCount()))
			b = append(b, " ql_avg_node:"...)
			b = strconv.AppendFloat(b, float64(l.Len())/float64(nodes), 'f', 2, 64)
			b = append(b, " ql_listpack_max:"...)
			b = appendInt(b, int64(l.Fill()))
			b = append(b, " ql_compressed:"...)
			if l.CompressDepth() != 0 {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
			b = append(b, " ql_uncompressed_size:"...)
			b = appendInt(b, int64(l.MemoryUsage()))
		}
		c.W.Status(string(b))
	})
}

// serializedLength approximates rdbSavedObjectLen: the RDB size of a
// string (its bytes, or an integer's 1 to 5 bytes), or of a collection
// (its memory size). Redis LZF-compresses strings longer than 20 bytes,
// which this does not model.
func serializedLength(e keyspace.Entry, size int) int {
	if e.Type != keyspace.TypeString {
		return size
	}
	if e.Enc == keyspace.EncInt {
		switch n := e.Int; {
		case n >= -1<<7 && n < 1<<7:
			return 2
		case n >= -1<<15 && n < 1<<15:
			return 3
		case n >= -1<<31 && n < 1<<31:
			return 5
		}
		return len(strconv.FormatInt(e.Int, 10)) + 1
	}
	n := len(e.Str)
	switch {
	case n < 1<<6:
		return n + 1
	case n < 1<<14:
		return n + 2
	}
	return n + 5
}

func debugSdslen(c *Ctx) {
	key := c.Argv[2]
	withKeyLocked(c, key, func() {
		e, ok := c.DB.Peek(key)
		if !ok {
			c.Error(ErrNoSuchKey)
			return
		}
		if e.Type != keyspace.TypeString || e.Enc == keyspace.EncInt {
			c.Error("ERR Not an sds encoded string.")
			return
		}
		var b []byte
		b = append(b, "key_sds_len:"...)
		b = appendInt(b, int64(len(key)))
		b = append(b, ", key_sds_avail:0, key_zmalloc: "...)
		b = appendInt(b, int64(len(key)+3))
		b = append(b, ", val_sds_len:"...)
		b = appendInt(b, int64(len(e.Str)))
		b = append(b, ", val_sds_avail:"...)
		b = appendInt(b, int64(cap(e.Str)-len(e.Str)))
		b = append(b, ", val_zmalloc: "...)
		b = appendInt(b, int64(cap(e.Str)+3))
		c.W.Status(string(b))
	})
}

// debugEncodingDump is DEBUG LISTPACK / QUICKLIST: Redis prints the
// structure on its standard output; Cinnabar only checks the encoding.
func debugEncodingDump(c *Ctx, enc, wrongEnc, done string) {
	key := c.Argv[2]
	withKeyLocked(c, key, func() {
		e, ok := c.DB.Lookup(key)
		if !ok {
			c.Error(ErrNoSuchKey)
			return
		}
		if entryEncoding(e) != enc {
			c.Error(wrongEnc)
			return
		}
		c.W.Status(done)
	})
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: string keys
// prefix:N holding "value:N" (padded with zero bytes or cut to size),
// skipping keys that exist.
func debugPopulate(c *Ctx) {
	// getPositiveLongFromObjectOrReply: one error for both cases.
	count, ok := parseInt(c.Argv[2])
	if !ok || count < 0 {
		c.Error(ErrNotPositive)
		return
	}
	prefix := []byte("key")
	if len(c.Argv) >= 4 {
		prefix = c.Argv[3]
	}
	size := int64(0)
	if len(c.Argv) == 5 {
		size, ok = parseInt(c.Argv[4])
		if !ok || size < 0 {
			c.Error(ErrNotPositive)
			return
		}
	}
	var key, val []byte
	for j := int64(0); j < count; j++ {
		key = append(append(key[:0], prefix...), ':')
		key = strconv.AppendInt(key, j, 10)
		val = strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		if size > 0 {
			if int64(len(val)) > size {
				val = val[:size]
			} else {
				for int64(len(val)) < size {
					val = append(val, 0)
				}
			}
		}
		withKeyLocked(c, key, func() {
			if c.DB.Exists(key) {
				return
			}
			c.DB.SetString(key, val, keyspace.NoExpire, false)
			c.Modified(key)
		})
	}
	c.W.OK()
}

// debugProtocol is DEBUG PROTOCOL <type>: a sample reply of each RESP type.
func debugProtocol(c *Ctx) {
	w := c.W
	switch name := c.Argv[2]; {
	case bytesEqualFold(name, "string"):
		w.BulkString("Hello World")
	case bytesEqualFold(name, "integer"):
		w.Int(12345)
	case bytesEqualFold(name, "double"):
		w.Double(3.141)
	case bytesEqualFold(name, "bignum"):
		w.BigNumber([]byte("1234567999999999999999999999999999999"))
	case bytesEqualFold(name, "null"):
		w.Null()
	case bytesEqualFold(name, "array"):
		w.Array(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case bytesEqualFold(name, "set"):
		w.Set(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case bytesEqualFold(name, "map"):
		w.Map(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case bytesEqualFold(name, "attrib"):
		if w.Proto >= 3 {
			// An attribute map (RESP3 "|") precedes the real reply.
			w.Raw([]byte("|1\r\n"))
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case bytesEqualFold(name, "push"):
		if w.Proto < 3 {
			c.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case bytesEqualFold(name, "true"):
		w.Bool(true)
	case bytesEqualFold(name, "false"):
		w.Bool(false)
	case bytesEqualFold(name, "verbatim"):
		w.Verbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		c.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// Digests (debug.c): a key's digest mixes its type, its value and
// whether it has an expire; unordered collections xor their elements'
// digests, ordered ones chain them.

// xorDigest xors SHA1(b) into d.
func xorDigest(d *[20]byte, b []byte) {
	h := sha1.Sum(b)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mixDigest sets d to SHA1(d xor SHA1(b)).
func mixDigest(d *[20]byte, b []byte) {
	xorDigest(d, b)
	*d = sha1.Sum(d[:])
}

// redisType is the OBJ_* type number Redis mixes into digests.
func redisType(t keyspace.Type) uint32 {
	switch t {
	case keyspace.TypeString:
		return 0
	case keyspace.TypeList:
		return 1
	case keyspace.TypeSet:
		return 2
	case keyspace.TypeZSet:
		return 3
	case keyspace.TypeHash:
		return 4
	case keyspace.TypeStream:
		return 6
	}
	return 0
}

// xorObjectDigest is debug.c xorObjectDigest.
func xorObjectDigest(d *[20]byte, e keyspace.Entry) {
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], redisType(e.Type))
	mixDigest(d, aux[:])
	var buf []byte
	switch o := e.Obj.(type) {
	case nil:
		if e.Enc == keyspace.EncInt {
			mixDigest(d, strconv.AppendInt(buf, e.Int, 10))
		} else {
			mixDigest(d, e.Str)
		}
	case *list.List:
		if o.Len() > 0 {
			o.Range(0, o.Len()-1, false, func(le list.Entry) bool {
				buf = le.Append(buf[:0])
				mixDigest(d, buf)
				return true
			})
		}
	case *set.Set:
		o.Range(func(m []byte) bool {
			xorDigest(d, m)
			return true
		})
	case *zset.ZSet:
		it := o.All()
		for {
			m, score, ok := it.Next()
			if !ok {
				break
			}
			var ed [20]byte
			mixDigest(&ed, m)
			buf = strconv.AppendFloat(buf[:0], score, 'g', 17, 64)
			mixDigest(&ed, buf)
			xorDigest(d, ed[:])
		}
	case *hash.Hash:
		o.Range(func(f, v []byte) bool {
			var ed [20]byte
			mixDigest(&ed, f)
			mixDigest(&ed, v)
			xorDigest(d, ed[:])
			return true
		})
	}
	if e.ExpireAt != 0 {
		xorDigest(d, []byte("!!expire!!"))
	}
}

// datasetDigest is computeDatasetDigest; every shard must be locked.
func datasetDigest(e *Engine) [20]byte {
	var final [20]byte
	for i := 0; i < e.KS.NumDBs(); i++ {
		db := e.KS.DB(i)
		if db.Len() == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(i))
		mixDigest(&final, aux[:])
		db.ForEach(func(key []byte, ent keyspace.Entry) bool {
			var d [20]byte
			mixDigest(&d, key)
			xorObjectDigest(&d, ent)
			xorDigest(&final, d[:])
			return true
		})
	}
	return final
}

func hexDigest(d [20]byte) string { return hex.EncodeToString(d[:]) }

func debugHelp(c *Ctx) {
	writeHelp(c,
		"AOF-FLUSH-SLEEP <microsec>",
		"    Server will sleep before flushing the AOF, this is used for testing.",
		"ASSERT",
		"    Crash by assertion failed.",
		"CHANGE-REPL-ID",
		"    Change the replication IDs of the instance.",
		"    Dangerous: should be used only for testing the replication subsystem.",
		"CONFIG-REWRITE-FORCE-ALL",
		"    Like CONFIG REWRITE but writes all configuration options, including",
		"    keywords not listed in original configuration file or default values.",
		"CRASH-AND-RECOVER [<milliseconds>]",
		"    Hard crash and restart after a <milliseconds> delay (default 0).",
		"DIGEST",
		"    Output a hex signature representing the current DB content.",
		"DIGEST-VALUE <key> [<key> ...]",
		"    Output a hex signature of the values of all the specified keys.",
		"ERROR <string>",
		"    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"LEAK <string>",
		"    Create a memory leak of the input string.",
		"LOG <message>",
		"    Write <message> to the server log.",
		"HTSTATS <dbid>",
		"    Return hash table statistics of the specified Redis database.",
		"HTSTATS-KEY <key>",
		"    Like HTSTATS but for the hash table stored at <key>'s value.",
		"LOADAOF",
		"    Flush the AOF buffers on disk and reload the AOF in memory.",
		"REPLICATE <string>",
		"    Replicates the provided string to replicas, allowing data divergence.",
		// Redis lists these in jemalloc builds, Debian's included.
		"MALLCTL <key> [<val>]",
		"    Get or set a malloc tuning integer.",
		"MALLCTL-STR <key> [<val>]",
		"    Get or set a malloc tuning string.",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"DROP-CLUSTER-PACKET-FILTER <packet-type>",
		"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
		"OOM",
		"    Crash the server simulating an out-of-memory error.",
		"PANIC",
		"    Crash the server simulating a panic.",
		"POPULATE <count> [<prefix>] [<size>]",
		"    Create <count> string keys named key:<num>. If <prefix> is specified then",
		"    it is used instead of the 'key' prefix. These are not propagated to",
		"    replicas. Cluster slots are not respected so keys not belonging to the",
		"    current node can be created in cluster mode.",
		"PROTOCOL <type>",
		"    Reply with a test value of the specified type. <type> can be: string,",
		"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
		"    true, false.",
		"RELOAD [option ...]",
		"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
		"    * MERGE: conflicting keys will be loaded from RDB.",
		"    * NOFLUSH: the existing database will not be removed before load, but",
		"      conflicting keys will generate an exception and kill the server.",
		"    * NOSAVE: the database will be loaded from an existing RDB file.",
		"    Examples:",
		"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
		"      the database.",
		"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
		"      existing RDB file.",
		"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
		"      file to the database.",
		"RESTART [<milliseconds>]",
		"    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
		"SDSLEN <key>",
		"    Show low level SDS string info representing `key` and value.",
		"SEGFAULT",
		"    Crash the server with sigsegv.",
		"SET-ACTIVE-EXPIRE <0|1>",
		"    Setting it to 0 disables expiring keys in background when they are not",
		"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
		"    default.",
		"QUICKLIST-PACKED-THRESHOLD <size>",
		"    Sets the threshold for elements to be inserted as plain vs packed nodes",
		"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
		"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
		"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
		"STRINGMATCH-TEST",
		"    Run a fuzz tester against the stringmatchlen() function.",
		"STRUCTSIZE",
		"    Return the size of different Redis core C structures.",
		"LISTPACK <key>",
		"    Show low level info about the listpack encoding of <key>.",
		"QUICKLIST <key> [<0|1>]",
		"    Show low level info about the quicklist encoding of <key>.",
		"    The optional argument (0 by default) sets the level of detail",
		"CLIENT-EVICTION",
		"    Show low level client eviction pools info (maxmemory-clients).",
		"PAUSE-CRON <0|1>",
		"    Stop periodic cron job processing.",
		"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
		"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
		"    In case NEVER is provided the last observed peak will never be reset",
		"    In case RESET is provided the peak reset time will be restored to the default value",
		"REPLYBUFFER RESIZING <0|1>",
		"    Enable or disable the reply buffer resize cron job",
		"CLUSTERLINK KILL <to|from|all> <node-id>",
		"    Kills the link based on the direction to/from (both) with the provided node.",
	)
}
