package pubsub

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"sync"
	"testing"
)

// Tests of the registry against Redis 7.0.15's pubsub.c semantics: counts
// replied by (un)subscriptions (clientSubscriptionsCount includes
// patterns, the shard count does not), fan-out order, patterns ignored by
// shard channels, and the message encodings of RESP2 and RESP3.

// sub is a recording Subscriber.
type sub struct {
	proto int
	mu    sync.Mutex
	got   []string
}

func (s *sub) Proto() int { return s.proto }

func (s *sub) Deliver(b []byte) {
	s.mu.Lock()
	s.got = append(s.got, string(b))
	s.mu.Unlock()
}

func (s *sub) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.got
	s.got = nil
	return g
}

// globMatch is a stand-in for the command layer's stringmatchlen; the
// patterns used here mean the same to path.Match.
func globMatch(pattern, channel []byte) bool {
	ok, _ := path.Match(string(pattern), string(channel))
	return ok
}

func msg2(ch, payload string) string {
	return string(AppendMessage(nil, 2, "message", nil, []byte(ch), []byte(payload)))
}

func TestEncodings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{string(AppendMessage(nil, 2, "message", nil, []byte("ch"), []byte("hi"))),
			"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"},
		{string(AppendMessage(nil, 3, "message", nil, []byte("ch"), []byte(""))),
			">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$0\r\n\r\n"},
		{string(AppendMessage(nil, 2, "pmessage", []byte("c*"), []byte("ch"), []byte("hi"))),
			"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"},
		{string(AppendMessage(nil, 3, "smessage", nil, []byte("s"), []byte("x"))),
			">3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nx\r\n"},
		{string(AppendConfirmation(nil, 2, "subscribe", []byte("a"), 12)),
			"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:12\r\n"},
		// "unsubscribe from all" with nothing to do: a null channel.
		{string(AppendConfirmation(nil, 2, "unsubscribe", nil, 0)),
			"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"},
		{string(AppendConfirmation(nil, 3, "punsubscribe", nil, 0)),
			">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSubscribeCounts(t *testing.T) {
	r := New(globMatch)
	a := &sub{proto: 2}
	check := func(gotAdded bool, gotN int, added bool, n int) {
		t.Helper()
		if gotAdded != added || gotN != n {
			t.Fatalf("got (%v, %d), want (%v, %d)", gotAdded, gotN, added, n)
		}
	}
	ok, n := r.Subscribe(a, Global, []byte("c1"))
	check(ok, n, true, 1)
	ok, n = r.Subscribe(a, Global, []byte("c1")) // SUBSCRIBE twice: still 1
	check(ok, n, false, 1)
	ok, n = r.PSubscribe(a, []byte("c*")) // patterns count with channels
	check(ok, n, true, 2)
	ok, n = r.Subscribe(a, Shard, []byte("s1")) // shard counts apart
	check(ok, n, true, 1)
	ok, n = r.Subscribe(a, Shard, []byte("c1")) // a separate namespace
	check(ok, n, true, 2)
	if ch, pat, sh := r.Counts(a); ch != 1 || pat != 1 || sh != 2 {
		t.Fatalf("Counts = %d %d %d", ch, pat, sh)
	}
	if r.NumChannels(Global) != 1 || r.NumChannels(Shard) != 2 || r.NumPat() != 1 {
		t.Fatalf("sizes %d %d %d", r.NumChannels(Global), r.NumChannels(Shard), r.NumPat())
	}
	ok, n = r.Unsubscribe(a, Global, []byte("nope"))
	check(ok, n, false, 2)
	ok, n = r.Unsubscribe(a, Global, []byte("c1"))
	check(ok, n, true, 1)
	ok, n = r.PUnsubscribe(a, []byte("c*"))
	check(ok, n, true, 0)
	if r.NumChannels(Global) != 0 || r.NumPat() != 0 {
		t.Fatal("empty channel or pattern kept")
	}
	r.Drop(a)
	if r.Active() || len(r.clients) != 0 {
		t.Fatal("Drop left state behind")
	}
	// Unknown subscribers: no-ops.
	if ok, n := r.Unsubscribe(a, Global, []byte("x")); ok || n != 0 {
		t.Fatal("unsubscribe of unknown subscriber")
	}
	if r.UnsubscribeAll(a, Global, nil) != 0 || r.PUnsubscribeAll(a, nil) != 0 {
		t.Fatal("unsubscribe-all of unknown subscriber")
	}
}

func TestUnsubscribeAllOrder(t *testing.T) {
	r := New(globMatch)
	a := &sub{proto: 2}
	names := []string{"e", "a", "d", "b", "c"}
	for _, n := range names {
		r.Subscribe(a, Global, []byte(n))
		r.PSubscribe(a, []byte(n+"*"))
	}
	r.Unsubscribe(a, Global, []byte("d"))
	r.Subscribe(a, Global, []byte("d")) // resubscribed: now last
	var got []string
	var counts []int
	n := r.UnsubscribeAll(a, Global, func(ch []byte, count int) {
		got = append(got, string(ch))
		counts = append(counts, count)
	})
	if n != 5 || !slices.Equal(got, []string{"e", "a", "b", "c", "d"}) ||
		!slices.Equal(counts, []int{9, 8, 7, 6, 5}) {
		t.Fatalf("UnsubscribeAll = %d %v %v", n, got, counts)
	}
	got, counts = nil, nil
	r.PUnsubscribeAll(a, func(p []byte, count int) {
		got = append(got, string(p))
		counts = append(counts, count)
	})
	if !slices.Equal(got, []string{"e*", "a*", "d*", "b*", "c*"}) || !slices.Equal(counts, []int{4, 3, 2, 1, 0}) {
		t.Fatalf("PUnsubscribeAll = %v %v", got, counts)
	}
	if r.Active() {
		t.Fatal("registry not empty")
	}
}

func TestPublishFanOut(t *testing.T) {
	r := New(globMatch)
	a, b, c := &sub{proto: 2}, &sub{proto: 3}, &sub{proto: 2}
	r.Subscribe(a, Global, []byte("news"))
	r.Subscribe(b, Global, []byte("news"))
	r.PSubscribe(a, []byte("n*"))
	r.PSubscribe(c, []byte("n*"))
	r.PSubscribe(c, []byte("x*"))
	r.Subscribe(c, Shard, []byte("news"))

	n, self := r.Publish(Global, []byte("news"), []byte("hi"), nil, nil)
	if n != 4 || self != nil {
		t.Fatalf("Publish = %d %q", n, self)
	}
	pm := func(proto int) string {
		return string(AppendMessage(nil, proto, "pmessage", []byte("n*"), []byte("news"), []byte("hi")))
	}
	// A client receives the channel's message before the patterns'.
	if got := a.take(); !slices.Equal(got, []string{msg2("news", "hi"), pm(2)}) {
		t.Errorf("a got %q", got)
	}
	if got := b.take(); !slices.Equal(got, []string{string(AppendMessage(nil, 3, "message", nil, []byte("news"), []byte("hi")))}) {
		t.Errorf("b got %q", got)
	}
	if got := c.take(); !slices.Equal(got, []string{pm(2)}) {
		t.Errorf("c got %q", got)
	}

	// Shard channels: their own subscribers only, no patterns.
	n, _ = r.Publish(Shard, []byte("news"), []byte("s"), nil, nil)
	if n != 1 {
		t.Fatalf("SPUBLISH receivers = %d", n)
	}
	if got := c.take(); !slices.Equal(got, []string{string(AppendMessage(nil, 2, "smessage", nil, []byte("news"), []byte("s")))}) {
		t.Errorf("c got %q", got)
	}
	if len(a.take())+len(b.take()) != 0 {
		t.Error("shard message reached global subscribers")
	}
	if n, _ := r.Publish(Global, []byte("other"), []byte("x"), nil, nil); n != 0 {
		t.Fatalf("publish to nobody = %d", n)
	}
}

func TestPublishSelf(t *testing.T) {
	r := New(globMatch)
	a, b := &sub{proto: 3}, &sub{proto: 2}
	r.Subscribe(a, Global, []byte("ch"))
	r.PSubscribe(a, []byte("*"))
	r.Subscribe(b, Global, []byte("ch"))
	n, out := r.Publish(Global, []byte("ch"), []byte("m"), a, []byte("prefix|"))
	if n != 3 {
		t.Fatalf("receivers = %d", n)
	}
	want := "prefix|" + string(AppendMessage(nil, 3, "message", nil, []byte("ch"), []byte("m"))) +
		string(AppendMessage(nil, 3, "pmessage", []byte("*"), []byte("ch"), []byte("m")))
	if string(out) != want {
		t.Fatalf("self out %q, want %q", out, want)
	}
	if len(a.take()) != 0 {
		t.Fatal("self also got a delivery")
	}
	if got := b.take(); len(got) != 1 {
		t.Fatalf("b got %q", got)
	}
}

func TestChannelsAndNumSub(t *testing.T) {
	r := New(globMatch)
	a, b := &sub{proto: 2}, &sub{proto: 2}
	for _, ch := range []string{"foo", "foobar", "bar"} {
		r.Subscribe(a, Global, []byte(ch))
	}
	r.Subscribe(b, Global, []byte("foo"))
	r.PSubscribe(b, []byte("foo")) // patterns are not counted by NUMSUB
	r.Subscribe(b, Shard, []byte("sh"))
	all := r.Channels(Global, nil, nil)
	got := make([]string, len(all))
	for i, c := range all {
		got[i] = string(c)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"bar", "foo", "foobar"}) {
		t.Fatalf("Channels = %v", got)
	}
	if n := len(r.Channels(Global, []byte("foo*"), nil)); n != 2 {
		t.Fatalf("Channels foo* = %d", n)
	}
	if c := r.Channels(Shard, nil, nil); len(c) != 1 || string(c[0]) != "sh" {
		t.Fatalf("shard channels %q", c)
	}
	if r.NumSub(Global, []byte("foo")) != 2 || r.NumSub(Global, []byte("nope")) != 0 || r.NumSub(Shard, []byte("sh")) != 1 {
		t.Fatal("NumSub")
	}
}

// TestConcurrent races publishers against subscribers coming and going
// (run with -race); afterwards the registry must be empty and every
// message a subscriber got must be whole.
func TestConcurrent(t *testing.T) {
	r := New(globMatch)
	var wg sync.WaitGroup
	subs := make([]*sub, 8)
	for i := range subs {
		subs[i] = &sub{proto: 2 + i%2}
	}
	for i, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				ch := fmt.Appendf(nil, "ch%d", j%5)
				r.Subscribe(s, Global, ch)
				r.PSubscribe(s, []byte("ch*"))
				if i%2 == 0 {
					r.Unsubscribe(s, Global, ch)
				} else {
					r.UnsubscribeAll(s, Global, nil)
				}
				r.PUnsubscribe(s, []byte("ch*"))
			}
			r.Drop(s)
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 500 {
				r.Publish(Global, fmt.Appendf(nil, "ch%d", j%5), []byte("payload"), nil, nil)
			}
		}()
	}
	wg.Wait()
	if r.Active() || len(r.clients) != 0 || len(r.patList) != 0 {
		t.Fatalf("registry not empty: %d clients, %d patterns", len(r.clients), len(r.patList))
	}
	for _, s := range subs {
		for _, m := range s.take() {
			if !bytes.HasSuffix([]byte(m), []byte("$7\r\npayload\r\n")) {
				t.Fatalf("torn message %q", m)
			}
		}
	}
}

// TestPublishAllocs: publishing to subscribers costs no allocation per
// subscriber (the message is encoded once per protocol version).
func TestPublishAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	r := New(globMatch)
	for i := range 100 {
		s := &countSub{proto: 2 + i%2}
		r.Subscribe(s, Global, []byte("ch"))
	}
	ch, payload := []byte("ch"), []byte("hello")
	r.Publish(Global, ch, payload, nil, nil) // warm the pool
	allocs := testing.AllocsPerRun(100, func() { r.Publish(Global, ch, payload, nil, nil) })
	if allocs > 0 {
		t.Fatalf("Publish to 100 subscribers: %v allocations", allocs)
	}
}

// countSub counts deliveries without keeping them.
type countSub struct {
	proto int
	n     int
}

func (s *countSub) Proto() int     { return s.proto }
func (s *countSub) Deliver([]byte) { s.n++ }

func BenchmarkPublish100(b *testing.B) {
	r := New(globMatch)
	for i := range 100 {
		r.Subscribe(&countSub{proto: 2 + i%2}, Global, []byte("ch"))
	}
	r.PSubscribe(&countSub{proto: 2}, []byte("c*"))
	ch, payload := []byte("ch"), bytes.Repeat([]byte("x"), 64)
	b.ReportAllocs()
	for b.Loop() {
		r.Publish(Global, ch, payload, nil, nil)
	}
}
