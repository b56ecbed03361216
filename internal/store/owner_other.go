//go:build !unix

package store

import "os"

// claimOwner does nothing where flock is not available; run one server
// per SQLite file there.
func claimOwner(string) (*os.File, error) { return nil, nil }
