// Package photos keeps pictures uploaded for Homes in the data directory.
package photos

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"

	"github.com/envhome/envhome/internal/model"
)

// MaxBytes is the largest photo accepted.
const MaxBytes = 5 << 20

var exts = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}

// Save checks that data is a JPEG, PNG or WebP image (by its bytes, not
// its name) and stores it under dir, returning the new file's name.
func Save(dir string, data []byte) (string, error) {
	ext, ok := exts[http.DetectContentType(data)]
	if !ok {
		return "", model.Errorf(model.ErrUnsupportedType, "err.photo.type")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	b := make([]byte, 12)
	rand.Read(b)
	name := hex.EncodeToString(b) + ext
	return name, os.WriteFile(filepath.Join(dir, name), data, 0o640)
}

// Path is where a stored photo lives; names never leave dir.
func Path(dir, name string) string { return filepath.Join(dir, filepath.Base(name)) }
