package diff

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of client-side caching (Redis's tracking.c and
// networking.c CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO; Cinnabar's
// internal/command/tracking.go): RESP3 clients receiving invalidation
// pushes, RESP2 clients redirecting to a client subscribed to
// __redis__:invalidate, BCAST prefixes, NOLOOP, OPTIN/OPTOUT, flushes,
// lazy expiry and broken redirects. Every reply, push and message is
// compared byte for byte, in order.
//
// The scripts use psDuo's syntax (pubsub_test.go), "id c" to learn client
// c's IDs before it subscribes, and {id:c}: the ID of
// client c on each server, substituted into commands and, in replies,
// turned back into {id:c} before comparing (the servers number their
// clients differently).

type trkDuo struct {
	*psDuo
	ids map[string][2]string
}

func (d *trkDuo) id(t *testing.T, name string) [2]string {
	if v, ok := d.ids[name]; ok {
		return v
	}
	c := d.client(t, name)
	var v [2]string
	for i, p := range c {
		r := p.Send(t, Encode(nil, "CLIENT", "ID"), 1)[0]
		v[i] = strings.TrimSuffix(strings.TrimPrefix(string(r), ":"), "\r\n")
	}
	d.ids[name] = v
	return v
}

func (d *trkDuo) run(t *testing.T, script string) {
	t.Helper()
	for ln, line := range strings.Split(script, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		tok := psTokens(t, line)
		if len(tok) == 0 {
			continue
		}
		where := "line " + strconv.Itoa(ln+1) + ": " + strings.TrimSpace(line)
		if tok[0] == "id" { // learn a client's IDs (before it subscribes)
			d.id(t, tok[1])
			continue
		}
		if tok[0] == "sleep" {
			ms, _ := strconv.Atoi(tok[1])
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		head, noCompare := strings.CutSuffix(tok[0], "?")
		name, nStr, _ := strings.Cut(head, ":")
		c := d.client(t, name)
		// {id:x} of every client named in the line, per server.
		var subst [][2]string // (placeholder, value) per server index
		var ph []string
		for _, a := range tok[1:] {
			if strings.HasPrefix(a, "{id:") && strings.HasSuffix(a, "}") {
				ph = append(ph, a)
			}
		}
		for k := range d.ids {
			ph = append(ph, "{id:"+k+"}")
		}
		for _, p := range ph {
			v := d.id(t, strings.TrimSuffix(strings.TrimPrefix(p, "{id:"), "}"))
			subst = append(subst, [2]string{p, v[0]}, [2]string{p, v[1]})
		}
		var want, got [][]byte
		if len(tok) == 2 && strings.HasPrefix(tok[1], "<") {
			n, err := strconv.Atoi(tok[1][1:])
			if err != nil {
				t.Fatalf("%s: bad count", where)
			}
			want, got = psRead(t, c, n)
		} else {
			n := 1
			if nStr != "" {
				n, _ = strconv.Atoi(nStr)
			}
			for i, p := range c {
				args := make([]string, len(tok)-1)
				for j, a := range tok[1:] {
					args[j] = a
					for k := i; k < len(subst); k += 2 {
						if a == subst[k][0] {
							args[j] = subst[k][1]
						}
					}
				}
				_ = p.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if _, err := p.Conn.Write(Encode(nil, args...)); err != nil {
					t.Fatalf("%s: %s: write: %v", where, p.Addr, err)
				}
			}
			want, got = psRead(t, c, n)
		}
		if noCompare {
			continue
		}
		getredir := len(tok) == 3 && strings.EqualFold(tok[1], "client") && strings.EqualFold(tok[2], "getredir")
		norm := func(frames [][]byte, i int) string {
			s := string(bytes.Join(frames, nil))
			for k := i; k < len(subst); k += 2 {
				p, v := subst[k][0], subst[k][1]
				if getredir && s == ":"+v+"\r\n" {
					s = ":" + p + "\r\n"
				}
				for _, ctx := range []string{"$8\r\nredirect\r\n:", "tracking-redir-broken\r\n:", " redir="} {
					s = strings.ReplaceAll(s, ctx+v+"\r\n", ctx+p+"\r\n")
				}
			}
			return s
		}
		if w, g := norm(want, 0), norm(got, 1); w != g {
			t.Errorf("%s:\n redis:    %q\n cinnabar: %q", where, w, g)
		}
	}
}

// expectQuiet checks that neither server sent client c anything more.
func (d *trkDuo) expectQuiet(t *testing.T, name string) {
	t.Helper()
	for _, p := range d.client(t, name) {
		_ = p.Conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if f, err := ReadReply(p.R); err == nil {
			t.Errorf("%s: client %s got unexpected %q", p.Addr, name, f)
		}
		_ = p.Conn.SetReadDeadline(time.Time{})
	}
}

func trkStart(t *testing.T) *trkDuo {
	return &trkDuo{psDuo: psStart(t), ids: map[string][2]string{}}
}

// TestTrackingDiff: default mode in RESP3 and with a RESP2 redirect,
// NOLOOP, OPTIN/OPTOUT, BCAST prefixes, flushes, errors and introspection.
func TestTrackingDiff(t *testing.T) {
	d := trkStart(t)
	d.run(t, `
id rd
rd SUBSCRIBE __redis__:invalidate
w SET a 1
w SET b 1
# RESP2 client redirecting to rd
r CLIENT TRACKING on REDIRECT {id:rd}
r GET a
r MGET a b c
r CLIENT GETREDIR
r CLIENT TRACKINGINFO
w INCR a
rd <1
w INCR b
rd <1
w INCR a                 # forgotten after one invalidation
r INCR b                 # its own write: notified too (no NOLOOP)
r GET b
r CLIENT TRACKING on REDIRECT {id:rd} NOLOOP
r INCR b                 # NOLOOP: nothing
w GET b

# RESP3 client, push after the writer's own reply, EXEC, FLUSHDB
p3? HELLO 3
p3 CLIENT TRACKING on
p3 GET x
p3 HGET h f
w SET x 1
p3 <1
p3 HSET h f 1
p3 <1
p3 GET x
p3 MULTI
p3 INCR x
p3 GET y
p3 EXEC
p3 <1
p3 PING
p3 CLIENT TRACKINGINFO
r GET k
p3 GET k
w FLUSHALL
rd <1
p3 <1
p3 GET k
p3 MULTI
p3 FLUSHDB
p3 EXEC
p3 <1
rd <1

# OPTIN / OPTOUT and CLIENT CACHING
p3 CLIENT TRACKING off
p3 CLIENT CACHING yes
p3 CLIENT TRACKING on OPTIN
p3 CLIENT CACHING no
p3 GET o1
p3 CLIENT CACHING yes
p3 CLIENT GETNAME       # a CLIENT command keeps CACHING for the next
p3 CLIENT TRACKINGINFO
p3 GET o2
p3 GET o3
w MSET o1 1 o2 1 o3 1
p3 <1
p3 CLIENT TRACKING on OPTOUT
p3 CLIENT TRACKING off
p3 CLIENT TRACKING on OPTOUT
p3 CLIENT CACHING no
p3 GET o1
p3 GET o2
w MSET o1 2 o2 2
p3 <1
p3 CLIENT TRACKING off

# BCAST with prefixes, NOLOOP, in a transaction
b3? HELLO 3
b3 CLIENT TRACKING on BCAST PREFIX a: PREFIX b: NOLOOP
b3 CLIENT TRACKING on BCAST PREFIX c: NOLOOP   # options not given again are cleared
b3 CLIENT TRACKINGINFO
w MULTI
w INCR b:2
w INCR a:2
w INCR a:1
w INCR b:1
w INCR z:1
w INCR c:1
w EXEC
b3 <3
b3 SET a:3 x              # NOLOOP: not told about its own key
w SET a:4 x
b3 <1
r CLIENT TRACKING off
r CLIENT TRACKING on BCAST REDIRECT {id:rd}
w MSET k2 1 k1 1
rd <1
r CLIENT TRACKING on REDIRECT {id:rd}
r CLIENT TRACKING on BCAST REDIRECT {id:rd} PREFIX x
r CLIENT TRACKINGINFO
b3 CLIENT TRACKING off
b3 CLIENT TRACKINGINFO

# errors
e CLIENT TRACKING on PREFIX a
e CLIENT TRACKING on BCAST OPTIN
e CLIENT TRACKING on OPTIN OPTOUT
e CLIENT TRACKING on REDIRECT 999999
e CLIENT TRACKING on REDIRECT 0
e CLIENT TRACKING on REDIRECT x
e CLIENT TRACKING on REDIRECT {id:rd} REDIRECT {id:rd}
e CLIENT TRACKING on REDIRECT
e CLIENT TRACKING maybe
e CLIENT TRACKING on bogus
e CLIENT TRACKING on BCAST PREFIX foo PREFIX foobar
e:2 CLIENT TRACKING on BCAST PREFIX a PREFIX b PREFIX bc
e CLIENT TRACKING on BCAST PREFIX bz
e CLIENT TRACKING on
e CLIENT CACHING maybe
e CLIENT CACHING yes
e CLIENT GETREDIR
e CLIENT TRACKING off
e CLIENT CACHING yes
e CLIENT TRACKINGINFO
e CLIENT GETREDIR
`)
	d.expectQuiet(t, "rd")
	d.expectQuiet(t, "p3")
	d.expectQuiet(t, "b3")
}

// TestTrackingDiffRedirBroken: the redirect client goes away.
func TestTrackingDiffRedirBroken(t *testing.T) {
	d := trkStart(t)
	d.run(t, `
id rd
rd SUBSCRIBE __redis__:invalidate
p3? HELLO 3
p3 CLIENT TRACKING on REDIRECT {id:rd}
p3 GET k
rd QUIT
w SET k 1
p3 <1
p3 CLIENT TRACKINGINFO
`)
}

// TestTrackingDiffLazyExpire: a key that expires when read is invalidated
// after the reply ("Tracking invalidation message is not interleaved with
// multiple keys response").
func TestTrackingDiffLazyExpire(t *testing.T) {
	d := trkStart(t)
	d.run(t, `
p3? HELLO 3
p3 DEBUG SET-ACTIVE-EXPIRE 0
p3 CLIENT TRACKING on
p3 MSET x 1 y 2
p3 PEXPIRE y 50
p3 MGET x y
sleep 120
p3 MGET x y
p3 <1
p3 PING
`)
}
