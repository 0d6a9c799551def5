package script

import (
	"strconv"
	"strings"
	"sync"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// testHost is a tiny command layer for tests: enough commands, with
// Redis's replies, for the scripts of the table tests.
type testHost struct {
	mu     sync.Mutex
	data   map[string]string
	lists  map[string][]string
	hashes map[string][][2]string
	zsets  map[string]map[string]float64
	logs   []string
	errs   []string // ErrorReply calls, "counted:" prefixed when counted
	calls  int
	// onCall, if set, runs before each command (used to kill scripts).
	onCall func(r *Run)
}

func newTestHost() *testHost {
	return &testHost{
		data:   make(map[string]string),
		lists:  make(map[string][]string),
		hashes: make(map[string][][2]string),
		zsets:  make(map[string]map[string]float64),
	}
}

// arity of the commands the host knows (Redis's arity convention).
var testArity = map[string]int{
	"ping": -1, "get": 2, "set": -3, "incr": 2, "del": -2, "rpush": -3, "lrange": 4,
	"hset": -4, "hgetall": 2, "zadd": -4, "zscore": 3, "debug": -2, "subscribe": -2,
	"raw": 2,
}

var testWrite = map[string]bool{"set": true, "incr": true, "del": true, "rpush": true, "hset": true, "zadd": true}

func (h *testHost) Call(r *Run, argv [][]byte, w *resp.Writer) {
	h.mu.Lock()
	h.calls++
	onCall := h.onCall
	h.mu.Unlock()
	if onCall != nil {
		onCall(r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	name := strings.ToLower(string(argv[0]))
	arity, ok := testArity[name]
	if !ok {
		w.Error(ErrCallUnknown)
		return
	}
	if arity > 0 && len(argv) != arity || arity < 0 && len(argv) < -arity {
		w.Error(ErrCallArity)
		return
	}
	if testWrite[name] && r.Flags&RunReadOnly != 0 {
		w.Error(ErrCallWriteReadOnly)
		return
	}
	arg := func(i int) string { return string(argv[i]) }
	switch name {
	case "ping":
		switch len(argv) {
		case 1:
			w.Status("PONG")
		case 2:
			w.Bulk(argv[1])
		default:
			w.Error("ERR wrong number of arguments for 'ping' command")
		}
	case "get":
		if v, ok := h.data[arg(1)]; ok {
			w.BulkString(v)
		} else {
			w.Null()
		}
	case "set":
		h.del(arg(1))
		h.data[arg(1)] = arg(2)
		w.OK()
	case "incr":
		v, ok := h.data[arg(1)]
		n := int64(0)
		if ok {
			var err error
			if n, err = strconv.ParseInt(v, 10, 64); err != nil {
				w.Error("ERR value is not an integer or out of range")
				return
			}
		}
		n++
		h.data[arg(1)] = strconv.FormatInt(n, 10)
		w.Int(n)
	case "del":
		n := 0
		for _, k := range argv[1:] {
			if h.del(string(k)) {
				n++
			}
		}
		w.Int(int64(n))
	case "rpush":
		for _, v := range argv[2:] {
			h.lists[arg(1)] = append(h.lists[arg(1)], string(v))
		}
		w.Int(int64(len(h.lists[arg(1)])))
	case "lrange": // only 0 -1
		l := h.lists[arg(1)]
		w.Array(len(l))
		for _, v := range l {
			w.BulkString(v)
		}
	case "hset":
		h.hashes[arg(1)] = append(h.hashes[arg(1)], [2]string{arg(2), arg(3)})
		w.Int(1)
	case "hgetall":
		fs := h.hashes[arg(1)]
		w.Map(len(fs))
		for _, f := range fs {
			w.BulkString(f[0])
			w.BulkString(f[1])
		}
	case "zadd":
		if h.zsets[arg(1)] == nil {
			h.zsets[arg(1)] = make(map[string]float64)
		}
		f, _ := strconv.ParseFloat(arg(2), 64)
		h.zsets[arg(1)][arg(3)] = f
		w.Int(1)
	case "zscore":
		f, ok := h.zsets[arg(1)][arg(2)]
		if !ok {
			w.Null()
			return
		}
		w.Double(f)
	case "debug":
		w.Raw([]byte(debugProtocol[w.Proto][strings.ToLower(arg(2))]))
	case "raw": // test hook: the reply is argv[1] as is
		w.Raw(argv[1])
	case "subscribe":
		w.Error("ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client")
	}
}

func (h *testHost) del(k string) bool {
	_, a := h.data[k]
	_, b := h.lists[k]
	_, c := h.hashes[k]
	_, d := h.zsets[k]
	delete(h.data, k)
	delete(h.lists, k)
	delete(h.hashes, k)
	delete(h.zsets, k)
	return a || b || c || d
}

func (h *testHost) ACLCheck(r *Run, argv [][]byte) (allowed, known bool) {
	_, known = testArity[strings.ToLower(string(argv[0]))]
	return known, known
}

func (h *testHost) Log(level int, msg string) {
	h.mu.Lock()
	h.logs = append(h.logs, strconv.Itoa(level)+" "+msg)
	h.mu.Unlock()
}

func (h *testHost) ErrorReply(r *Run, msg string, counted bool) {
	h.mu.Lock()
	if counted {
		msg = "counted:" + msg
	}
	h.errs = append(h.errs, msg)
	h.mu.Unlock()
}
