package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDefault checks the embedded validator.yaml: it sets every option the
// daemon documents, and it validates.
func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Refresh != 10*time.Minute || c.RTR.Listen[0] != ":3323" || c.HTTP.Listen[0] != ":8323" ||
		c.RTR.MaxVersion != 2 || c.Fetch.RRDPFallback != "stale" || c.RTR.History < 20 ||
		c.RTR.MaxSessionsPerSource != 32 || c.RTR.FirstQueryTimeout != 30*time.Second {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

// TestDefaultIsTheShippedFile keeps configs/validator.yaml the embedded one.
func TestDefaultIsTheShippedFile(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "configs", "validator.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatal("configs/validator.yaml differs from the embedded default")
	}
}

func TestLoadOverlay(t *testing.T) {
	c := load(t, "refresh: 2m\nrtr:\n  max_version: 1\n")
	if c.Refresh != 2*time.Minute || c.RTR.MaxVersion != 1 || c.RTR.Listen[0] != ":3323" {
		t.Fatalf("overlay not applied over defaults: %+v", c)
	}
	if c := load(t, ""); c.Refresh != 10*time.Minute {
		t.Fatal("empty file changed the defaults")
	}
}

// TestLoadRejects: each problem names its line and key; an unknown key
// gets the nearest known key at its level, and a bad enum the values
// allowed.
func TestLoadRejects(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":     {"refesh: 2m\n", "line 1: unknown key refesh (did you mean refresh?)"},
		"unknown nested":  {"rtr:\n  lisen: [\":1\"]\n", "line 2: unknown key rtr.lisen (did you mean rtr.listen?)"},
		"swapped letters": {"rtr:\n  max_versoin: 1\n", "did you mean rtr.max_version?"},
		"no near key":     {"banana: 1\n", "unknown key banana (known keys here: cache, fetch,"},
		"bad duration":    {"refresh: soon\n", "line 1: cannot unmarshal"},
		"two documents":   {"refresh: 2m\n---\nrefresh: 3m\n", "more than one YAML document"},
		"bad listen":      {"http:\n  listen: [\"8323\"]\n", `line 2: http.listen[0]: address "8323": want host:port`},
		"bad port":        {"rtr:\n  listen: [\":http\"]\n", `port "http" is not a number`},
		"bad allow":       {"rtr:\n  allow: [banana]\n", "line 2: rtr.allow[0]:"},
		"empty allow":     {"rtr:\n  allow: [\"\"]\n", `rtr.allow[0]: "" is not valid`},
		"bad fallback":    {"fetch:\n  rrdp_fallback: sometimes\n", `line 2: fetch.rrdp_fallback: "sometimes": want never, stale or new`},
		"bad level":       {"log:\n  level: loud\n", `log.level: "loud": want debug, info, warn or error`},
		"bad format":      {"log:\n  format: xml\n", `log.format: "xml": want console or json`},
		"bad now":         {"now: yesterday\n", `line 1: now: time "yesterday": want RFC 3339`},
		"every problem":   {"refesh: 1m\nlog:\n  level: loud\n", "did you mean refresh?)\nconfig: "},
		"wrong node kind": {"rtr: 3\n", "cannot unmarshal"},
		"list for scalar": {"now: [1]\n", "cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestLoadTyped decodes every typed field.
func TestLoadTyped(t *testing.T) {
	c := load(t, "now: 2024-05-01T12:00:00Z\nrtr:\n  listen: [\"127.0.0.1:3323\", \"[::1]:3323\"]\n"+
		"  allow: [192.0.2.0/24, \"2001:db8::/32\"]\nfetch:\n  rrdp_fallback: never\nlog:\n  level: debug\n  format: json\n")
	if !c.Now.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("now = %v", c.Now)
	}
	if len(c.RTR.Listen) != 2 || c.RTR.Listen[1] != "[::1]:3323" {
		t.Errorf("rtr.listen = %v", c.RTR.Listen)
	}
	if len(c.RTR.Allow) != 2 || c.RTR.Allow[0] != netip.MustParsePrefix("192.0.2.0/24") {
		t.Errorf("rtr.allow = %v", c.RTR.Allow)
	}
	if c.Fetch.RRDPFallback != FallbackNever || c.Log.Level != LevelDebug || c.Log.Format != FormatJSON {
		t.Errorf("enums: %v %v %v", c.Fetch.RRDPFallback, c.Log.Level, c.Log.Format)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c := load(t, "now: \"\"\n"); !c.Now.IsZero() {
		t.Errorf("empty now = %v, want zero", c.Now)
	}
}

// TestLoadResolvesPaths: paths in a file are relative to its folder, and
// absolute ones are kept.
func TestLoadResolvesPaths(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "validator.yaml")
	os.Mkdir(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("cache: cache\ntals: [a.tal, /etc/b.tal]\nslurm: [../local.json]\n"+
		"fetch:\n  ca_cert: ca.pem\nrtr:\n  tls_cert: tls/c.pem\n  tls_key: k.pem\n"), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Dir(p)
	for got, want := range map[string]string{
		c.Cache: filepath.Join(sub, "cache"), c.TALs[0]: filepath.Join(sub, "a.tal"), c.TALs[1]: "/etc/b.tal",
		c.SLURM[0]: filepath.Join(dir, "local.json"), c.Fetch.CACert: filepath.Join(sub, "ca.pem"),
		c.RTR.TLSCert: filepath.Join(sub, "tls", "c.pem"), c.RTR.TLSKey: filepath.Join(sub, "k.pem"),
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
	if c.TALDir != "" {
		t.Errorf("tal_dir %q: an empty path must stay empty", c.TALDir)
	}
}

func TestNearest(t *testing.T) {
	keys := []string{"refresh", "rrdp_poll", "reconsidered", "tal_dir", "tals"}
	for in, want := range map[string]string{"refesh": "refresh", "tal": "tals", "rrdp-poll": "rrdp_poll", "talsdir": "tal_dir"} {
		if got, ok := nearest(in, keys); !ok || got != want {
			t.Errorf("nearest(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if got, ok := nearest("xyz", keys); ok {
		t.Errorf("nearest(xyz) = %q: an unrelated word got a suggestion", got)
	}
}

// TestValidateReportsEverything checks that every problem is reported at
// once, including values a Config built in code left unchecked.
func TestValidateReportsEverything(t *testing.T) {
	c := load(t, "refresh: 0s\nrtr:\n  max_version: 3\n  expire: 1m\n  max_sessions_per_source: 0\n  first_query_timeout: 10ms\n")
	c.Fetch.RRDPFallback, c.Log.Level, c.HTTP.Listen = "sometimes", "", []Addr{"8323"}
	c.RTR.Allow = []netip.Prefix{{}}
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"refresh", "rrdp_fallback", "max_version", "rtr.expire", "log.level", "http.listen", "rtr.allow[0]",
		"rtr.max_sessions_per_source", "rtr.first_query_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 9 {
		t.Errorf("%d lines, want one per problem (9):\n%v", n, err)
	}
}

func load(t *testing.T, yaml string) *Config {
	t.Helper()
	c, err := Load(writeFile(t, yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeFile(t *testing.T, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "validator.yaml")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
