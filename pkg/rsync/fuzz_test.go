package rsync

import (
	"strings"
	"testing"
)

// FuzzParseURI checks that no input panics and that every accepted URI
// round-trips, has no "." or ".." segment and cannot be read as an option.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"rsync://rpki.ripe.net/repository/", "rsync://[::1]:873/m/a/b.roa",
		"rsync://h/m/../x", "rsync://h:1/-e/", "rsync://h/m/a b", "rsync://h/m/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		again, err := ParseURI(u.String())
		if err != nil || again != u {
			t.Fatalf("%q: round trip gave %+v, %v", s, again, err)
		}
		for _, seg := range strings.Split(u.Module+"/"+u.Path, "/") {
			if seg == "." || seg == ".." || strings.HasPrefix(seg, "-") {
				t.Fatalf("%q: accepted segment %q", s, seg)
			}
		}
	})
}
