// Package files takes in every uploaded file (Home and lecturer photos,
// course materials, roster workbooks; inspection photos, evidence and law
// documents next) and keeps it in the database: it checks the content
// against the kind of upload (by its bytes, not its name), refuses files
// over the kind's size, decompression bombs and images of absurd size,
// strips the metadata that can give away where a photo was taken, and
// stores the file by the SHA-256 of its bytes, so the same upload is kept
// once. Files are written and read a chunk at a time: a download never
// holds a whole file in memory, and every instance serves every file.
package files

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads their sizes
	_ "image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Kind is a family of uploads: its size limit, the content types it
// accepts and the file name extensions each may carry.
type Kind struct {
	Name     string
	MaxBytes int64
	// Types maps an accepted content type, as sniffed from the bytes, to
	// the extensions a file of it may be named with; nil accepts any name.
	Types map[string][]string
	// TypeKey and SizeKey are the messages for a refused type and size.
	TypeKey, SizeKey string
	// Office requires a zip to be an Office Open XML file; a kind whose
	// contents are checked elsewhere (rosters) leaves that to its reader.
	Office bool
}

// The kinds of upload.
var (
	Photo = Kind{Name: "photo", MaxBytes: 5 << 20, TypeKey: "err.photo.type", SizeKey: "err.photo.too_large",
		Types: map[string][]string{"image/jpeg": nil, "image/png": nil, "image/webp": nil}}
	Material = Kind{Name: "material", MaxBytes: 20 << 20, TypeKey: "err.material.type", SizeKey: "err.upload.too_large", Office: true,
		Types: map[string][]string{"application/pdf": {".pdf"}, "application/zip": {".pptx", ".docx", ".xlsx"},
			"image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}}
	// Roster is an Excel workbook; the roster package checks its insides.
	Roster = Kind{Name: "roster", MaxBytes: 32 << 20, TypeKey: "err.roster.not_xlsx", SizeKey: "err.roster.too_large",
		Types: map[string][]string{"application/zip": nil}}
)

// officeTypes names the Office Open XML formats, which all sniff as zip.
var officeTypes = map[string]string{
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Limits against files built to exhaust the server.
const (
	// MaxPixels bounds an image's width × height (a 5 MB PNG can claim
	// 100,000 × 100,000 pixels).
	MaxPixels = 50_000_000
	// MaxUnzipped bounds what an Office file unpacks to, and MaxEntries its
	// number of parts.
	MaxUnzipped = 256 << 20
	MaxEntries  = 10_000
)

// Service stores and opens files.
type Service struct {
	Store *store.Store
	// TempDir holds uploads while they are checked ("" is the system's).
	TempDir string
}

// Put checks an upload of kind k named name and stores it, returning the
// stored file. Nothing is stored when a check fails.
func (s *Service) Put(ctx context.Context, k Kind, name string, r io.Reader) (*model.File, error) {
	tmp, err := os.CreateTemp(s.TempDir, "envhome-upload-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(r, k.MaxBytes+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || n > k.MaxBytes:
		return nil, model.Errorf(model.ErrTooLarge, k.SizeKey)
	case err != nil:
		return nil, model.Errorf(model.ErrMalformed, "err.upload.malformed")
	case n == 0:
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"file": "err.field.required"}}
	}
	head := make([]byte, 512)
	h, _ := tmp.ReadAt(head, 0)
	ct := http.DetectContentType(head[:h])
	exts, ok := k.Types[ct]
	ext := strings.ToLower(filepath.Ext(name))
	if !ok || (exts != nil && !slices.Contains(exts, ext)) {
		return nil, model.Errorf(model.ErrUnsupportedType, k.TypeKey)
	}
	f := &model.File{Hash: hex.EncodeToString(sum.Sum(nil)), Size: n, ContentType: ct}
	var body io.ReaderAt = tmp
	switch {
	case strings.HasPrefix(ct, "image/"):
		data := make([]byte, n)
		if _, err := tmp.ReadAt(data, 0); err != nil && err != io.EOF {
			return nil, err
		}
		if err := checkPixels(ct, data); err != nil {
			return nil, err
		}
		if t, ok := CaptureTime(ct, data, model.ChinaTime); ok {
			f.TakenAt = &t
		}
		clean := StripMetadata(ct, data)
		if err := provenImage(ct, clean); err != nil {
			return nil, err
		}
		if len(clean) != len(data) {
			h := sha256.Sum256(clean)
			f.Hash, f.Size = hex.EncodeToString(h[:]), int64(len(clean))
			body = bytes.NewReader(clean)
		}
	case ct == "application/zip":
		if err := checkZip(tmp, n, k); err != nil {
			return nil, err
		}
		if t, ok := officeTypes[ext]; ok {
			f.ContentType = t
		}
	}
	if err := s.Store.PutFile(ctx, *f, body); err != nil {
		return nil, err
	}
	return f, nil
}

// CleanName is the name a file is offered under: the last path element
// as sent (browsers on Windows send backslashes), at most 200 bytes of
// valid UTF-8, never empty.
func CleanName(name, fallback string) string {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 200 {
		return fallback
	}
	return name
}

// checkZip refuses an archive that is not an Office file or that unpacks
// to far more than it weighs, without unpacking it: the sizes are in the
// central directory.
func checkZip(r io.ReaderAt, size int64, k Kind) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return model.Errorf(model.ErrUnsupportedType, k.TypeKey)
	}
	if len(zr.File) > MaxEntries {
		return model.Errorf(model.ErrUnsupportedType, "err.upload.bomb")
	}
	var total uint64
	office := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > MaxUnzipped {
			return model.Errorf(model.ErrUnsupportedType, "err.upload.bomb")
		}
		office = office || zf.Name == "[Content_Types].xml"
	}
	if k.Office && !office {
		return model.Errorf(model.ErrUnsupportedType, k.TypeKey)
	}
	return nil
}

// checkPixels refuses images whose header claims more than MaxPixels, and
// images whose header cannot be read.
func checkPixels(ct string, data []byte) error {
	var w, h int
	if ct == "image/webp" {
		var ok bool
		if w, h, ok = webpSize(data); !ok {
			return model.Errorf(model.ErrUnsupportedType, "err.photo.type")
		}
	} else {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return model.Errorf(model.ErrUnsupportedType, "err.photo.type")
		}
		w, h = cfg.Width, cfg.Height
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > MaxPixels {
		return model.Errorf(model.ErrUnsupportedType, "err.photo.pixels")
	}
	return nil
}

// provenImage decodes a whole JPEG or PNG (a file that only starts like
// an image, or carries a page after it, is refused); a WebP, which the
// standard library cannot decode, must be exactly its container with a
// readable header.
func provenImage(ct string, data []byte) error {
	if ct == "image/webp" {
		if _, _, ok := webpSize(data); !ok || !webpWhole(data) {
			return model.Errorf(model.ErrUnsupportedType, "err.photo.type")
		}
		return nil
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return model.Errorf(model.ErrUnsupportedType, "err.photo.type")
	}
	return nil
}

// Object is a stored file opened for reading. It reads one chunk at a
// time and seeks, so http.ServeContent can answer range requests.
type Object struct {
	model.File
	ctx   context.Context
	st    *store.Store
	off   int64
	seq   int
	chunk []byte // chunk seq, or nil
}

// Open opens a stored file; a name from before files lived in the
// database, or an unknown hash, is not found.
func (s *Service) Open(ctx context.Context, hash string) (*Object, error) {
	f, err := s.Store.File(ctx, hash)
	if err != nil {
		return nil, err
	}
	return &Object{File: *f, ctx: ctx, st: s.Store, seq: -1}, nil
}

func (o *Object) Read(p []byte) (int, error) {
	if o.off >= o.Size {
		return 0, io.EOF
	}
	seq := int(o.off / store.FileChunkSize)
	if seq != o.seq {
		b, err := o.st.FileChunk(o.ctx, o.Hash, seq, o.chunk)
		if err != nil {
			return 0, fmt.Errorf("file %s chunk %d: %w", o.Hash, seq, err)
		}
		o.chunk, o.seq = b, seq
	}
	n := copy(p, o.chunk[o.off-int64(seq)*store.FileChunkSize:])
	if n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	o.off += int64(n)
	return n, nil
}

func (o *Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.Size
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: before the start")
	}
	o.off = offset
	return offset, nil
}

// Info describes the file.
func (o *Object) Info() model.File { return o.File }

// Bytes reads a whole stored file (a roster workbook for its import).
func (o *Object) Bytes() ([]byte, error) {
	o.off = 0
	return io.ReadAll(o)
}

// MoveFromDisk takes the photos and materials that earlier versions kept
// under dataDir into the database and points their uses at them; it runs
// at start-up and has nothing to do once they are in. A file missing from
// this instance's disk is reported and left for the instance that has it.
func (s *Service) MoveFromDisk(ctx context.Context, dataDir string, log *slog.Logger) (int, error) {
	legacy, err := s.Store.LegacyFiles(ctx)
	if err != nil || len(legacy) == 0 {
		return 0, err
	}
	moved := 0
	for _, l := range legacy {
		kind, dir := Photo, "photos"
		if l.Table == "course_materials" {
			kind, dir = Material, "materials"
		}
		f, err := os.Open(filepath.Join(dataDir, dir, filepath.Base(l.Name)))
		if err != nil {
			log.Warn("file not on this instance's disk; left where it is", "table", l.Table, "id", l.ID, "file", l.Name, "err", err)
			continue
		}
		stored, err := s.Put(ctx, kind, l.Name, f)
		f.Close()
		if err != nil {
			log.Warn("file on disk refused; left where it is", "table", l.Table, "id", l.ID, "file", l.Name, "err", err)
			continue
		}
		if err := s.Store.MoveLegacyFile(ctx, l, stored.Hash); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}
