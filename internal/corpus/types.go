package corpus

import (
	"path"
	"strings"

	"github.com/openrpki/validator/internal/inspect"
)

// renamed are the three files whose name hides their type; rpki-client's
// reference ran them from a copy with the right extension (SOURCES.md), and
// so do we, through inspect.Options.Type.
var renamed = map[string]string{
	".tal.disabled":       "tal",
	"ta.mft.bad-filename": "mft",
	"checklist.sig.1":     "sig",
}

// objectTypes are the extensions inspect reads; other files of the corpus
// (RRDP XML, SLURM JSON, READMEs) belong to other parsers.
var objectTypes = map[string]bool{
	"cer": true, "crl": true, "mft": true, "roa": true, "asa": true, "gbr": true,
	"sig": true, "tak": true, "spl": true, "tal": true,
}

// ObjectType returns the object type of a corpus file ("roa", "tal", ...),
// or "" when the file is not an RPKI object that inspect reads.
func ObjectType(file string) string {
	for suffix, t := range renamed {
		if strings.HasSuffix(file, suffix) {
			return t
		}
	}
	t := inspect.TypeOf(path.Base(file))
	if objectTypes[t] {
		return t
	}
	return ""
}
