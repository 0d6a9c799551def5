package command

import "github.com/cinnabar-db/cinnabar/internal/keyspace"

// String commands (Redis's t_string.c).
func stringCommands() []*Spec {
	return []*Spec{
		{Name: "get", Handler: getCommand},
		{Name: "set", Handler: setCommand},
	}
}

func getCommand(c *Ctx) {
	e, ok := c.DB.Lookup(c.Argv[1])
	if !ok {
		c.W.Null()
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	writeString(c, e)
}

// writeString replies with a string entry's value.
func writeString(c *Ctx, e keyspace.Entry) {
	if e.Enc == keyspace.EncInt {
		c.W.BulkInt(e.Int)
		return
	}
	c.W.Bulk(e.Str)
}

func setCommand(c *Ctx) {
	c.DB.SetString(c.Argv[1], c.Argv[2], keyspace.NoExpire, false)
	c.W.OK()
}
