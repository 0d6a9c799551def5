package diff

import (
	"bytes"
	"math"
	"strconv"
	"testing"
)

// Differential tests of the GEO commands (Redis's geo.c): the same stream
// goes to redis-server 7.0.15 and to Cinnabar over RESP2 and RESP3 and the
// raw replies must be equal. Points are seeded random (the seed is logged).

func geoStart(t *testing.T) (h2, h3 *Harness) {
	t.Helper()
	h2 = Start(t)
	h3 = &Harness{Redis: Dial(t, h2.Redis.Addr), Cinnabar: Dial(t, h2.Cinnabar.Addr)}
	h3.Both(t, "HELLO", "3")
	return h2, h3
}

func geoBoth(t *testing.T, h2, h3 *Harness, args ...string) {
	t.Helper()
	h2.Do(t, args...)
	h3.Do(t, args...)
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestGeoErrorsAndBasics(t *testing.T) {
	h2, h3 := geoStart(t)
	cmds := [][]string{
		{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
		{"GEOADD", "Sicily", "CH", "13.361389", "38.115557", "Palermo", "16", "38", "x"},
		{"GEOADD", "Sicily", "NX", "1", "1", "Palermo"},
		{"GEOADD", "Sicily", "XX", "1", "1", "nope"},
		{"GEOADD", "Sicily", "NX", "XX", "1", "1", "a"},
		{"GEOADD", "Sicily", "1", "1"},
		{"GEOADD", "Sicily", "1", "1", "a", "b"},
		{"GEOADD", "Sicily", "200", "1", "a"},
		{"GEOADD", "Sicily", "1", "86", "a"},
		{"GEOADD", "Sicily", "inf", "1", "a"},
		{"GEOADD", "Sicily", "abc", "1", "a"},
		{"GEOADD", "Sicily", "GT", "1", "1", "a"},
		{"GEOADD", "Sicily", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne", "0", "0", "zero"},
		{"GEOPOS", "Sicily", "Palermo", "Catania", "nope", "sw", "ne", "zero"},
		{"GEOPOS", "nokey", "a"},
		{"GEOHASH", "Sicily", "Palermo", "Catania", "nope", "sw", "ne", "zero"},
		{"GEOHASH", "nokey", "a", "b"},
		{"GEODIST", "Sicily", "Palermo", "Catania"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "km"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "MI"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "ft"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "yd"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "km", "x"},
		{"GEODIST", "Sicily", "Palermo", "nope"},
		{"GEODIST", "Sicily", "Palermo", "Palermo"},
		{"GEODIST", "nokey", "a", "b"},
		{"SET", "str", "x"},
		{"GEOPOS", "str", "a"},
		{"GEODIST", "str", "a", "b"},
		{"GEOHASH", "str", "a"},
		{"GEOADD", "str", "1", "1", "a"},
		{"GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "DESC", "COUNT", "1"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"},
		{"GEORADIUS", "Sicily", "15", "37", "-1", "km"},
		{"GEORADIUS", "Sicily", "15", "37", "x", "km"},
		{"GEORADIUS", "Sicily", "15", "37", "1", "yd"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "BOGUS"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"},
		{"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst"},
		{"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "dst"},
		{"EXISTS", "dst"},
		{"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"},
		{"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"},
		{"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"},
		{"GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"},
		{"GEORADIUSBYMEMBER", "nokey", "nope", "x", "yd"},
		{"GEORADIUSBYMEMBER", "nokey", "nope", "200", "km", "STORE", "dst2"},
		{"GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "100", "mi", "WITHCOORD"},
		{"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "WITHDIST", "WITHCOORD"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "WITHDIST", "ASC"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "400", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "400", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "y", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"},
		{"GEOSEARCH", "Sicily", "BYRADIUS", "15", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"},
		{"GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"},
		{"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"},
		{"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"},
		{"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1", "DESC"},
		{"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
		{"EXISTS", "dst"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "0", "m", "WITHCOORD"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "30000", "km", "WITHDIST"},
	}
	for _, c := range cmds {
		geoBoth(t, h2, h3, c...)
	}
}

// TestGeoRandom compares searches over seeded random point clouds of
// several spreads, at the two encodings of the sorted set.
func TestGeoRandom(t *testing.T) {
	h2, h3 := geoStart(t)
	r := h2.Rand()
	units := []string{"m", "km", "ft", "mi"}
	for round := 0; round < 6; round++ {
		key := "pts" + strconv.Itoa(round)
		clon := r.Float64()*340 - 170
		clat := r.Float64()*160 - 80
		spread := []float64{0.01, 0.5, 5, 40, 180, 1}[round]
		n := []int{50, 200, 100, 300, 120, 90}[round]
		for i := 0; i < n; i++ {
			lon := clon + (r.Float64()*2-1)*spread
			lat := clat + (r.Float64()*2-1)*spread/2
			lon = max(-180, min(180, lon))
			lat = max(-85.05112878, min(85.05112878, lat))
			h2.Do(t, "GEOADD", key, ff(lon), ff(lat), "m"+strconv.Itoa(i))
		}
		for q := 0; q < 25; q++ {
			qlon := max(-180, min(180, clon+(r.Float64()*2-1)*spread))
			qlat := max(-85, min(85, clat+(r.Float64()*2-1)*spread/2))
			unit := units[r.IntN(len(units))]
			conv := map[string]float64{"m": 1, "km": 1000, "ft": 0.3048, "mi": 1609.34}[unit]
			rad := r.Float64() * spread * 111000 / conv
			member := "m" + strconv.Itoa(r.IntN(n))
			opts := []string{"WITHDIST", "WITHCOORD", "WITHHASH"}
			if r.IntN(2) == 0 {
				opts = append(opts, "ASC")
			} else if r.IntN(2) == 0 {
				opts = append(opts, "DESC")
			}
			if r.IntN(3) == 0 {
				opts = append(opts, "COUNT", strconv.Itoa(1+r.IntN(10)))
			}
			geoBoth(t, h2, h3, append([]string{"GEORADIUS", key, ff(qlon), ff(qlat), ff(rad), unit}, opts...)...)
			geoBoth(t, h2, h3, append([]string{"GEORADIUSBYMEMBER", key, member, ff(rad), unit}, opts...)...)
			geoBoth(t, h2, h3, append([]string{"GEOSEARCH", key, "FROMLONLAT", ff(qlon), ff(qlat),
				"BYBOX", ff(rad * 2), ff(rad * 1.3), unit}, opts...)...)
			geoBoth(t, h2, h3, "GEOSEARCHSTORE", "dst", key, "FROMMEMBER", member, "BYRADIUS", ff(rad), unit, "STOREDIST")
			geoCloseScores(t, h2, "ZRANGE", "dst", "0", "-1", "WITHSCORES")
			geoBoth(t, h2, h3, "GEODIST", key, member, "m"+strconv.Itoa(r.IntN(n)), unit)
			geoBoth(t, h2, h3, "GEOPOS", key, member)
			geoBoth(t, h2, h3, "GEOHASH", key, member)
		}
	}
}

// geoCloseScores compares a reply holding STOREDIST distances allowing a
// few ulps: glibc's sin/cos/asin are not correctly rounded for about 0.1%
// of arguments while Cinnabar's are, so the 17th digit may differ. Bulk
// lengths are skipped, every other token must match exactly or be a float
// within a relative 1e-14.
func geoCloseScores(t *testing.T, h *Harness, args ...string) {
	t.Helper()
	raw := Encode(nil, args...)
	want := bytes.Split(h.Redis.Send(t, raw, 1)[0], []byte("\r\n"))
	got := bytes.Split(h.Cinnabar.Send(t, raw, 1)[0], []byte("\r\n"))
	if len(want) != len(got) {
		t.Errorf("%q: %d tokens from redis, %d from cinnabar", args, len(want), len(got))
		return
	}
	for i := range want {
		if bytes.Equal(want[i], got[i]) || (len(want[i]) > 0 && want[i][0] == '$') {
			continue
		}
		a, err1 := strconv.ParseFloat(string(want[i]), 64)
		b, err2 := strconv.ParseFloat(string(got[i]), 64)
		if err1 != nil || err2 != nil || math.Abs(a-b) > 1e-14*math.Abs(a) {
			t.Errorf("%q: token %d: redis %q, cinnabar %q", args, i, want[i], got[i])
		}
	}
}
