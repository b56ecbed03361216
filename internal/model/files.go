package model

import "time"

// File is an uploaded file kept in the database, named by the SHA-256 of
// its bytes (lower-case hex).
type File struct {
	Hash        string `json:"hash"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	// TakenAt is when a photo was taken, read from its EXIF block on
	// upload (the block itself is not kept).
	TakenAt *time.Time `json:"-"`
}

// ValidFileHash reports whether s names a stored file.
func ValidFileHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
