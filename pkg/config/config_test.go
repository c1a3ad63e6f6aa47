package config

import (
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
		c.RTR.MaxVersion != 2 || c.Fetch.RRDPFallback != "stale" || c.RTR.History < 20 {
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

func TestLoadRejects(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":    {"refersh: 2m\n", "field refersh not found"},
		"unknown nested": {"rtr:\n  lisen: [\":1\"]\n", "field lisen not found"},
		"bad duration":   {"refresh: soon\n", "cannot unmarshal"},
		"two documents":  {"refresh: 2m\n---\nrefresh: 3m\n", "more than one YAML document"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestValidateReportsEverything checks that every problem is reported at once.
func TestValidateReportsEverything(t *testing.T) {
	c := load(t, "refresh: 0s\nfetch:\n  rrdp_fallback: sometimes\nrtr:\n  max_version: 3\n  expire: 1m\nlog:\n  level: loud\n")
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"refresh", "rrdp_fallback", "max_version", "rtr.expire", "log.level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
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
