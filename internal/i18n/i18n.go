// Package i18n holds envhome's message catalogues: zh-CN, the default, and
// en. Messages are looked up by key; a missing key falls back to Chinese
// and then to the key itself, so a gap never breaks a page.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Default is the language of anyone who has not chosen another.
const Default = "zh-CN"

//go:embed locales/*.json
var files embed.FS

// Catalog maps language → key → message.
type Catalog struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
	tags    []string
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	entries, err := files.ReadDir("locales")
	if err != nil {
		return nil, err
	}
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, e := range entries {
		b, err := files.ReadFile("locales/" + e.Name())
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		c.msgs[strings.TrimSuffix(e.Name(), path.Ext(e.Name()))] = m
	}
	if c.msgs[Default] == nil {
		return nil, fmt.Errorf("i18n: no %s catalogue", Default)
	}
	// The default goes first so that an unknown language matches Chinese.
	c.tags = []string{Default}
	for tag := range c.msgs {
		if tag != Default {
			c.tags = append(c.tags, tag)
		}
	}
	sort.Strings(c.tags[1:])
	var tags []language.Tag
	for _, t := range c.tags {
		tags = append(tags, language.MustParse(t))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Languages lists the catalogues, default first.
func (c *Catalog) Languages() []string { return c.tags }

// Keys returns the keys of one catalogue, sorted.
func (c *Catalog) Keys(lang string) []string {
	var keys []string
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// HasKey reports whether the default catalogue has key.
func (c *Catalog) HasKey(key string) bool { _, ok := c.msgs[Default][key]; return ok }

// Has reports whether lang is a catalogue.
func (c *Catalog) Has(lang string) bool { _, ok := c.msgs[lang]; return ok }

// Match picks the best catalogue for an Accept-Language header.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return c.tags[idx]
}

// T translates key into lang, formatting args into the message with fmt verbs.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		if msg, ok = c.msgs[Default][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}
