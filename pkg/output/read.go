package output

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/validate"
)

// MaxReadBytes bounds a JSON table read back (the daemon's warm start).
const MaxReadBytes = 1 << 30

// jsonDoc is the JSON layout writeJSON produces.
type jsonDoc struct {
	Metadata struct {
		Generated int64 `json:"generated"`
	} `json:"metadata"`
	ROAs []struct {
		ASN       asnField `json:"asn"`
		Prefix    string   `json:"prefix"`
		MaxLength uint8    `json:"maxLength"`
		TA        string   `json:"ta"`
		Expires   int64    `json:"expires"`
	} `json:"roas"`
	ASPAs []struct {
		Customer  uint32   `json:"customer_asid"`
		Providers []uint32 `json:"providers"`
		TA        string   `json:"ta"`
		Expires   int64    `json:"expires"`
	} `json:"aspas"`
	Keys []struct {
		ASN     uint32 `json:"asn"`
		SKI     string `json:"ski"`
		Pubkey  string `json:"pubkey"`
		TA      string `json:"ta"`
		Expires int64  `json:"expires"`
	} `json:"bgpsec_keys"`
}

// asnField reads "AS65000" or 65000.
type asnField uint32

func (a *asnField) UnmarshalJSON(b []byte) error {
	s := strings.TrimPrefix(strings.Trim(string(b), `"`), "AS")
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return fmt.Errorf("asn %s: %w", b, err)
	}
	*a = asnField(n)
	return nil
}

// ReadJSON reads a table in the JSON format Write produces, keeping the
// trust anchors and expiry times (what the daemon's warm start needs).
func ReadJSON(r io.Reader) (*Table, error) {
	var doc jsonDoc
	lr := &io.LimitedReader{R: r, N: MaxReadBytes}
	if err := json.NewDecoder(lr).Decode(&doc); err != nil {
		return nil, fmt.Errorf("output: json: %w", err)
	}
	t := &Table{BuildTime: time.Unix(doc.Metadata.Generated, 0).UTC()}
	for _, x := range doc.ROAs {
		p, err := netip.ParsePrefix(x.Prefix)
		if err != nil {
			return nil, fmt.Errorf("output: json: %w", err)
		}
		v, err := payload.NewVRP(p, x.MaxLength, uint32(x.ASN))
		if err != nil {
			return nil, err
		}
		t.VRPs = append(t.VRPs, validate.VRP{VRP: v, TA: validate.TAOf(x.TA), Expires: validate.UnixExpiry(x.Expires)})
	}
	for _, x := range doc.ASPAs {
		t.ASPAs = append(t.ASPAs, validate.ASPA{ASPA: payload.ASPA{Customer: x.Customer, Providers: x.Providers},
			TA: validate.TAOf(x.TA), Expires: validate.UnixExpiry(x.Expires)})
	}
	for _, x := range doc.Keys {
		ski, err := hex.DecodeString(x.SKI)
		if err != nil || len(ski) != 20 {
			return nil, fmt.Errorf("output: json: bad SKI %q", x.SKI)
		}
		spki, err := base64.StdEncoding.DecodeString(x.Pubkey)
		if err != nil {
			return nil, fmt.Errorf("output: json: bad pubkey: %w", err)
		}
		t.RouterKeys = append(t.RouterKeys, validate.RouterKey{
			RouterKey: payload.RouterKey{SKI: [20]byte(ski), ASN: x.ASN, SPKI: spki},
			TA:        validate.TAOf(x.TA), Expires: validate.UnixExpiry(x.Expires)})
	}
	return t, nil
}

// Set returns the table's payload, for the RTR history.
func (t *Table) Set() payload.Set { return validate.PayloadSet(t.VRPs, t.ASPAs, t.RouterKeys) }
