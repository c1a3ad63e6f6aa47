package rrdp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"
)

// Options configure a Client (STYLE habit 10: nil or zero means default).
type Options struct {
	// Logger receives one line per fetch decision; nil means no logging.
	Logger *zap.Logger
	// HTTPClient is shared by all fetches; nil means NewHTTPClient({}).
	// Its CheckRedirect is replaced by the same-origin rule.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Limits bound files and objects; zero fields take limits.go.
	Limits Limits
	// IdleTimeout drops a server that sends nothing for this long.
	IdleTimeout time.Duration
	// Timeout bounds a whole Fetch (notification, deltas, snapshot); zero
	// leaves it to the context (the scheduler sets one per repository).
	Timeout time.Duration
	// ReinitInterval is the mean age of a snapshot after which the next
	// fetch re-initialises from the snapshot (a guard against desynchronisation
	// that RFC 9697 §3 cannot see, RFC 9697 §6); zero means
	// DefaultReinitInterval, negative disables.
	ReinitInterval time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// Client fetches RRDP repositories. It is safe for concurrent use; each
// Fetch works on its own Sink.
type Client struct {
	log       *zap.Logger
	http      *http.Client
	now       func() time.Time
	lim       Limits
	idle      time.Duration
	timeout   time.Duration
	reinit    time.Duration
	userAgent string
}

// NewClient returns a client with the options' defaults filled in.
func NewClient(o Options) *Client {
	c := &Client{log: o.Logger, now: o.Now, lim: o.Limits.withDefaults(), idle: o.IdleTimeout,
		timeout: o.Timeout, reinit: o.ReinitInterval, userAgent: o.UserAgent}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	c.log = c.log.Named("rrdp")
	hc := o.HTTPClient
	if hc == nil {
		hc = NewHTTPClient(HTTPOptions{})
	}
	cp := *hc
	cp.CheckRedirect = sameOriginRedirect
	c.http = &cp
	if c.now == nil {
		c.now = time.Now
	}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.reinit == 0 {
		c.reinit = DefaultReinitInterval
	}
	if c.userAgent == "" {
		c.userAgent = "openrpki-validator"
	}
	return c
}

// Kind says what a fetch did.
type Kind string

// The kinds of Result.
const (
	// KindNotModified: the server answered 304 to the conditional request.
	KindNotModified Kind = "not-modified"
	// KindUnchanged: the notification has the session and serial held.
	KindUnchanged Kind = "unchanged"
	// KindDeltas: the chain of deltas was applied.
	KindDeltas Kind = "deltas"
	// KindSnapshot: the data was replaced by the snapshot.
	KindSnapshot Kind = "snapshot"
)

// Result describes a completed fetch.
type Result struct {
	// Kind says what was done.
	Kind Kind
	// SessionID and Serial are those held after the fetch.
	SessionID string
	// Serial is the serial held after the fetch.
	Serial uint64
	// Bytes counts the decompressed bytes of every file read.
	Bytes int64
	// Objects counts the publish and withdraw elements applied.
	Objects int
	// Deltas counts the delta files applied.
	Deltas int
	// SnapshotReason says why the snapshot was used, when it was.
	SnapshotReason string
}

// Fetch brings the repository behind notifyURI up to date in sink.
func (c *Client) Fetch(ctx context.Context, notifyURI string, sink Sink) (Result, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	nu, err := CheckHTTPSURI(notifyURI)
	if err != nil {
		return Result{}, fmt.Errorf("rrdp: notification URI: %w", err)
	}
	raw, err := sink.State()
	if err != nil {
		return Result{}, fmt.Errorf("rrdp: %s: reading state: %w", notifyURI, err)
	}
	st := DecodeState(raw)
	if st.NotifyURI != notifyURI {
		st = State{NotifyURI: notifyURI}
	}
	f := &fetch{c: c, ctx: ctx, nu: nu, st: st, sink: sink}
	return f.run()
}

// fetch is the work of one Fetch call.
type fetch struct {
	c    *Client
	ctx  context.Context
	nu   *url.URL
	st   State
	sink Sink
	res  Result
}

// run fetches the notification and applies deltas or the snapshot.
func (f *fetch) run() (Result, error) {
	n, notModified, err := f.notification()
	if err != nil {
		return f.res, err
	}
	if notModified {
		f.res.Kind, f.res.SessionID, f.res.Serial = KindNotModified, f.st.SessionID, f.st.Serial
		return f.res, nil
	}
	chain, reason := f.plan(n)
	if reason == "" && len(chain) == 0 {
		return f.finish(n, KindUnchanged)
	}
	if reason == "" {
		err := f.deltas(n, chain)
		if err == nil {
			return f.finish(n, KindDeltas)
		}
		reason = "deltas failed: " + err.Error()
		f.c.log.Info("falling back to snapshot", zap.String("repo", f.nu.String()), zap.Error(err))
	}
	f.res.SnapshotReason = reason
	if err := f.snapshot(n); err != nil {
		return f.res, err
	}
	return f.finish(n, KindSnapshot)
}

// plan returns the deltas to apply, or the reason to use the snapshot.
func (f *fetch) plan(n *Notification) ([]DeltaRef, string) {
	st := &f.st
	switch {
	case st.SessionID == "":
		return nil, "no data held"
	case st.SessionID != n.SessionID:
		return nil, "session changed (RFC 8182 §3.4.1)"
	case n.Serial < st.Serial:
		return nil, fmt.Sprintf("serial regressed from %d to %d", st.Serial, n.Serial)
	case st.desynchronised(n):
		return nil, "delta hashes changed: desynchronised (RFC 9697 §3, §4)"
	case st.reinitDue(f.c.now(), f.c.reinit):
		return nil, "periodic re-initialisation (guard of RFC 9697 §6)"
	}
	chain, err := n.DeltaChain(st.Serial)
	if err != nil {
		return nil, err.Error()
	}
	if len(chain) > f.c.lim.Deltas {
		return nil, fmt.Sprintf("%d deltas needed, more than %d", len(chain), f.c.lim.Deltas)
	}
	return chain, ""
}

// notification fetches and parses the notification file and checks the
// same-origin rule for every URI in it (RFC 9674).
func (f *fetch) notification() (*Notification, bool, error) {
	cond := &f.st
	if f.st.SessionID == "" {
		cond = nil
	}
	resp, err := f.c.get(f.ctx, f.nu, cond, f.c.lim.Notification)
	if err != nil {
		return nil, false, err
	}
	defer resp.close()
	if resp.status == http.StatusNotModified {
		if cond == nil {
			return nil, false, fmt.Errorf("%w: %s: 304 to an unconditional request", ErrHTTP, f.nu)
		}
		return nil, true, nil
	}
	cr := &countReader{r: resp.body}
	n, err := parseNotification(cr, f.nu.String(), f.c.lim.Notification)
	f.res.Bytes += cr.n
	if err != nil {
		return nil, false, err
	}
	if err := f.checkOrigins(n); err != nil {
		return nil, false, err
	}
	f.st.ETag, f.st.LastModified = resp.etag, resp.lastModified
	return n, false, nil
}

// checkOrigins refuses snapshot and delta URIs outside the notification's
// origin (RFC 9674).
func (f *fetch) checkOrigins(n *Notification) error {
	refs := []string{n.Snapshot.URI}
	for _, d := range n.Deltas {
		refs = append(refs, d.URI)
	}
	for _, r := range refs {
		u, err := url.Parse(r)
		if err != nil || !sameOrigin(u, f.nu) {
			return fileError(ErrOrigin, f.nu.String(), "RFC 9674: %s is not in the notification's origin", r)
		}
	}
	return nil
}

// deltas applies the chain in one sink update: all or nothing.
func (f *fetch) deltas(n *Notification, chain []DeltaRef) error {
	if err := f.sink.Begin(false); err != nil {
		return err
	}
	objects := 0
	for _, d := range chain {
		err := f.file(d.FileRef, func(r *countReader, h hash.Hash) error {
			return parseDelta(r, d.URI, Header{n.SessionID, d.Serial}, f.c.lim, h, func(c Change) error {
				objects++
				return f.apply(c)
			})
		}, f.c.lim.Delta)
		if err != nil {
			f.sink.Abort()
			return err
		}
	}
	f.res.Objects, f.res.Deltas = objects, len(chain)
	return nil
}

// apply hands one delta change to the sink.
func (f *fetch) apply(c Change) error {
	if c.Withdraw {
		return f.sink.Withdraw(c.URI, *c.Hash)
	}
	return f.sink.Publish(c.URI, c.Data, c.Hash)
}

// snapshot replaces the repository's objects with the snapshot's.
func (f *fetch) snapshot(n *Notification) error {
	if err := f.sink.Begin(true); err != nil {
		return err
	}
	objects := 0
	err := f.file(n.Snapshot, func(r *countReader, h hash.Hash) error {
		return parseSnapshot(r, n.Snapshot.URI, n.Header, f.c.lim, h, func(p Publish) error {
			objects++
			return f.sink.Publish(p.URI, p.Data, nil)
		})
	}, f.c.lim.Snapshot)
	if err != nil {
		f.sink.Abort()
		return err
	}
	f.res.Objects = objects
	f.st.LastSnapshot = f.c.now()
	return nil
}

// file downloads one snapshot or delta, parses it with parse and checks its
// hash once the whole file has been read (RFC 8182 §3.4.2, §3.4.3). The
// sink update is not committed yet, so a mismatch discards what was parsed.
func (f *fetch) file(ref FileRef, parse func(*countReader, hash.Hash) error, limit int64) error {
	u, err := url.Parse(ref.URI)
	if err != nil {
		return fileError(ErrMalformed, ref.URI, "%v", err)
	}
	resp, err := f.c.get(f.ctx, u, nil, limit)
	if err != nil {
		return err
	}
	defer resp.close()
	h := sha256.New()
	cr := &countReader{r: resp.body}
	err = parse(cr, h)
	f.res.Bytes += cr.n
	if err != nil {
		return err
	}
	if got := h.Sum(nil); string(got) != string(ref.Hash[:]) {
		return fileError(ErrHash, ref.URI, "RFC 8182 §3.4.2: SHA-256 %s, notification says %s", hex.EncodeToString(got), hex.EncodeToString(ref.Hash[:]))
	}
	return nil
}

// finish commits the new state with the update (or alone when unchanged).
func (f *fetch) finish(n *Notification, kind Kind) (Result, error) {
	if kind == KindUnchanged {
		if err := f.sink.Begin(false); err != nil {
			return f.res, err
		}
	}
	f.st.SessionID, f.st.Serial = n.SessionID, n.Serial
	f.st.LastSuccess = f.c.now()
	f.st.rememberDeltas(n)
	if err := f.sink.Commit(f.st.encode()); err != nil {
		f.sink.Abort()
		return f.res, fmt.Errorf("rrdp: %s: commit: %w", f.nu, err)
	}
	f.res.Kind, f.res.SessionID, f.res.Serial = kind, n.SessionID, n.Serial
	f.c.log.Debug("fetched", zap.String("repo", f.nu.String()), zap.String("kind", string(kind)),
		zap.Uint64("serial", n.Serial), zap.Int64("bytes", f.res.Bytes))
	return f.res, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

// Read implements io.Reader.
func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
