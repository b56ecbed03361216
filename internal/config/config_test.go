package config

import (
	"flag"
	"io"
	"path/filepath"
	"testing"
)

func parse(t *testing.T, args []string, env map[string]string) (Config, error) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	finish := Serve(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return finish()
}

func TestDefaultsEnvAndFlags(t *testing.T) {
	c, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != filepath.Join("data", "envhome.db") || c.DataDir != "data" || !c.Demo || c.LogFormat != "text" || c.DBConns != 16 {
		t.Errorf("defaults: %+v", c)
	}
	env := map[string]string{"ENVHOME_ADDR": ":9000", "ENVHOME_DATA_DIR": "/srv/eh", "ENVHOME_DEMO": "false", "ENVHOME_LOG_FORMAT": "json", "ENVHOME_DB_CONNS": "8"}
	c, _ = parse(t, nil, env)
	if c.Addr != ":9000" || c.DB != "/srv/eh/envhome.db" || c.Demo || c.LogFormat != "json" || c.DBConns != 8 {
		t.Errorf("from the environment: %+v", c)
	}
	c, _ = parse(t, []string{"--addr", ":7000", "--demo=true", "--db", "postgres://x@h/db", "--db-conns", "4"}, env)
	if c.Addr != ":7000" || !c.Demo || c.DB != "postgres://x@h/db" || c.DBConns != 4 {
		t.Errorf("flags must win: %+v", c)
	}
	for _, args := range [][]string{{"--demo", "maybe"}, {"--log-format", "xml"}, {"--base-url", "ftp://x"}, {"--trusted-proxies", "10.0.0.0/99"}, {"--db-conns", "0"}, {"--db-conns", "many"}} {
		if _, err := parse(t, args, nil); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
