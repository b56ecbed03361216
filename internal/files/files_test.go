package files_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

func each(t *testing.T, fn func(t *testing.T, st *store.Store, fs *files.Service)) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.New(t, d, store.Options{})
			fn(t, st, &files.Service{Store: st, TempDir: t.TempDir()})
		})
	}
}

// jpegWithGPS is a small JPEG carrying an EXIF block with a GPS tag and
// an XMP packet, as a phone writes them.
func jpegWithGPS(t *testing.T) []byte {
	t.Helper()
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00MM\x00\x2a"), []byte("GPSLatitude 30.5123 N GPSLongitude 120.6801 E")...)
	xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>exif:GPSLatitude=30,30.7N</x:xmpmeta>")
	seg := func(payload []byte) []byte {
		s := []byte{0xFF, 0xE1, 0, 0}
		binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	b := pic.Bytes()
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, seg(exif)...)
	out = append(out, seg(xmp)...)
	return append(out, b[2:]...)
}

func TestPhotosLoseTheirLocation(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		in := jpegWithGPS(t)
		f, err := fs.Put(ctx, files.Photo, "IMG_0001.jpg", bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		o, err := fs.Open(ctx, f.Hash)
		if err != nil {
			t.Fatal(err)
		}
		got, err := o.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got, []byte("GPS")) || bytes.Contains(got, []byte("Exif")) || bytes.Contains(got, []byte("xmpmeta")) {
			t.Error("the stored photo still carries its location")
		}
		if _, err := jpeg.Decode(bytes.NewReader(got)); err != nil {
			t.Errorf("the stored photo no longer decodes: %v", err)
		}
		if f.ContentType != "image/jpeg" || int(f.Size) != len(got) || len(got) >= len(in) {
			t.Errorf("stored %+v, %d bytes from %d", f, len(got), len(in))
		}
	})
}

func TestPNGTextChunksDropped(t *testing.T) {
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	b := pic.Bytes()
	chunk := func(typ, data string) []byte {
		c := make([]byte, 8, 12+len(data))
		binary.BigEndian.PutUint32(c, uint32(len(data)))
		copy(c[4:], typ)
		c = append(c, data...)
		return append(c, 0, 0, 0, 0) // CRC: not checked by the stripper
	}
	withText := append(append(append([]byte{}, b[:33]...), chunk("tEXt", "GPS\x0030.5N 120.6E")...), b[33:]...)
	got := files.StripMetadata("image/png", withText)
	if bytes.Contains(got, []byte("GPS")) || !bytes.Equal(got, b) {
		t.Errorf("stripped PNG differs from the original picture (%d bytes, want %d)", len(got), len(b))
	}
}

func TestRefusals(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		var bomb bytes.Buffer // a PNG header claiming 100,000 × 100,000 pixels
		png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1)))
		b := bomb.Bytes()
		binary.BigEndian.PutUint32(b[16:], 100_000)
		binary.BigEndian.PutUint32(b[20:], 100_000)
		big := make([]byte, files.Photo.MaxBytes+1)
		copy(big, jpegWithGPS(t))
		for _, c := range []struct {
			name string
			kind files.Kind
			file string
			data []byte
			code model.Code
		}{
			{"html as a photo", files.Photo, "a.jpg", []byte("<html><script>alert(1)</script>"), model.ErrUnsupportedType},
			{"pixel bomb", files.Photo, "a.png", b, model.ErrUnsupportedType},
			{"photo over 5 MB", files.Photo, "a.jpg", big, model.ErrTooLarge},
			{"empty", files.Photo, "a.jpg", nil, model.ErrInvalid},
			{"pdf named .docx", files.Material, "a.docx", []byte("%PDF-1.4\n%%EOF"), model.ErrUnsupportedType},
			{"zip that is no Office file", files.Material, "a.pptx", zipOf(t, map[string]int{"readme.txt": 10}), model.ErrUnsupportedType},
			{"zip bomb", files.Material, "a.docx", zipOf(t, map[string]int{"[Content_Types].xml": 100, "word/document.xml": files.MaxUnzipped}), model.ErrUnsupportedType},
			{"executable", files.Material, "a.pdf", append([]byte("MZ"), make([]byte, 100)...), model.ErrUnsupportedType},
		} {
			if _, err := fs.Put(ctx, c.kind, c.file, bytes.NewReader(c.data)); model.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if n, _, err := st.FileCounts(ctx); err != nil || n != 0 {
			t.Errorf("refused uploads left %d files (%v)", n, err)
		}
	})
}

// zipOf builds a zip whose entries have the given sizes (zeros compress
// to almost nothing, which is what a bomb relies on).
func zipOf(t *testing.T, entries map[string]int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, size := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(w, zeros{}, int64(size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestStoredInChunks stores a material larger than several chunks, once
// for two uploads of the same bytes, and serves it whole and by ranges,
// with the headers a download keeps.
func TestStoredInChunks(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		data := append([]byte("%PDF-1.4\n"), make([]byte, 3*store.FileChunkSize+123)...)
		rand.Read(data[9:])
		f1, err := fs.Put(ctx, files.Material, "讲义.pdf", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		f2, err := fs.Put(ctx, files.Material, "copy.pdf", bytes.NewReader(data))
		if err != nil || f2.Hash != f1.Hash {
			t.Fatalf("second upload: %+v %v", f2, err)
		}
		stored, chunks, err := st.FileCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored != 1 || chunks != 4 {
			t.Errorf("%d files in %d chunks, want 1 in 4", stored, chunks)
		}
		serve := func(hdr http.Header) *httptest.ResponseRecorder {
			o, err := fs.Open(ctx, f1.Hash)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/materials/1", nil)
			for k, v := range hdr {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			httpx.ServeStored(rec, req, o, "讲义.pdf", "private, max-age=3600")
			return rec
		}
		rec := serve(nil)
		if !bytes.Equal(rec.Body.Bytes(), data) {
			t.Errorf("served %d bytes, want the %d stored", rec.Body.Len(), len(data))
		}
		h := rec.Header()
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("ETag") != `"`+f1.Hash+`"` {
			t.Errorf("headers: %v", h)
		}
		start := store.FileChunkSize - 10
		rec = serve(http.Header{"Range": {"bytes=" + strconv.Itoa(start) + "-" + strconv.Itoa(start+19)}})
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[start:start+20]) {
			t.Errorf("range across two chunks: %d, %d bytes", rec.Code, rec.Body.Len())
		}
		if rec = serve(http.Header{"If-None-Match": {`"` + f1.Hash + `"`}}); rec.Code != http.StatusNotModified {
			t.Errorf("repeat download: %d, want 304", rec.Code)
		}
	})
}

// TestMoveFromDisk takes photos and materials that an earlier version kept
// on disk into the database and points their rows at them.
func TestMoveFromDisk(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		sys := model.SystemActor()
		region, err := st.CreateRegion(ctx, sys, model.Region{Code: "330481001", Name: "海昌街道"})
		if err != nil {
			t.Fatal(err)
		}
		home, err := st.CreateHome(ctx, sys, model.Home{Name: "智慧港之家", RegionID: region})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "photos"), 0o750)
		photo := jpegWithGPS(t)
		os.WriteFile(filepath.Join(dir, "photos", "0123456789abcdef01234567.jpg"), photo, 0o640)
		// Set as an earlier version did: a file name under data/photos.
		if err := st.SetHomePhoto(ctx, sys, home.ID, "0123456789abcdef01234567.jpg"); err != nil {
			t.Fatal(err)
		}
		n, err := fs.MoveFromDisk(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil || n != 1 {
			t.Fatalf("moved %d: %v", n, err)
		}
		h, err := st.Home(ctx, home.ID)
		if err != nil || !model.ValidFileHash(h.Photo) {
			t.Fatalf("home photo after the move: %q %v", h.Photo, err)
		}
		if _, err := fs.Open(ctx, h.Photo); err != nil {
			t.Errorf("moved photo: %v", err)
		}
		if n, err := fs.MoveFromDisk(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil))); n != 0 || err != nil {
			t.Errorf("second start moved %d: %v", n, err)
		}
	})
}

// TestReplacedPhotoIsDeleted: a Home's old photo goes when a new one
// replaces it, unless something else still uses the same bytes.
func TestReplacedPhotoIsDeleted(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		sys := model.SystemActor()
		region, _ := st.CreateRegion(ctx, sys, model.Region{Code: "330481001", Name: "海昌街道"})
		h1, _ := st.CreateHome(ctx, sys, model.Home{Name: "一号之家", RegionID: region})
		h2, _ := st.CreateHome(ctx, sys, model.Home{Name: "二号之家", RegionID: region})
		pics := make([]*model.File, 2)
		for i := range pics {
			var b bytes.Buffer
			png.Encode(&b, image.NewGray(image.Rect(0, 0, i+1, 1)))
			f, err := fs.Put(ctx, files.Photo, "p.png", &b)
			if err != nil {
				t.Fatal(err)
			}
			pics[i] = f
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(st.SetHomePhoto(ctx, sys, h1.ID, pics[0].Hash))
		must(st.SetHomePhoto(ctx, sys, h2.ID, pics[0].Hash)) // both Homes show the same picture
		must(st.SetHomePhoto(ctx, sys, h1.ID, pics[1].Hash))
		if _, err := fs.Open(ctx, pics[0].Hash); err != nil {
			t.Errorf("a photo still used by another Home was deleted: %v", err)
		}
		must(st.SetHomePhoto(ctx, sys, h2.ID, pics[1].Hash))
		if _, err := fs.Open(ctx, pics[0].Hash); !model.IsCode(err, model.ErrNotFound) {
			t.Errorf("a photo nothing uses is still stored: %v", err)
		}
		if n, chunks, _ := st.FileCounts(ctx); n != 1 || chunks != 1 {
			t.Errorf("%d files in %d chunks, want 1 in 1", n, chunks)
		}
	})
}

// TestImagesAreOnlyImages: a photo that carries a page after its image
// data is stored without it, and a file that only starts like an image is
// refused.
func TestImagesAreOnlyImages(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store, fs *files.Service) {
		ctx := context.Background()
		page := []byte("<html><script>alert(document.cookie)</script></html>")
		var p bytes.Buffer
		png.Encode(&p, image.NewRGBA(image.Rect(0, 0, 3, 3)))
		for name, data := range map[string][]byte{
			"polyglot.png": append(append([]byte{}, p.Bytes()...), page...),
			"polyglot.jpg": append(jpegWithGPS(t), page...),
		} {
			f, err := fs.Put(ctx, files.Photo, name, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			o, _ := fs.Open(ctx, f.Hash)
			got, _ := o.Bytes()
			if bytes.Contains(got, []byte("<html>")) {
				t.Errorf("%s: the page after the image was kept", name)
			}
		}
		broken := append(append([]byte{}, p.Bytes()[:40]...), page...) // a PNG header, then a page
		if _, err := fs.Put(ctx, files.Photo, "broken.png", bytes.NewReader(broken)); model.ErrorCode(err) != model.ErrUnsupportedType {
			t.Errorf("an image that does not decode: %v", err)
		}
		webp := []byte("RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x07\x00\x00")
		webp = append(webp, make([]byte, 0x24+8-len(webp))...)
		if _, err := fs.Put(ctx, files.Photo, "a.webp", bytes.NewReader(append(webp, page...))); model.ErrorCode(err) != model.ErrUnsupportedType {
			t.Errorf("a WebP with a page after it: %v", err)
		}
	})
}
