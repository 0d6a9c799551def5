package command_test

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// GEO command tests (geo.c). Each case is a command and the raw reply
// redis-server 7.0.15 sends for it (captured from the real server; the
// differential tests in tests/diff/geo_test.go compare many more).

func geoDo(t *testing.T, c net.Conn, r *bufio.Reader, cmd string) string {
	t.Helper()
	args := strings.Fields(cmd)
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	geoReadReply(t, r, &out)
	return out.String()
}

func geoReadReply(t *testing.T, r *bufio.Reader, out *strings.Builder) {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	out.WriteString(line)
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if n >= 0 {
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(r, buf); err != nil {
				t.Fatal(err)
			}
			out.Write(buf)
		}
	case '*':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		for i := 0; i < n; i++ {
			geoReadReply(t, r, out)
		}
	}
}

func TestGeoCommands(t *testing.T) {
	s := servertest.Start(t, nil)
	c := s.Dial(t)
	r := bufio.NewReader(c)
	cases := []struct{ cmd, want string }{
		{"GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", ":2\r\n"},
		{"GEODIST Sicily Palermo Catania km", "$8\r\n166.2742\r\n"},
		{"GEOHASH Sicily Palermo Catania nope", "*3\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n"},
		{"GEOPOS Sicily Palermo nope", "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n"},
		{"GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH",
			"*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n" +
				"*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n"},
		{"GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC", "*2\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n"},
		{"GEORADIUS Sicily 15 37 200 km COUNT 1", "*1\r\n$7\r\nCatania\r\n"},
		{"GEOADD Sicily 200 1 x", "-ERR invalid longitude,latitude pair 200.000000,1.000000\r\n"},
		{"GEOADD Sicily NX XX 1 1 x", "-ERR syntax error\r\n"},
		{"GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST", "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"},
		{"GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYRADIUS 200 km STOREDIST", ":2\r\n"},
		{"ZRANGE dst 0 -1 WITHSCORES", "*4\r\n$7\r\nPalermo\r\n$1\r\n0\r\n$7\r\nCatania\r\n$18\r\n166.27415156960032\r\n"},
		{"GEORADIUS Sicily 15 37 200 km ANY", "-ERR the ANY argument requires COUNT argument\r\n"},
		{"GEODIST Sicily Palermo Catania yd", "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"},
	}
	for _, tc := range cases {
		if got := geoDo(t, c, r, tc.cmd); got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.cmd, got, tc.want)
		}
	}
}
