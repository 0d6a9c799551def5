package command

import (
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Internal tests of the introspection machinery: latency histograms, the
// latency graph and report, and the reply-mode state CLIENT REPLY leaves
// for the network layer.

// testEngine returns an engine over a default configuration and a client.
func introEngine(t *testing.T, args ...string) (*Engine, *Client) {
	t.Helper()
	cfg, err := config.Load(args)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:5000", "127.0.0.1:6379", -1, e.Now())
	cl.Authenticated = true
	return e, cl
}

// run executes one command and returns the raw reply.
func introRun(e *Engine, cl *Client, args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	w := resp.Writer{Proto: cl.Proto()}
	e.Exec(cl, argv, &w)
	return string(w.Buf)
}

func TestHistIndexBounds(t *testing.T) {
	// Every value falls inside its bucket, and buckets tile 1..1e9.
	prevHi := uint64(0)
	for i := 1; i < histBuckets; i++ {
		lo, hi := histBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		for _, v := range []uint64{lo, hi, (lo + hi) / 2} {
			if got := histIndex(v); got != i {
				t.Fatalf("histIndex(%d) = %d, want %d", v, got, i)
			}
		}
		prevHi = hi
	}
	if histIndex(histMaxNs) >= histBuckets || prevHi < histMaxNs {
		t.Fatalf("1 s in bucket %d of %d, last bucket ends at %d", histIndex(histMaxNs), histBuckets, prevHi)
	}
}

func TestLatencyHistogramReply(t *testing.T) {
	// The shape of LATENCY HISTOGRAM (latency.c fillCommandCDF): bounds are
	// 1024 ns doubling, reported as HdrHistogram's highest equivalent
	// value in µs, with cumulative counts where they grow. Checked against
	// redis-server 7.0.15: 50 calls of 8-16 µs report {8: n, 16: 50}.
	e, cl := introEngine(t)
	s := e.SpecOf(e.Meta.Lookup([]byte("get")))
	s.Hist.Reset()
	for i := 0; i < 3; i++ {
		s.Hist.Record(0) // recorded as 1 ns
	}
	s.Hist.Record(5 * time.Microsecond)
	s.Hist.Record(10 * time.Millisecond)
	s.Hist.Record(3 * time.Second) // clamped to 1 s
	got := introRun(e, cl, "LATENCY", "HISTOGRAM", "get")
	want := "*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:6\r\n$14\r\nhistogram_usec\r\n*8\r\n" +
		":1\r\n:3\r\n" + // < 1024 ns
		":8\r\n:4\r\n" + // < 8192 ns
		":16908\r\n:5\r\n" + // < 2^24 ns
		":1082130\r\n:6\r\n" // < 2^30 ns
	if got != want {
		t.Errorf("LATENCY HISTOGRAM get:\n got  %q\n want %q", got, want)
	}
	// Commands without calls have no histogram; CONFIG RESETSTAT drops them.
	if got := introRun(e, cl, "LATENCY", "HISTOGRAM", "set", "nosuch"); got != "*0\r\n" {
		t.Errorf("LATENCY HISTOGRAM set = %q", got)
	}
	introRun(e, cl, "CONFIG", "RESETSTAT")
	if _, _, ok := s.Hist.snapshot(); ok {
		t.Errorf("histogram survived CONFIG RESETSTAT")
	}
}

func TestPercentile(t *testing.T) {
	var h LatencyHistogram
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	counts, total, _ := h.snapshot()
	for _, tc := range []struct {
		p      float64
		lo, hi uint64 // the true value and 1/16 above it, in ns
	}{{50, 50000, 53000}, {99, 99000, 103000}, {100, 100000, 103000}} {
		if v := percentile(&counts, total, tc.p); v < tc.lo || v > tc.hi {
			t.Errorf("p%v = %d ns, want %d..%d", tc.p, v, tc.lo, tc.hi)
		}
	}
}

func TestLatencyGraphAndDoctor(t *testing.T) {
	// Samples and output taken from redis-server 7.0.15 (three DEBUG SLEEPs
	// one second apart with latency-monitor-threshold 1).
	ev := LatencyEvent{Name: "command", Max: 20, Samples: []LatencySample{
		{Time: 1795469142, Latency: 5}, {Time: 1795469143, Latency: 20}, {Time: 1795469144, Latency: 12},
	}}
	want := "command - high 20 ms, low 5 ms (all time high 20 ms)\n" +
		strings.Repeat("-", 80) + "\n" +
		" # \n" +
		" | \n" +
		" |#\n" +
		"_||\n" +
		"   \n" +
		"210\n" +
		"sss\n"
	if got := string(latencyGraph(nil, ev, 1795469144)); got != want {
		t.Errorf("graph:\n%s\nwant:\n%s", got, want)
	}

	e, _ := introEngine(t, "--latency-monitor-threshold", "1")
	for _, s := range ev.Samples {
		e.Latency.Add("command", s.Time, s.Latency)
	}
	report := string(latencyReport(e, 1795469144))
	wantReport := "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
		"1. command: 3 latency spikes (average 12ms, mean deviation 5ms, period 0.67 sec). Worst all time event 20ms.\n" +
		"\nI have a few advices for you:\n\n" +
		"- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n" +
		"- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n" +
		"- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"
	if report != wantReport {
		t.Errorf("report:\n%s\nwant:\n%s", report, wantReport)
	}

	e2, _ := introEngine(t)
	if r := string(latencyReport(e2, 0)); !strings.HasPrefix(r, "I'm sorry, Dave, I can't do that.") {
		t.Errorf("report with monitoring off: %q", r)
	}
}

func TestClientReplyModes(t *testing.T) {
	// networking.c clientCommand: SKIP sets CLIENT_REPLY_SKIP_NEXT (the
	// network layer turns it into SKIP once the command is done), ON
	// clears SKIP and OFF, SKIP while OFF changes nothing.
	e, cl := introEngine(t)
	for _, tc := range []struct {
		args  string
		reply string
		mode  int32
	}{
		{"CLIENT REPLY SKIP", "", ReplySkipNext},
		{"CLIENT REPLY ON", "+OK\r\n", ReplyOn},
		{"CLIENT REPLY OFF", "", ReplyOff},
		{"CLIENT REPLY SKIP", "", ReplyOff},
		{"CLIENT REPLY ON", "+OK\r\n", ReplyOn},
	} {
		if got := introRun(e, cl, strings.Fields(tc.args)...); got != tc.reply {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.reply)
		}
		if m := cl.ReplyMode.Load(); m != tc.mode {
			t.Errorf("after %s: mode %d, want %d", tc.args, m, tc.mode)
		}
	}
}

func TestDatasetDigest(t *testing.T) {
	// Digests computed by redis-server 7.0.15 for the same data (debug.c).
	e, cl := introEngine(t, "--enable-debug-command", "yes")
	if got := introRun(e, cl, "DEBUG", "DIGEST"); got != "+0000000000000000000000000000000000000000\r\n" {
		t.Errorf("empty DEBUG DIGEST = %q", got)
	}
	introRun(e, cl, "SET", "a", "1")
	introRun(e, cl, "SET", "b", "hello")
	want := "*3\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n" +
		"+0000000000000000000000000000000000000000\r\n"
	if got := introRun(e, cl, "DEBUG", "DIGEST-VALUE", "a", "b", "c"); got != want {
		t.Errorf("DEBUG DIGEST-VALUE = %q, want %q", got, want)
	}
	if got := introRun(e, cl, "DEBUG", "DIGEST"); got != "+2539797405e828ad7a3aa48c536b3eaf2803a421\r\n" {
		t.Errorf("DEBUG DIGEST = %q", got)
	}
}
