package rrdp

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// HTTPOptions configure the shared HTTP client of NewHTTPClient.
type HTTPOptions struct {
	// RootCAs replaces the system roots when not nil (the lab's --ca-cert).
	RootCAs *x509.CertPool
	// ConnectTimeout bounds the TCP connect and the TLS handshake.
	ConnectTimeout time.Duration
	// IdleTimeout bounds the wait for response headers.
	IdleTimeout time.Duration
	// MaxConnsPerHost bounds parallel connections to one server.
	MaxConnsPerHost int
}

// HTTP/2 receive windows. Go's defaults (4 MiB a stream, 1 GiB a
// connection) let a fast server push whole snapshots into memory ahead of
// the parser: 16 fetches at once held ~18 MB of received frames at global
// scale. 1 MiB a stream still fills a 100 ms path at ~10 MB/s per stream;
// what the parser has not read yet stays in the kernel's socket buffer.
const (
	receiveWindowPerStream = 1 << 20
	receiveWindowPerConn   = 4 << 20
)

// NewHTTPClient returns a client for RRDP: keep-alive and HTTP/2 on, TLS 1.2
// or later, no proxy from the environment, no transparent decompression (the
// client does it, with a limit), redirects only within the origin.
func NewHTTPClient(o HTTPOptions) *http.Client {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxConnsPerHost <= 0 {
		o.MaxConnsPerHost = 4
	}
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ResponseHeaderTimeout:  o.IdleTimeout,
		ForceAttemptHTTP2:      true,
		DisableCompression:     true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    o.MaxConnsPerHost,
		MaxConnsPerHost:        o.MaxConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		HTTP2: &http.HTTP2Config{
			MaxReceiveBufferPerStream:     receiveWindowPerStream,
			MaxReceiveBufferPerConnection: receiveWindowPerConn,
		},
	}
	return &http.Client{Transport: t, CheckRedirect: sameOriginRedirect}
}

// LoadRootCAs reads a PEM file of CA certificates for HTTPOptions.RootCAs.
func LoadRootCAs(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rrdp: CA file: %w", err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("rrdp: CA file %s: no PEM certificate", path)
	}
	return p, nil
}

// sameOriginRedirect follows at most MaxRedirects redirects, all within the
// origin of the first request. RFC 9674 confines an RRDP repository to the
// origin of its notification URI; following a redirect elsewhere would let
// another server answer for it, so we take the strict reading and refuse.
func sameOriginRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrHTTP, MaxRedirects)
	}
	if !sameOrigin(req.URL, via[0].URL) {
		return fmt.Errorf("%w: RFC 9674: redirect from %s to another origin %s", ErrOrigin, via[0].URL.Host, req.URL.Host)
	}
	return nil
}

// response is an open HTTP body, decompressed, with the idle timer armed.
type response struct {
	status       int
	etag         string
	lastModified string
	body         io.Reader
	close        func()
	cancel       context.CancelCauseFunc
}

// idleReader re-arms the idle timer on every read that makes progress.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	idle  time.Duration
	ctx   context.Context
}

// Read implements io.Reader.
func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.idle)
	}
	if err != nil && err != io.EOF && context.Cause(r.ctx) != nil {
		err = fmt.Errorf("%w: %w", ErrHTTP, context.Cause(r.ctx))
	}
	return n, err
}

// rawCap fails once more than n bytes arrive on the wire: with gzip this
// bounds the compressed side too (empty gzip members decompress to nothing).
type rawCap struct {
	r io.Reader
	n int64
}

// Read implements io.Reader.
func (c *rawCap) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, fmt.Errorf("%w: response body exceeds its size limit", ErrTooLarge)
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// get issues a GET for u. With st set, the request is conditional (RFC 9110
// §13.1; RFC 8182 §3.4.1 lets RPs poll the notification cheaply). The body
// is decompressed when gzip-encoded; limit bounds the bytes on the wire.
func (c *Client) get(ctx context.Context, u *url.URL, st *State, limit int64) (*response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.idle, func() { cancel(ErrTimeout) })
	fail := func(err error) (*response, error) {
		timer.Stop()
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, ErrOrigin) {
			err = fmt.Errorf("%w: %s: %w", ErrHTTP, u, cause)
		}
		cancel(nil)
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(fmt.Errorf("%w: %s: %v", ErrHTTP, u, err))
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", c.userAgent)
	if st != nil && st.ETag != "" {
		req.Header.Set("If-None-Match", st.ETag)
	}
	if st != nil && st.LastModified != "" {
		req.Header.Set("If-Modified-Since", st.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrOrigin) {
			return fail(err)
		}
		return fail(fmt.Errorf("%w: %s: %v", ErrHTTP, u, err))
	}
	return c.open(ctx, cancel, timer, u, resp, limit)
}

// open checks the status and wraps the body.
func (c *Client) open(ctx context.Context, cancel context.CancelCauseFunc, timer *time.Timer, u *url.URL, resp *http.Response, limit int64) (*response, error) {
	r := &response{status: resp.StatusCode, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"), cancel: cancel}
	r.close = func() {
		timer.Stop()
		resp.Body.Close()
		cancel(nil)
	}
	if resp.StatusCode == http.StatusNotModified {
		return r, nil
	}
	if resp.StatusCode != http.StatusOK {
		r.close()
		return nil, fmt.Errorf("%w: %s: status %s", ErrHTTP, u, resp.Status)
	}
	var body io.Reader = &idleReader{r: &rawCap{r: resp.Body, n: limit}, timer: timer, idle: c.idle, ctx: ctx}
	switch resp.Header.Get("Content-Encoding") {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("%w: %s: gzip: %v", ErrMalformed, u, err)
		}
		body = zr
	default:
		r.close()
		return nil, fmt.Errorf("%w: %s: unsupported Content-Encoding %q", ErrHTTP, u, resp.Header.Get("Content-Encoding"))
	}
	r.body = body
	return r, nil
}
