package rrdp

import (
	"fmt"
	"net/url"
	"strings"
)

// CheckObjectURI checks the uri attribute of a publish or withdraw element:
// an rsync URI (RFC 8182 §3.5.2.3, §3.5.3.3) made of printable ASCII with a
// host and a path of non-empty segments, none of them "." or "..", so that no
// name can climb out of its repository in the cache. The host may not be a
// dot segment either, nor hide one: no leading or trailing dot and no empty
// label (".."), which no DNS name or IP literal has (RFC 1035 §2.3.1). The
// rule follows rpki-client's valid_uri(), which is stricter than RFC 3986
// allows.
func CheckObjectURI(uri string) error {
	if len(uri) > MaxURILength {
		return fmt.Errorf("%w: URI longer than %d bytes", ErrMalformed, MaxURILength)
	}
	rest, ok := strings.CutPrefix(uri, "rsync://")
	if !ok {
		return fmt.Errorf("%w: URI %q is not rsync://", ErrMalformed, uri)
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= 0x20 || c >= 0x7f || c == '\\' || c == '%' {
			return fmt.Errorf("%w: URI %q has a forbidden byte 0x%02x", ErrMalformed, uri, c)
		}
	}
	// Walk the segments without allocating: host, then at least a module
	// and a file name, none empty, "." or "..".
	n := 0
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: URI %q has an empty, . or .. segment", ErrMalformed, uri)
		}
		if n == 0 && !plainHost(seg) {
			return fmt.Errorf("%w: URI %q: host %q has an empty label or a leading or trailing dot", ErrMalformed, uri, seg)
		}
		n++
	}
	if n < 3 {
		return fmt.Errorf("%w: URI %q lacks host, module or file name", ErrMalformed, uri)
	}
	return nil
}

// plainHost reports whether the host part of a URI (with its port, if
// any) has no empty label and no leading or trailing dot.
func plainHost(host string) bool {
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h // the port is checked by whoever connects
	}
	return host != "" && host[0] != '.' && host[len(host)-1] != '.' && !strings.Contains(host, "..")
}

// CheckHTTPSURI checks a notification, snapshot or delta URI: https with a
// host, no user info, no fragment (RFC 8182 §3.5.1.3 requires the URIs to be
// usable over HTTPS; RFC 8630 §2.3 for the notify URI).
func CheckHTTPSURI(raw string) (*url.URL, error) {
	if len(raw) > MaxURILength {
		return nil, fmt.Errorf("%w: URI longer than %d bytes", ErrMalformed, MaxURILength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: URI %q: %v", ErrMalformed, raw, err)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" || !plainHost(u.Hostname()) {
		return nil, fmt.Errorf("%w: URI %q is not a plain https URL", ErrMalformed, raw)
	}
	return u, nil
}

// sameOrigin reports whether two parsed URLs share scheme, host and port, the
// origin of RFC 6454 §4 that RFC 9674 requires snapshot and delta URIs to
// share with their notification URI.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

// effectivePort returns the URL's port, or the scheme's default.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}
