package app_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/app"
)

// TestBackupDuringWritesRestores backs up a live server while it takes
// writes, restores the backup into a fresh directory and compares every
// table; the restored server serves the uploaded photo. A restore over a
// database that a server holds is refused.
func TestBackupDuringWritesRestores(t *testing.T) {
	dir := t.TempDir()
	s := start(t, []string{"--data-dir", dir}, nil)
	m := demoLine.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatal("no demo admin")
	}
	tok := s.login(t, m[1], m[2])
	// A demo password is changed at the first sign-in; until then only
	// the change itself is allowed.
	{
		req, _ := http.NewRequest("GET", s.url+"/api/v1/homes", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Errorf("before changing the demo password: %d, want 403", res.StatusCode)
		}
		body, _ := json.Marshal(map[string]string{"current_password": m[2], "new_password": "my own long password"})
		req, _ = http.NewRequest("POST", s.url+"/api/v1/me/password", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		if res, err = http.DefaultClient.Do(req); err != nil || res.StatusCode != 204 {
			t.Fatalf("change the demo password: %v %v", err, res.StatusCode)
		}
		res.Body.Close()
		tok = s.login(t, m[1], "my own long password")
	}
	call := func(method, path, ctype string, body []byte) *http.Response {
		req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// A photo: kept in the database, so in the backup.
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 5, 4)))
	res := call("GET", "/api/v1/homes", "", nil)
	var homes struct{ Items []struct{ ID int64 } }
	json.NewDecoder(res.Body).Decode(&homes)
	res.Body.Close()
	if len(homes.Items) == 0 {
		t.Fatal("no demo Home")
	}
	home := homes.Items[0].ID
	if res := call("PUT", fmt.Sprintf("/api/v1/homes/%d/photo", home), "image/png", pic.Bytes()); res.StatusCode != 204 {
		t.Fatalf("photo: %d", res.StatusCode)
	}
	// Writes keep coming while the backup runs.
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body, _ := json.Marshal(map[string]any{"code": fmt.Sprintf("9%08d", i), "name": fmt.Sprintf("备份测试镇%d", i)})
			req, _ := http.NewRequest("POST", s.url+"/api/v1/regions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			if res, err := http.DefaultClient.Do(req); err == nil {
				if res.StatusCode == 201 {
					acked.Add(1)
				}
				res.Body.Close()
			}
		}
	})
	for acked.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	before := acked.Load()
	backup := filepath.Join(t.TempDir(), "envhome-backup.db")
	var out, errOut bytes.Buffer
	if err := app.Run(t.Context(), []string{"backup", "--db", filepath.Join(dir, "envhome.db"), "--to", backup}, env(nil), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("backup: %v", err)
	}
	close(stop)
	wg.Wait()

	// Restoring over the live database is refused.
	if err := app.Run(t.Context(), []string{"restore", "--from", backup, "--db", filepath.Join(dir, "envhome.db")}, env(nil), strings.NewReader(""), &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "another envhome process") {
		t.Errorf("restore over a served database: %v", err)
	}
	fresh := t.TempDir()
	if err := app.Run(t.Context(), []string{"restore", "--from", backup, "--db", filepath.Join(fresh, "envhome.db")}, env(nil), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("restore: %v", err)
	}
	a, b := tableDigests(t, backup), tableDigests(t, filepath.Join(fresh, "envhome.db"))
	if len(a) < 20 {
		t.Fatalf("only %d tables in the backup", len(a))
	}
	for table, d := range a {
		if b[table] != d {
			t.Errorf("table %s differs after the restore", table)
		}
	}
	if n := rowCount(t, filepath.Join(fresh, "envhome.db"), `SELECT COUNT(*) FROM regions WHERE name LIKE '备份测试镇%'`); int64(n) < before {
		t.Errorf("the backup lost acknowledged writes: %d regions, %d acknowledged before it began", n, before)
	}
	// The restored data serves, the photo included.
	s2 := start(t, []string{"--data-dir", fresh, "--demo=false"}, nil)
	r2, err := http.Get(s2.url + fmt.Sprintf("/api/v1/homes/%d/photo", home))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if r2.StatusCode != 200 || !bytes.Equal(got, pic.Bytes()) {
		t.Errorf("photo after the restore: %d, %d bytes", r2.StatusCode, len(got))
	}
}

// tableDigests reads every table of a SQLite file (read-only) into a
// digest of its rows in primary-key order.
func tableDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_search%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	sort.Strings(tables)
	out := map[string]string{}
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY 1`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rs.Columns()
		h := sha256.New()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			rs.Scan(ptrs...)
			fmt.Fprintln(h, vals...)
		}
		rs.Close()
		out[table] = fmt.Sprintf("%x", h.Sum(nil))
	}
	return out
}

func rowCount(t *testing.T, path, q string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
