package command

// Keyspace commands (Redis's db.c and expire.c).
func keyCommands() []*Spec {
	return []*Spec{
		{Name: "del", Handler: delCommand},
	}
}

func delCommand(c *Ctx) {
	n := int64(0)
	for _, k := range c.Argv[1:] {
		if c.DB.Delete(k) {
			n++
		}
	}
	c.W.Int(n)
}
