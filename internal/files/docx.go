package files

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/model"
)

// MaxLawUpload bounds a law text uploaded as .txt or .docx.
const MaxLawUpload = 10 << 20

// LawText reads the text of an uploaded law: a UTF-8 .txt (a byte-order
// mark dropped) or a .docx, whose paragraphs become lines. A .docx that is
// not one, or that unpacks to far more than it weighs, is refused; so is
// a text that is not UTF-8.
func LawText(name string, r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxLawUpload+1))
	if err != nil {
		return "", model.Errorf(model.ErrMalformed, "err.upload.malformed")
	}
	if len(data) > MaxLawUpload {
		return "", model.Errorf(model.ErrTooLarge, "err.upload.too_large")
	}
	if strings.HasSuffix(strings.ToLower(name), ".docx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return docxText(data)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return "", model.Errorf(model.ErrUnsupportedType, "err.law.encoding")
	}
	return string(data), nil
}

func docxText(data []byte) (string, error) {
	if err := checkZip(bytes.NewReader(data), int64(len(data)), Material); err != nil {
		return "", model.Errorf(model.ErrUnsupportedType, "err.law.docx")
	}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", model.Errorf(model.ErrUnsupportedType, "err.law.docx")
		}
		defer rc.Close()
		// The paragraphs' runs of text, a line per paragraph; reading stops
		// at MaxUnzipped whatever the header claimed.
		dec := xml.NewDecoder(io.LimitReader(rc, MaxUnzipped))
		var b strings.Builder
		inText := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", model.Errorf(model.ErrUnsupportedType, "err.law.docx")
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "t":
					inText = true
				case "tab":
					b.WriteByte('\t')
				case "br":
					b.WriteByte('\n')
				}
			case xml.EndElement:
				switch t.Name.Local {
				case "t":
					inText = false
				case "p":
					b.WriteByte('\n')
				}
			case xml.CharData:
				if inText {
					b.Write(t)
				}
			}
		}
		return b.String(), nil
	}
	return "", model.Errorf(model.ErrUnsupportedType, "err.law.docx")
}
