// Package cli holds what envhome's commands share: the environment a
// command may touch, and flag parsing that reports mistakes instead of
// exiting, so that a test can run any command in-process.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrUsage marks a command-line mistake (exit code 2).
var ErrUsage = errors.New("usage")

// Env is what a command may touch of the outside world.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// NewFlags makes a flag set that reports errors instead of exiting.
func NewFlags(name, synopsis string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: envhome %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// WantsHelp reports whether args ask for help.
func WantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// Parse parses flags; --help prints to stdout and ends the command with
// flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string, env Env) error {
	if WantsHelp(args) {
		fs.SetOutput(env.Stdout)
		fs.Usage()
		return flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return nil
}
