package command

// Hash commands (Redis's t_hash.c).
func hashCommands() []*Spec {
	return []*Spec{}
}
