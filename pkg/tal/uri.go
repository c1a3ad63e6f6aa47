package tal

import (
	"net/url"
	"strings"
)

// URI schemes a TAL may use (RFC 8630 §2.2: "rsync" or "https").
const (
	schemeRsync = "rsync://"
	schemeHTTPS = "https://"
)

// checkURI checks one line of the URI section. The reading is rpki-client's
// (tal.c, valid_uri): printable ASCII only, no "/." sequence (which would
// allow path traversal into the local cache), a host, and a path naming a
// ".cer" file, since the URI must point at the trust anchor certificate
// (RFC 8630 §2.2). An unsupported scheme rejects the whole TAL, as
// rpki-client does; Routinator and FORT skip such a URI instead.
func checkURI(line int, uri string) error {
	if len(uri) > MaxURILength {
		return syntaxError(line, "URI longer than %d bytes", MaxURILength)
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c >= 0x7f {
			return syntaxError(line, "URI contains byte 0x%02x (whitespace or not printable ASCII)", c)
		}
	}
	if !strings.HasPrefix(uri, schemeRsync) && !strings.HasPrefix(uri, schemeHTTPS) {
		return syntaxError(line, "unsupported URI scheme in %q: only rsync and https are allowed", uri)
	}
	if strings.Contains(uri, "/.") {
		return syntaxError(line, "URI %q contains \"/.\"", uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return syntaxError(line, "malformed URI %q", uri)
	}
	if !strings.HasSuffix(u.Path, ".cer") || len(u.Path) <= len("/.cer") {
		return syntaxError(line, "URI %q does not name a certificate (.cer) file", uri)
	}
	return nil
}

// IsHTTPS reports whether uri uses the https scheme.
func IsHTTPS(uri string) bool { return strings.HasPrefix(uri, schemeHTTPS) }
