package tal

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// survives Marshal and Parse unchanged. Seeds are every TAL of the RPKI
// corpus plus a CRLF variant.
func FuzzParse(f *testing.F) {
	corpus := corpusDir(f)
	for _, name := range corpusTALs(f, corpus) {
		data, err := os.ReadFile(filepath.Join(corpus, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("# c\r\nrsync://a.example/ta.cer\r\n\r\nAAAA\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tl, err := Parse(data)
		if err != nil {
			return
		}
		back, err := Parse(tl.Marshal())
		if err != nil {
			t.Fatalf("accepted TAL does not re-parse after Marshal: %v", err)
		}
		if !equalTAL(tl, back) {
			t.Fatal("Marshal/Parse round trip changed the TAL")
		}
	})
}
