package command

// Set commands (Redis's t_set.c).
func setCommands() []*Spec {
	return []*Spec{}
}
