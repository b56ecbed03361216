package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// FileChunkSize is how much of a file one row of file_chunks holds: small
// enough that serving a file holds one chunk in memory, large enough that
// a 20 MB material is 80 rows.
const FileChunkSize = 256 << 10

// PutFile stores the file f.Size bytes of r describe, unless a file with
// the same hash is stored already (uploads are deduplicated by content).
// The caller has checked the content and computed f.Hash; the file and its
// chunks commit together, so a file is either whole or absent.
func (s *Store) PutFile(ctx context.Context, f model.File, r io.ReaderAt) error {
	if !model.ValidFileHash(f.Hash) {
		return fmt.Errorf("put file: bad hash %q", f.Hash)
	}
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM files WHERE hash = ?`, f.Hash).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	chunks := int((f.Size + FileChunkSize - 1) / FileChunkSize)
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO files (hash, size, content_type, chunks, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
			f.Hash, f.Size, f.ContentType, chunks, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // stored meanwhile by another upload of the same bytes
		}
		buf := make([]byte, FileChunkSize)
		for seq := range chunks {
			k, err := r.ReadAt(buf, int64(seq)*FileChunkSize)
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO file_chunks (hash, seq, data) VALUES (?, ?, ?)`, f.Hash, seq, buf[:k]); err != nil {
				return err
			}
		}
		return nil
	})
}

// File describes a stored file.
func (s *Store) File(ctx context.Context, hash string) (*model.File, error) {
	if !model.ValidFileHash(hash) {
		return nil, model.NotFound()
	}
	f := &model.File{Hash: hash}
	var chunks int
	err := s.queryRow(ctx, `SELECT size, content_type, chunks FROM files WHERE hash = ?`, hash).Scan(&f.Size, &f.ContentType, &chunks)
	return f, notFound(err)
}

// FileChunk reads chunk seq of a stored file into buf (reused when it is
// large enough), so a download allocates one chunk's buffer, not one per
// chunk.
func (s *Store) FileChunk(ctx context.Context, hash string, seq int, buf []byte) ([]byte, error) {
	rows, err := s.query(ctx, `SELECT data FROM file_chunks WHERE hash = ? AND seq = ?`, hash, seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, model.NotFound()
	}
	var raw sql.RawBytes // the driver's memory, valid until Next or Close
	if err := rows.Scan(&raw); err != nil {
		return nil, err
	}
	return append(buf[:0], raw...), rows.Close()
}

// fileUses lists where files are used; releaseFile deletes a file none of
// them names any more. Import jobs name their files inside their JSON.
var fileUses = []string{
	`SELECT 1 FROM homes WHERE photo = ?`,
	`SELECT 1 FROM lecturers WHERE photo = ?`,
	`SELECT 1 FROM course_materials WHERE file = ?`,
	`SELECT 1 FROM tech_case_files WHERE file = ?`,
	`SELECT 1 FROM market_files WHERE file = ?`,
}

// releaseFile deletes a file that nothing uses any more (a replaced
// photo), inside the caller's transaction.
func (s *Store) releaseFile(ctx context.Context, tx *Tx, hash string) error {
	if !model.ValidFileHash(hash) {
		return nil // a name from before files lived in the database
	}
	q := `DELETE FROM files WHERE hash = ?`
	args := []any{hash}
	for _, u := range fileUses {
		q += ` AND NOT EXISTS (` + u + `)`
		args = append(args, hash)
	}
	q += ` AND NOT EXISTS (SELECT 1 FROM jobs WHERE payload LIKE ? OR result LIKE ?)`
	args = append(args, "%"+hash+"%", "%"+hash+"%")
	_, err := tx.Exec(ctx, q, args...)
	return err
}

// LegacyFile is a use of a file that still lives on disk, named as it was
// before files moved into the database.
type LegacyFile struct {
	Table, Column string
	ID            int64
	Name          string
}

// LegacyFiles lists the uses of files that are still on disk.
func (s *Store) LegacyFiles(ctx context.Context) ([]LegacyFile, error) {
	var out []LegacyFile
	for _, u := range []struct{ table, column string }{{"homes", "photo"}, {"lecturers", "photo"}, {"course_materials", "file"}} {
		rows, err := s.query(ctx, `SELECT id, `+u.column+` FROM `+u.table+` WHERE `+u.column+` LIKE '%.%'`)
		l, err := scanAll(rows, err, func(r *sql.Rows) (LegacyFile, error) {
			f := LegacyFile{Table: u.table, Column: u.column}
			return f, r.Scan(&f.ID, &f.Name)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// MoveLegacyFile points a use of a file on disk at its stored copy.
func (s *Store) MoveLegacyFile(ctx context.Context, f LegacyFile, hash string) error {
	if !strings.Contains(f.Name, ".") || !model.ValidFileHash(hash) {
		return fmt.Errorf("move legacy file %q to %q", f.Name, hash)
	}
	table, column := "homes", "photo"
	switch f.Table + "." + f.Column {
	case "lecturers.photo":
		table = "lecturers"
	case "course_materials.file":
		table, column = "course_materials", "file"
	}
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ? AND `+column+` = ?`, hash, f.ID, f.Name)
		return err
	})
}

// FileCounts tells how many files are stored and in how many chunks.
func (s *Store) FileCounts(ctx context.Context) (files, chunks int, err error) {
	err = s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM file_chunks)`).Scan(&files, &chunks)
	return files, chunks, err
}
