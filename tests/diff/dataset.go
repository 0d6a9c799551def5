package diff

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

// DescribeValue returns key's type and a canonical text of its value
// (members sorted where the order is not part of the value), so that
// two servers' datasets compare key by key.
func DescribeValue(ctx context.Context, c redis.Cmdable, key string) (typ, v string) {
	typ = c.Type(ctx, key).Val()
	switch typ {
	case "string":
		v = c.Get(ctx, key).Val()
	case "list":
		v = strings.Join(c.LRange(ctx, key, 0, -1).Val(), ",")
	case "set":
		m := c.SMembers(ctx, key).Val()
		sort.Strings(m)
		v = strings.Join(m, ",")
	case "hash":
		var fs []string
		for f, x := range c.HGetAll(ctx, key).Val() {
			fs = append(fs, f+"="+x)
		}
		sort.Strings(fs)
		v = strings.Join(fs, ",")
	case "zset":
		var b strings.Builder
		for _, z := range c.ZRangeWithScores(ctx, key, 0, -1).Val() {
			fmt.Fprintf(&b, "%v:%v,", z.Member, z.Score)
		}
		v = b.String()
	}
	return typ, v
}
