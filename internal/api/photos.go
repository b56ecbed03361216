package api

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// putPhoto takes a JPEG, PNG or WebP image as the body, or as the "photo"
// field of multipart/form-data, for the path's {id}, and answers 204.
func (h *Handler) putPhoto(set func(ctx context.Context, a model.Actor, id int64, name string, r io.Reader) error) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		name, body, err := photoUpload(w, r)
		if err != nil {
			return err
		}
		if err := set(r.Context(), actor(r), id, name, body); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// photoUpload is an image sent as the body, or as the "photo" field of a
// multipart form, as a stream.
func photoUpload(w http.ResponseWriter, r *http.Request) (string, io.Reader, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return httpx.UploadPart(w, r, "photo", files.Photo.MaxBytes)
	}
	return "", http.MaxBytesReader(w, r.Body, files.Photo.MaxBytes+1), nil
}
