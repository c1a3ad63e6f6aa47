package x509rpki

import (
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
)

// TestParseRouterCertCorpus parses the BGPsec router certificates of the
// corpus and compares AS numbers, serial and SPKI with rpki-client 8.2's
// output (REFERENCE-rpki-client.txt).
func TestParseRouterCertCorpus(t *testing.T) {
	c := ccLoad(t)
	for _, tc := range []struct {
		rel    string
		asn    uint32
		serial string
		spki   string
	}{
		{"rpki-commons/src/test/resources/router/router_certificate.cer", 42, "5",
			"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUdfUJnC5SWuyJ0HT9Ve5tXqU/JL6Yx+wT+nZFnY3HTIiJAA5KvKp4+zIPCZl3juu/4v1S7zP0VBJZYtbFuCrXA=="},
		{"rpki-prover/test/data/bgp_cert.cer", 15562, "34B8",
			"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4FxJr0n2bux1uX1Evl+QWwZYvIadPjLuFX2mxqKuAGUhKnr7VLLDgrE++l9p5eH2kWTNVAN22FUU3db/RKpE2w=="},
		{"rpki-prover/test/data/bgp_router_cert.cer", 211321, "1531A67970E0BB2BB283FBEFC8F7978566A0BF77",
			"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAET10FMBxP6P3r6aG/ICpfsktp7X6ylJIY8Kye6zkQhNOt0y+cRzYngH8MGzY3cXNvZ64z4CpZ22gf4teybGq8ow=="},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			o := c.objs[tc.rel]
			if o == nil {
				t.Fatal("missing from corpus")
			}
			r, err := ParseRouterCert(o.der)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.ASNs) != 1 || r.ASNs[0] != tc.asn {
				t.Errorf("ASNs %v, want [%d]", r.ASNs, tc.asn)
			}
			if got := fmt.Sprintf("%X", r.Cert.SerialNumber); got != tc.serial {
				t.Errorf("serial %s, want %s", got, tc.serial)
			}
			if got := base64.StdEncoding.EncodeToString(r.Cert.RawSPKI); got != tc.spki {
				t.Errorf("SPKI %s", got)
			}
			if _, ok := r.Cert.PublicKey.(*ecdsa.PublicKey); !ok || r.Cert.Kind != KindRouter || r.Cert.SignedObject != "" {
				t.Errorf("kind %v key %T SIA %q", r.Cert.Kind, r.Cert.PublicKey, r.Cert.SignedObject)
			}
		})
	}
}

// TestParseRouterCertRejects checks that non-router certificates are
// refused, and that validation against the wrong issuer fails.
func TestParseRouterCertRejects(t *testing.T) {
	c := ccLoad(t)
	ca := c.objs["rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer"].der
	if _, err := ParseRouterCert(ca); !errors.Is(err, ErrProfile) {
		t.Errorf("TA as router cert: %v", err)
	}
	r, err := ParseRouterCert(c.objs["rpki-prover/test/data/bgp_cert.cer"].der)
	if err != nil {
		t.Fatal(err)
	}
	root := ccMustCert(t, c, bbnDir+"root.cer").cert
	if err := r.Validate(root, r.Cert.NotBefore); !errors.Is(err, ErrSignature) {
		t.Errorf("wrong issuer: %v", err)
	}
}

// TestExpandASNs checks range expansion and its limit.
func TestExpandASNs(t *testing.T) {
	got, err := expandASNs([]ASRange{{1, 3}, {10, 10}, {4294967295, 4294967295}})
	if err != nil || fmt.Sprint(got) != "[1 2 3 10 4294967295]" {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := expandASNs([]ASRange{{0, 4294967295}}); !errors.Is(err, ErrProfile) {
		t.Errorf("whole AS space: %v", err)
	}
}
