// Package materials keeps the files attached to courses (slides, handouts)
// in the data directory.
package materials

import (
	"crypto/rand"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// MaxBytes is the largest material accepted.
const MaxBytes = 20 << 20

// allowed lists the kinds of file lecturers hand out, by extension.
var allowed = map[string]string{
	".pdf":  "application/pdf",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".jpg":  "image/jpeg",
	".png":  "image/png",
}

// Service stores and serves course materials.
type Service struct {
	Store *store.Store
	Dir   string
}

// Add reads the "file" field of a multipart upload and attaches it to a
// course. The type is checked by extension and by content: an Office file
// is a zip, a PDF starts %PDF.
func (s *Service) Add(w http.ResponseWriter, r *http.Request, a model.Actor, courseID int64) (*model.Material, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	name, data, err := httpx.ReadUploadFile(w, r, "file", MaxBytes)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	ext := strings.ToLower(filepath.Ext(name))
	ct, ok := allowed[ext]
	sniff := http.DetectContentType(data)
	switch {
	case !ok, name == "" || !utf8.ValidString(name) || len(name) > 200:
		ok = false
	case ext == ".pdf":
		ok = sniff == "application/pdf"
	case ext == ".jpg" || ext == ".png":
		ok = sniff == ct
	default:
		ok = sniff == "application/zip"
	}
	if !ok {
		return nil, model.Errorf(model.ErrUnsupportedType, "err.material.type")
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return nil, err
	}
	b := make([]byte, 12)
	rand.Read(b)
	file := hex.EncodeToString(b) + ext
	if err := os.WriteFile(filepath.Join(s.Dir, file), data, 0o640); err != nil {
		return nil, err
	}
	m := &model.Material{CourseID: courseID, Name: name, File: file, Size: int64(len(data)), ContentType: ct}
	if err := s.Store.AddMaterial(r.Context(), a, m); err != nil {
		os.Remove(filepath.Join(s.Dir, file))
		return nil, err
	}
	m.CreatedAt = s.Store.Now()
	return m, nil
}

// Serve sends a material as a download under its original name.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, id int64) error {
	m, err := s.Store.Material(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(s.Dir, filepath.Base(m.File)))
	if err != nil {
		return model.NotFound()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.Name}))
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}
