package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Policy is the RRDP to rsync fallback policy (Routinator --rrdp-fallback).
type Policy string

// The fallback policies.
const (
	// FallbackNever never uses rsync for a repository that has RRDP.
	FallbackNever Policy = "never"
	// FallbackStale (the default, as in Routinator) uses rsync when RRDP
	// fails and its last success is older than FallbackAfter, or there was
	// none; until then the cached RRDP data is used.
	FallbackStale Policy = "stale"
	// FallbackNew uses rsync only for a repository never fetched over RRDP.
	FallbackNew Policy = "new"
)

// ParsePolicy reads a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case FallbackNever, FallbackStale, FallbackNew:
		return p, nil
	}
	return "", fmt.Errorf("fetch: fallback policy %q: want never, stale or new", s)
}

// shouldFallback applies the policy after an RRDP failure.
func (p Policy) shouldFallback(lastSuccess, now time.Time, after time.Duration) bool {
	switch p {
	case FallbackNever:
		return false
	case FallbackNew:
		return lastSuccess.IsZero()
	}
	return lastSuccess.IsZero() || now.Sub(lastSuccess) > after
}

// ErrDubious marks a URI refused by the dubious-host rule. Its message
// names the setting that allows such URIs, so that an operator who meets
// it on a lab knows what to change.
var ErrDubious = errors.New("fetch: dubious URI refused (allowed by --allow-dubious-hosts, fetch.allow_dubious_hosts)")

// checkDubious refuses, unless allowed, URIs whose host is localhost, an IP
// literal or carries an explicit port, and notification URIs that are not
// https (Routinator's dubious-host rule; RFC 8182 §3.4.1 requires HTTPS).
func checkDubious(raw string, wantScheme string, allow bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%w: %q does not parse", ErrDubious, raw)
	}
	if allow {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme != wantScheme:
		return fmt.Errorf("%w: %s: scheme %s, want %s", ErrDubious, raw, u.Scheme, wantScheme)
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return fmt.Errorf("%w: %s: localhost", ErrDubious, raw)
	case net.ParseIP(host) != nil:
		return fmt.Errorf("%w: %s: IP literal", ErrDubious, raw)
	case u.Port() != "":
		return fmt.Errorf("%w: %s: explicit port", ErrDubious, raw)
	}
	return nil
}
