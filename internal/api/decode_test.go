package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/model"
)

// FuzzDecode feeds arbitrary bodies to the JSON reader: it must answer a
// client error (never panic, never an internal error) or a value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"username":"a","password":"b"}`, `{"username":`, `[]`, `{"x":1}`, `{"username":1}`, `{} {}`, "\x00", ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		var c model.Credentials
		err := decode(r, httptest.NewRecorder(), &c)
		if err == nil {
			return
		}
		var e *model.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: error %T %v", body, err, err)
		}
		if e.Code != model.ErrMalformed && e.Code != model.ErrTooLarge {
			t.Fatalf("%q: code %s", body, e.Code)
		}
	})
}

func TestDecodeLimits(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"username":"`+strings.Repeat("a", MaxBody)+`"}`))
	r.Header.Set("Content-Type", "application/json")
	var c model.Credentials
	if err := decode(r, httptest.NewRecorder(), &c); model.ErrorCode(err) != model.ErrTooLarge {
		t.Errorf("large body: %v", err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "text/json")
	if err := decode(r, httptest.NewRecorder(), &c); model.ErrorCode(err) != model.ErrUnsupportedType {
		t.Errorf("text/json: %v", err)
	}
}
