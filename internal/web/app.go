package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// manifest makes envhome installable: name, colours, icons, start page.
func (h *Handler) manifest(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(r, "app.name", nil)
	icon := func(size string) map[string]string {
		return map[string]string{"src": "/static/icon-" + size + ".png?v=" + h.assets["icon-"+size+".png"],
			"sizes": size + "x" + size, "type": "image/png", "purpose": "any maskable"}
	}
	b, err := json.Marshal(map[string]any{
		"name": v.T("app.name"), "short_name": v.T("app.short_name"), "description": v.T("app.description"),
		"lang": v.Lang, "start_url": "/", "scope": "/", "display": "standalone",
		"background_color": "#f4f6f5", "theme_color": "#17633e",
		"icons": []map[string]string{icon("192"), icon("512")},
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	h.write(w, r, b)
	return nil
}

// serviceWorker serves static/sw.js at the root (a worker controls only
// the paths below its own), with the shell it caches: the fingerprinted
// files, so a new release is a new worker.
func (h *Handler) serviceWorker(w http.ResponseWriter, r *http.Request) error {
	shell := []string{"/offline"}
	for _, name := range []string{"app.css", "app.js", "favicon.svg", "vendor/icons.svg", "icon-192.png"} {
		shell = append(shell, "/static/"+name+"?v="+h.assets[name])
	}
	list, err := json.Marshal(shell)
	if err != nil {
		return err
	}
	src, err := embedded.ReadFile("static/sw.js")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("var VERSION = \"" + h.assets["sw.js"] + h.assets["app.css"] + "\";\nvar SHELL = " + string(list) + ";\n")
	b.Write(src)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	h.write(w, r, []byte(b.String()))
	return nil
}

// offlinePage is what the service worker shows for a page it cannot fetch.
func (h *Handler) offlinePage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(r, "offline.title", nil)
	v.User = nil // the same for everyone: it is cached
	return h.render(w, r, http.StatusOK, "offline", v)
}
