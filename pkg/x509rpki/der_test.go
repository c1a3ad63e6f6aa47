package x509rpki

import (
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// dtTime encodes a time value with the given tag.
func dtTime(tag cbasn1.Tag, s string) cryptobyte.String {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	return cryptobyte.String(b.BytesOrPanic())
}

// TestReadTime checks the RFC 5280 §4.1.2.5 time rules.
func TestReadTime(t *testing.T) {
	for _, tc := range []struct {
		tag  cbasn1.Tag
		in   string
		want time.Time // zero when the input must be refused
	}{
		{cbasn1.UTCTime, "110411185728Z", time.Date(2011, 4, 11, 18, 57, 28, 0, time.UTC)},
		{cbasn1.UTCTime, "491231235959Z", time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)},
		{cbasn1.UTCTime, "500101000000Z", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{cbasn1.GeneralizedTime, "20500101000000Z", time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)},
		{cbasn1.GeneralizedTime, "20491231235959Z", time.Time{}},   // must be UTCTime
		{cbasn1.GeneralizedTime, "20500101000000.5Z", time.Time{}}, // fraction
		{cbasn1.UTCTime, "1104111857Z", time.Time{}},               // no seconds
		{cbasn1.UTCTime, "110411185728+0100", time.Time{}},         // offset
		{cbasn1.UTCTime, "110230185728Z", time.Time{}},             // 30 February
		{cbasn1.UTCTime, "11041118572aZ", time.Time{}},
		{cbasn1.UTCTime, "110411245728Z", time.Time{}}, // hour 24
		{cbasn1.OCTET_STRING, "110411185728Z", time.Time{}},
	} {
		s := dtTime(tc.tag, tc.in)
		got, err := readTime(&s)
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("%s: accepted as %v", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: got %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestReadSerial checks the INTEGER rules for serial and CRL numbers.
func TestReadSerial(t *testing.T) {
	enc := func(b ...byte) cryptobyte.String {
		var bb cryptobyte.Builder
		bb.AddASN1(cbasn1.INTEGER, func(bb *cryptobyte.Builder) { bb.AddBytes(b) })
		return cryptobyte.String(bb.BytesOrPanic())
	}
	max20 := append([]byte{0x7f}, make([]byte, 19)...)
	for _, tc := range []struct {
		name      string
		in        cryptobyte.String
		allowZero bool
		want      *big.Int
	}{
		{"one", enc(1), false, big.NewInt(1)},
		{"zero", enc(0), false, nil},
		{"zero allowed", enc(0), true, big.NewInt(0)},
		{"negative", enc(0xff), false, nil},
		{"20 octets", enc(max20...), false, new(big.Int).SetBytes(max20)},
		{"21 octets", enc(append([]byte{0}, append([]byte{0x80}, make([]byte, 19)...)...)...), false, nil},
		{"not minimal", enc(0, 1), false, nil},
		{"empty", enc(), false, nil},
	} {
		s := tc.in
		got, err := readSerial(&s, 20, tc.allowZero)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: accepted %v", tc.name, got)
			}
		} else if err != nil || got.Cmp(tc.want) != 0 {
			t.Errorf("%s: got %v, %v", tc.name, got, err)
		}
	}
}
