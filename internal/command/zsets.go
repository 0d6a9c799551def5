package command

// Zset commands (Redis's t_zset.c).
func zsetCommands() []*Spec {
	return []*Spec{}
}
