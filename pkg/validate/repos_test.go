package validate

import (
	"strings"
	"testing"
)

// FuzzRsyncModule checks the repository key of a CA's hostile SIA URI:
// the module of a module is itself, and only rsync URIs become modules.
func FuzzRsyncModule(f *testing.F) {
	for _, s := range []string{"rsync://rpki.example.net/repo/ca/", "rsync://h/m", "rsync://h/", "rsync://", "https://h/x", "",
		"rsync://h/m/../../x/", "rsync://h//m/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		m := rsyncModule(uri)
		if again := rsyncModule(m); again != m {
			t.Fatalf("%q: module %q, its module %q", uri, m, again)
		}
		if strings.HasPrefix(uri, "rsync://") != strings.HasPrefix(m, "rsync://") {
			t.Fatalf("%q: module %q", uri, m)
		}
		if strings.Count(m, "/") > 4 && m != uri {
			t.Fatalf("%q: module %q has a path", uri, m)
		}
	})
}
