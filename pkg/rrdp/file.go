package rrdp

import (
	"context"
	"fmt"
	"io"
	"net/url"
)

// GetFile fetches one small file over HTTPS with the client's connect and
// idle timeouts and at most limit bytes: what a trust anchor certificate
// needs (RFC 8630 §3). A server that sends its headers and then stalls is
// dropped after the idle timeout, as an RRDP server would be.
func (c *Client) GetFile(ctx context.Context, uri string, limit int64) ([]byte, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: %q does not parse", ErrHTTP, uri)
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.get(ctx, u, nil, limit)
	if err != nil {
		return nil, err
	}
	defer resp.close()
	b, err := io.ReadAll(io.LimitReader(resp.body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrTooLarge, uri, limit)
	}
	return b, nil
}
