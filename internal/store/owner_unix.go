//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// claimOwner takes an exclusive lock on path+".owner" for as long as the
// process serves the database (the kernel drops it when the process ends,
// kill -9 included). A second server on the same SQLite file is refused:
// its token cache would keep a disabled account working, and the single
// writer the store relies on would be two.
func claimOwner(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".owner", os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrOwned
		}
		return nil, fmt.Errorf("sqlite: lock %s.owner: %w", path, err)
	}
	return f, nil
}
