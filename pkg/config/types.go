package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Addr is a listen address, host:port with a numeric port; the host may be
// empty (every address). It is checked when decoded, so a bad address
// fails the configuration, not the listener at start.
type Addr string

// UnmarshalText reads and checks a host:port.
func (a *Addr) UnmarshalText(text []byte) error {
	s := string(text)
	if err := checkAddr(s); err != nil {
		return err
	}
	*a = Addr(s)
	return nil
}

// MarshalText returns the address as written.
func (a Addr) MarshalText() ([]byte, error) { return []byte(a), nil }

func checkAddr(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("address %q: want host:port (such as :3323 or 127.0.0.1:3323)", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("address %q: port %q is not a number from 0 to 65535", s, port)
	}
	return nil
}

// AddrStrings returns the addresses as strings, for net.Listen.
func AddrStrings(list []Addr) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = string(a)
	}
	return out
}

// Fallback is the RRDP to rsync fallback policy: FallbackNever,
// FallbackStale or FallbackNew (the values of fetch.Policy).
type Fallback string

// The fallback policies.
const (
	FallbackNever Fallback = "never"
	FallbackStale Fallback = "stale"
	FallbackNew   Fallback = "new"
)

// UnmarshalText accepts never, stale or new.
func (f *Fallback) UnmarshalText(text []byte) error {
	return setEnum(f, text, FallbackNever, FallbackStale, FallbackNew)
}

// MarshalText returns the policy's name.
func (f Fallback) MarshalText() ([]byte, error) { return []byte(f), nil }

// LogLevel is the least severe level logged.
type LogLevel string

// The log levels.
const (
	LevelDebug LogLevel = "debug"
	LevelInfo  LogLevel = "info"
	LevelWarn  LogLevel = "warn"
	LevelError LogLevel = "error"
)

// UnmarshalText accepts debug, info, warn or error.
func (l *LogLevel) UnmarshalText(text []byte) error {
	return setEnum(l, text, LevelDebug, LevelInfo, LevelWarn, LevelError)
}

// MarshalText returns the level's name.
func (l LogLevel) MarshalText() ([]byte, error) { return []byte(l), nil }

// LogFormat is how log lines are written.
type LogFormat string

// The log formats.
const (
	FormatConsole LogFormat = "console"
	FormatJSON    LogFormat = "json"
)

// UnmarshalText accepts console or json.
func (f *LogFormat) UnmarshalText(text []byte) error {
	return setEnum(f, text, FormatConsole, FormatJSON)
}

// MarshalText returns the format's name.
func (f LogFormat) MarshalText() ([]byte, error) { return []byte(f), nil }

// setEnum sets *e to text if it is one of allowed; the error lists them.
func setEnum[E ~string](e *E, text []byte, allowed ...E) error {
	if err := checkEnum(E(text), allowed...); err != nil {
		return err
	}
	*e = E(text)
	return nil
}

// checkEnum says which values are allowed when v is none of them.
func checkEnum[E ~string](v E, allowed ...E) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if v == a {
			return nil
		}
		names[i] = string(a)
	}
	return fmt.Errorf("%q: want %s", string(v), orList(names))
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Instant is a fixed point in time, written in RFC 3339; the zero value
// (written "") means none.
type Instant struct{ time.Time }

// UnmarshalText reads an RFC 3339 time, or "" for none.
func (t *Instant) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*t = Instant{}
		return nil
	}
	v, err := time.Parse(time.RFC3339, string(text))
	if err != nil {
		return fmt.Errorf("time %q: want RFC 3339, such as 2024-05-01T12:00:00Z", text)
	}
	t.Time = v
	return nil
}

// MarshalText writes the time in RFC 3339, or "" for none.
func (t Instant) MarshalText() ([]byte, error) {
	if t.IsZero() {
		return nil, nil
	}
	return []byte(t.Format(time.RFC3339)), nil
}

// String is the RFC 3339 form, or "" for none.
func (t Instant) String() string {
	b, _ := t.MarshalText()
	return string(b)
}
