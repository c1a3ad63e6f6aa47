package config

import (
	"errors"
	"fmt"
	"time"
)

// Validate returns every problem of the configuration, joined (one line
// each). Values decoded from a file or flags are already well-formed; it
// checks them again only where a Config built in code could hold a zero or
// unchecked value, and checks what spans fields: ranges and exclusions.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.TALDir != "" && len(c.TALs) > 0 {
		bad("tal_dir and tals exclude each other")
	}
	if c.Refresh < time.Second {
		bad("refresh %v: must be at least 1s", c.Refresh)
	}
	if c.RRDPPoll < 0 {
		bad("rrdp_poll %v: must not be negative", c.RRDPPoll)
	}
	if err := checkEnum(c.Fetch.RRDPFallback, FallbackNever, FallbackStale, FallbackNew); err != nil {
		bad("fetch.rrdp_fallback %v", err)
	}
	if c.Fetch.RsyncOnly && c.Fetch.NoRsync {
		bad("fetch.rsync_only and fetch.no_rsync exclude each other")
	}
	c.RTR.validate(bad)
	checkAddrs("http.listen", c.HTTP.Listen, bad)
	if err := checkEnum(c.Log.Level, LevelDebug, LevelInfo, LevelWarn, LevelError); err != nil {
		bad("log.level %v", err)
	}
	if err := checkEnum(c.Log.Format, FormatConsole, FormatJSON); err != nil {
		bad("log.format %v", err)
	}
	return errors.Join(errs...)
}

func (r *RTR) validate(bad func(string, ...any)) {
	checkAddrs("rtr.listen", r.Listen, bad)
	checkAddrs("rtr.tls_listen", r.TLSListen, bad)
	if len(r.TLSListen) > 0 && (r.TLSCert == "" || r.TLSKey == "") {
		bad("rtr.tls_listen needs rtr.tls_cert and rtr.tls_key")
	}
	if r.MaxVersion < 0 || r.MaxVersion > 2 {
		bad("rtr.max_version %d: want 0, 1 or 2", r.MaxVersion)
	}
	// RFC 8210 §6: refresh 1..86400, retry 1..7200, expire 600..172800
	// and larger than both.
	if r.Refresh < time.Second || r.Refresh > 86400*time.Second {
		bad("rtr.refresh %v: RFC 8210 §6 allows 1s to 24h", r.Refresh)
	}
	if r.Retry < time.Second || r.Retry > 7200*time.Second {
		bad("rtr.retry %v: RFC 8210 §6 allows 1s to 2h", r.Retry)
	}
	if r.Expire < 600*time.Second || r.Expire > 172800*time.Second || r.Expire <= r.Refresh || r.Expire <= r.Retry {
		bad("rtr.expire %v: RFC 8210 §6 allows 10m to 48h, above refresh and retry", r.Expire)
	}
	if r.MaxSessions < 1 {
		bad("rtr.max_sessions %d: must be positive", r.MaxSessions)
	}
	if r.MaxSessionsPerSource < 1 {
		bad("rtr.max_sessions_per_source %d: must be positive", r.MaxSessionsPerSource)
	}
	if r.FirstQueryTimeout < time.Second {
		bad("rtr.first_query_timeout %v: must be at least 1s", r.FirstQueryTimeout)
	}
	for i, p := range r.Allow {
		if !p.IsValid() {
			bad("rtr.allow[%d]: not a prefix", i)
		}
	}
	if r.MaxAge < 0 || r.History < 1 {
		bad("rtr.max_age must not be negative and rtr.history must be positive")
	}
}

func checkAddrs(key string, list []Addr, bad func(string, ...any)) {
	for _, a := range list {
		if err := checkAddr(string(a)); err != nil {
			bad("%s: %v", key, err)
		}
	}
}
