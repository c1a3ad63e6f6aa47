package main

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/openrpki/validator/pkg/rtr"
)

// event is one PDU the benchmark client acts on; payload PDUs are only
// counted.
type event struct {
	typ     uint8
	session uint16
	serial  uint32
	code    uint16
	pdus    int // PDUs counted up to and including this one
}

// pduCounter walks an RTR byte stream by length fields, counting PDUs
// and bytes without decoding payload PDUs, so that 1,000 clients reading
// 600k PDUs each do not become the bottleneck. It keeps only the header
// and the bodies of control PDUs (at most rtr.MaxRouterPDU bytes).
type pduCounter struct {
	hdr    [rtr.HeaderLen]byte
	hn     int
	skip   int
	body   []byte
	want   int
	pdus   int
	bytes  int64
	events []event
	typ    uint8
	field  uint16
	// pending holds events read past the one readUntil stopped at.
	pending []event
}

// feed consumes b and returns the control events completed in it.
func (c *pduCounter) feed(b []byte) ([]event, error) {
	c.events = c.events[:0]
	c.bytes += int64(len(b))
	for len(b) > 0 {
		switch {
		case c.skip > 0:
			n := min(c.skip, len(b))
			c.skip -= n
			b = b[n:]
			if c.skip == 0 {
				c.pdus++
			}
		case c.want > 0:
			n := min(c.want-len(c.body), len(b))
			c.body = append(c.body, b[:n]...)
			b = b[n:]
			if len(c.body) == c.want {
				c.control()
			}
		default:
			n := copy(c.hdr[c.hn:], b)
			c.hn += n
			b = b[n:]
			if c.hn == rtr.HeaderLen {
				if err := c.header(); err != nil {
					return nil, err
				}
			}
		}
	}
	return c.events, nil
}

func (c *pduCounter) header() error {
	c.hn = 0
	c.typ, c.field = c.hdr[1], binary.BigEndian.Uint16(c.hdr[2:4])
	length := binary.BigEndian.Uint32(c.hdr[4:8])
	if length < rtr.HeaderLen || length > rtr.MaxCachePDU {
		return fmt.Errorf("bad PDU length %d", length)
	}
	body := int(length) - rtr.HeaderLen
	switch c.typ {
	case rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix, rtr.TypeRouterKey, rtr.TypeASPA:
		if body == 0 {
			c.pdus++
		}
		c.skip = body
	default:
		c.body, c.want = c.body[:0], body
		if body == 0 {
			c.control()
		}
	}
	return nil
}

func (c *pduCounter) control() {
	c.pdus++
	c.want = 0
	e := event{typ: c.typ, session: c.field, pdus: c.pdus}
	if c.typ == rtr.TypeErrorReport {
		e.code = c.field
	}
	if len(c.body) >= 4 && (c.typ == rtr.TypeSerialNotify || c.typ == rtr.TypeEndOfData) {
		e.serial = binary.BigEndian.Uint32(c.body)
	}
	c.events = append(c.events, e)
}

// readUntil reads from r into buf and feeds the counter until stop
// returns true for an event.
func (c *pduCounter) readUntil(r io.Reader, buf []byte, stop func(event) bool) (event, error) {
	for len(c.pending) > 0 {
		e := c.pending[0]
		c.pending = c.pending[1:]
		if stop(e) {
			return e, nil
		}
	}
	for {
		n, err := r.Read(buf)
		if n > 0 {
			evs, ferr := c.feed(buf[:n])
			if ferr != nil {
				return event{}, ferr
			}
			for i, e := range evs {
				if stop(e) {
					c.pending = append(c.pending[:0], evs[i+1:]...)
					return e, nil
				}
			}
		}
		if err != nil {
			return event{}, err
		}
	}
}
