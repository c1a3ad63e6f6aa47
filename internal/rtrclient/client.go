package rtrclient

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

// Client is one router-side session.
type Client struct {
	Conn    net.Conn
	Version uint8
	Session uint16
	Serial  uint32
	Timers  rtr.Timers

	r *rtr.Reader

	vrps map[payload.VRP]bool
	keys map[string]payload.RouterKey
	aspa map[uint32][]uint32

	// PDUs and Bytes count what was received.
	PDUs, Bytes int
}

// Dial connects to addr.
func Dial(addr string, version uint8) (*Client, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return New(c, version), nil
}

// New wraps an open connection.
func New(c net.Conn, version uint8) *Client {
	return &Client{Conn: c, Version: version, r: rtr.NewReader(bufio.NewReaderSize(c, 64<<10), rtr.MaxCachePDU),
		vrps: map[payload.VRP]bool{}, keys: map[string]payload.RouterKey{}, aspa: map[uint32][]uint32{}}
}

// Close closes the connection.
func (c *Client) Close() error { return c.Conn.Close() }

// SendReset sends a Reset Query.
func (c *Client) SendReset() error {
	_, err := c.Conn.Write(rtr.AppendResetQuery(nil, c.Version))
	return err
}

// SendSerial sends a Serial Query for the client's session and serial.
func (c *Client) SendSerial() error {
	_, err := c.Conn.Write(rtr.AppendSerialQuery(nil, c.Version, c.Session, c.Serial))
	return err
}

// Next reads and decodes one PDU with a deadline.
func (c *Client) Next(timeout time.Duration) (*rtr.PDU, error) {
	c.Conn.SetReadDeadline(time.Now().Add(timeout))
	h, b, err := c.r.Next()
	if err != nil {
		return nil, err
	}
	c.PDUs++
	c.Bytes += len(b)
	return rtr.Decode(h, b)
}

// ErrCacheReset is returned by Sync when the cache answers Cache Reset.
var ErrCacheReset = errors.New("cache reset")

// Sync reads one response (Cache Response … End of Data), applying it. An
// Error Report is returned as *rtr.ErrorReport. Serial Notify PDUs seen
// while waiting are skipped.
func (c *Client) Sync(timeout time.Duration) error {
	started := false
	for {
		p, err := c.Next(timeout)
		if err != nil {
			return err
		}
		switch p.Type {
		case rtr.TypeSerialNotify:
			if started {
				return errors.New("serial notify inside a response")
			}
		case rtr.TypeCacheReset:
			return ErrCacheReset
		case rtr.TypeErrorReport:
			return &rtr.ErrorReport{Code: p.ErrorCode, Text: p.ErrorText}
		case rtr.TypeCacheResponse:
			started = true
			c.Session = p.Session
		case rtr.TypeEndOfData:
			if !started || p.Session != c.Session {
				return fmt.Errorf("end of data: started=%v session %d, want %d", started, p.Session, c.Session)
			}
			c.Serial, c.Timers = p.Serial, p.Timers
			return nil
		default:
			if !started {
				return fmt.Errorf("payload PDU %v outside a response", p)
			}
			if err := c.apply(p); err != nil {
				return err
			}
		}
		if p.Version != c.Version {
			return fmt.Errorf("PDU version %d in a version %d session", p.Version, c.Version)
		}
	}
}

// WaitNotify reads until a Serial Notify arrives.
func (c *Client) WaitNotify(timeout time.Duration) (*rtr.PDU, error) {
	p, err := c.Next(timeout)
	if err != nil {
		return nil, err
	}
	if p.Type != rtr.TypeSerialNotify {
		return nil, fmt.Errorf("got %v, want Serial Notify", p)
	}
	return p, nil
}

func (c *Client) apply(p *rtr.PDU) error {
	switch p.Type {
	case rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix:
		if c.vrps[p.VRP] == p.Announce {
			return fmt.Errorf("%v: duplicate announcement or unknown withdrawal", p)
		}
		if p.Announce {
			c.vrps[p.VRP] = true
		} else {
			delete(c.vrps, p.VRP)
		}
	case rtr.TypeRouterKey:
		k := fmt.Sprintf("%x/%d/%x", p.Key.SKI, p.Key.ASN, p.Key.SPKI)
		if _, ok := c.keys[k]; ok == p.Announce {
			return fmt.Errorf("router key %s: duplicate announcement or unknown withdrawal", k)
		}
		if p.Announce {
			p.Key.SPKI = append([]byte(nil), p.Key.SPKI...)
			c.keys[k] = p.Key
		} else {
			delete(c.keys, k)
		}
	case rtr.TypeASPA:
		if _, ok := c.aspa[p.ASPA.Customer]; !ok && !p.Announce {
			return fmt.Errorf("ASPA withdrawal of unknown customer %d", p.ASPA.Customer)
		}
		if p.Announce {
			c.aspa[p.ASPA.Customer] = p.ASPA.Providers
		} else {
			delete(c.aspa, p.ASPA.Customer)
		}
	default:
		return fmt.Errorf("unexpected %v", p)
	}
	return nil
}

// Table returns the client's table as a Snapshot.
func (c *Client) Table() *payload.Snapshot {
	var s payload.Set
	for v := range c.vrps {
		s.VRPs = append(s.VRPs, v)
	}
	for _, k := range c.keys {
		s.RouterKeys = append(s.RouterKeys, k)
	}
	for cu, p := range c.aspa {
		s.ASPAs = append(s.ASPAs, payload.ASPA{Customer: cu, Providers: p})
	}
	return payload.NewSnapshot(s)
}
