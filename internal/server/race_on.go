//go:build race

package server

// raceEnabled: built with the race detector (the tests' build), which
// turns on extra checks.
const raceEnabled = true
