package rsync

import (
	"fmt"
	"strings"
)

// URI is a checked rsync URI split into its parts.
type URI struct {
	// Host is the host name or address, without port.
	Host string
	// Port is the explicit port, or "".
	Port string
	// Module is the rsync module.
	Module string
	// Path is the path below the module, without leading "/"; it ends in
	// "/" for a directory.
	Path string
}

// String returns the URI.
func (u URI) String() string {
	h := u.Host
	if u.Port != "" {
		h += ":" + u.Port
	}
	return "rsync://" + h + "/" + u.Module + "/" + u.Path
}

// ModuleURI returns rsync://host[:port]/module/.
func (u URI) ModuleURI() string {
	return URI{Host: u.Host, Port: u.Port, Module: u.Module}.String()
}

// ParseURI checks an rsync URI (RFC 5781) more strictly than RFC 3986: host
// of letters, digits, dots and dashes (or a bracketed IPv6 literal), an
// optional port, and path segments of [A-Za-z0-9._~+=@,-] that are neither
// "." nor "..". Anything else could be an option, a daemon-side glob
// (*?[), a shell or filter metacharacter or a way out of the module.
func ParseURI(s string) (URI, error) {
	if len(s) > MaxURILength {
		return URI{}, fmt.Errorf("rsync: URI longer than %d bytes", MaxURILength)
	}
	rest, ok := strings.CutPrefix(s, "rsync://")
	if !ok {
		return URI{}, fmt.Errorf("rsync: %q: RFC 5781: not an rsync:// URI", s)
	}
	hostport, path, ok := strings.Cut(rest, "/")
	if !ok {
		return URI{}, fmt.Errorf("rsync: %q: no module", s)
	}
	u, err := splitHost(hostport)
	if err != nil {
		return URI{}, fmt.Errorf("rsync: %q: %v", s, err)
	}
	u.Module, u.Path, _ = strings.Cut(path, "/")
	if err := checkPath(u.Module, u.Path); err != nil {
		return URI{}, fmt.Errorf("rsync: %q: %v", s, err)
	}
	return u, nil
}

// splitHost checks host[:port].
func splitHost(hp string) (URI, error) {
	var u URI
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 || !onlyChars(hp[1:end], "0123456789abcdefABCDEF:.") {
			return u, fmt.Errorf("bad IPv6 literal")
		}
		u.Host, hp = hp[:end+1], hp[end+1:]
	} else {
		h, _, _ := strings.Cut(hp, ":")
		if h == "" || !onlyChars(strings.ToLower(h), "abcdefghijklmnopqrstuvwxyz0123456789.-") || h[0] == '-' {
			return u, fmt.Errorf("bad host %q", h)
		}
		u.Host, hp = h, hp[len(h):]
	}
	if hp != "" {
		p, ok := strings.CutPrefix(hp, ":")
		if !ok || p == "" || len(p) > 5 || !onlyChars(p, "0123456789") {
			return u, fmt.Errorf("bad port %q", hp)
		}
		u.Port = p
	}
	return u, nil
}

// checkPath checks the module and the path below it.
func checkPath(module, path string) error {
	if !validSegment(module) {
		return fmt.Errorf("bad module %q", module)
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if seg == "" && i == len(segs)-1 {
			continue // trailing "/" of a directory
		}
		if !validSegment(seg) {
			return fmt.Errorf("bad path segment %q", seg)
		}
	}
	return nil
}

// validSegment reports whether a path segment is safe.
func validSegment(s string) bool {
	return s != "" && s != "." && s != ".." && s[0] != '-' &&
		onlyChars(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~+=@,-")
}

// onlyChars reports whether every byte of s is in set.
func onlyChars(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}
