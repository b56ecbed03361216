// Command envhome runs the platform of a county's Homes for Environmental
// Managers; see `envhome --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/envhome/envhome/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if code := app.ExitCode(err); code != 0 {
		fmt.Fprintln(os.Stderr, "envhome:", err)
		os.Exit(code)
	}
}
