// Package config reads envhome's configuration from flags and the
// environment; a flag wins over its variable. There are no globals.
package config

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
)

// Config is the configuration of a running envhome.
type Config struct {
	Addr      string
	DB        string
	DataDir   string
	BaseURL   string
	LogFormat string
	Demo      bool
	// DBConns caps this process's PostgreSQL connections (writes take
	// three quarters of them); instances behind a load balancer share
	// the database's cores.
	DBConns int
	// TrustedProxies are the load balancers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies httpx.Proxies
	// SMTP sends notices by email when SMTPAddr is set.
	SMTPAddr, SMTPFrom, SMTPUser, SMTPPassword string
	// Webhooks: the hosts notice webhooks may go to ("*": any public
	// host; empty: WeCom and DingTalk), whether plain http is allowed and
	// whether private addresses are (an in-house relay).
	WebhookHosts                []string
	WebhookHTTP, WebhookPrivate bool
	// PIIKeys seal ID numbers at rest: "id:base64key[,id:base64key…]",
	// the first seals, the others still open (during a rotation). Only
	// from the environment: flags show in ps.
	PIIKeys string
}

// Database registers only the flags that choose the database, for the
// commands that need nothing else.
func Database(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	var c Config
	fs.StringVar(&c.DB, "db", getenv("ENVHOME_DB"), "SQLite file path or postgres:// URL (default DATA-DIR/envhome.db) [ENVHOME_DB]")
	fs.StringVar(&c.DataDir, "data-dir", or(getenv("ENVHOME_DATA_DIR"), "data"), "directory for uploads and the default database [ENVHOME_DATA_DIR]")
	c.PIIKeys = getenv("ENVHOME_PII_KEYS")
	return func() (Config, error) {
		if c.DB == "" {
			c.DB = filepath.Join(c.DataDir, "envhome.db")
		}
		return c, nil
	}
}

// Serve registers every flag of the server and returns a function that
// finishes the configuration after fs.Parse.
func Serve(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	db := Database(fs, getenv)
	var c Config
	var demo, proxies, conns string
	fs.StringVar(&conns, "db-conns", or(getenv("ENVHOME_DB_CONNS"), "16"), "PostgreSQL connections of this process, 1 to 500 [ENVHOME_DB_CONNS]")
	fs.StringVar(&c.Addr, "addr", or(getenv("ENVHOME_ADDR"), "127.0.0.1:8080"), "address to listen on [ENVHOME_ADDR]")
	fs.StringVar(&c.BaseURL, "base-url", getenv("ENVHOME_BASE_URL"), "public URL of the site, e.g. https://envhome.example.gov.cn [ENVHOME_BASE_URL]")
	fs.StringVar(&c.LogFormat, "log-format", or(getenv("ENVHOME_LOG_FORMAT"), "text"), "log format: text or json [ENVHOME_LOG_FORMAT]")
	fs.StringVar(&demo, "demo", or(getenv("ENVHOME_DEMO"), "true"), "seed demo data into an empty database: true or false [ENVHOME_DEMO]")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", getenv("ENVHOME_SMTP_ADDR"), "mail server host:port for email notices; empty: no email [ENVHOME_SMTP_ADDR]")
	fs.StringVar(&c.SMTPFrom, "smtp-from", or(getenv("ENVHOME_SMTP_FROM"), "envhome@localhost"), "sender address of email notices [ENVHOME_SMTP_FROM]")
	fs.StringVar(&c.SMTPUser, "smtp-user", getenv("ENVHOME_SMTP_USER"), "mail server user name, if it asks for one [ENVHOME_SMTP_USER]")
	c.SMTPPassword = getenv("ENVHOME_SMTP_PASSWORD") // never a flag: flags show in ps
	var hooks, hooksHTTP, hooksPrivate string
	fs.StringVar(&hooks, "webhook-hosts", or(getenv("ENVHOME_WEBHOOK_HOSTS"), "qyapi.weixin.qq.com,oapi.dingtalk.com"),
		"hosts notice webhooks may call, comma-separated; * for any public host [ENVHOME_WEBHOOK_HOSTS]")
	fs.StringVar(&hooksHTTP, "webhook-http", or(getenv("ENVHOME_WEBHOOK_HTTP"), "false"), "allow webhooks over plain http: true or false [ENVHOME_WEBHOOK_HTTP]")
	fs.StringVar(&hooksPrivate, "webhook-private", or(getenv("ENVHOME_WEBHOOK_PRIVATE"), "false"),
		"allow webhooks to loopback and private addresses (an in-house relay): true or false [ENVHOME_WEBHOOK_PRIVATE]")
	fs.StringVar(&proxies, "trusted-proxies", getenv("ENVHOME_TRUSTED_PROXIES"), "comma-separated addresses/CIDRs of load balancers to trust for X-Forwarded-For [ENVHOME_TRUSTED_PROXIES]")
	return func() (Config, error) {
		d, err := db()
		if err != nil {
			return c, err
		}
		c.DB, c.DataDir, c.PIIKeys = d.DB, d.DataDir, d.PIIKeys
		if c.Demo, err = strconv.ParseBool(demo); err != nil {
			return c, fmt.Errorf("--demo: want true or false, got %q", demo)
		}
		if c.DBConns, err = strconv.Atoi(conns); err != nil || c.DBConns < 1 || c.DBConns > 500 {
			return c, fmt.Errorf("--db-conns: want a number from 1 to 500, got %q", conns)
		}
		if c.LogFormat != "text" && c.LogFormat != "json" {
			return c, fmt.Errorf("--log-format: want text or json, got %q", c.LogFormat)
		}
		if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
			return c, fmt.Errorf("--base-url: want an http:// or https:// URL, got %q", c.BaseURL)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		if c.TrustedProxies, err = httpx.ParseProxies(proxies); err != nil {
			return c, fmt.Errorf("--trusted-proxies: %v", err)
		}
		for _, h := range strings.Split(hooks, ",") {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				c.WebhookHosts = append(c.WebhookHosts, h)
			}
		}
		if c.WebhookHTTP, err = strconv.ParseBool(hooksHTTP); err != nil {
			return c, fmt.Errorf("--webhook-http: want true or false, got %q", hooksHTTP)
		}
		if c.WebhookPrivate, err = strconv.ParseBool(hooksPrivate); err != nil {
			return c, fmt.Errorf("--webhook-private: want true or false, got %q", hooksPrivate)
		}
		return c, nil
	}
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
