package vrpgen

import (
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// generatedAt is the build time written into the base set's metadata;
// the update is one refresh interval (10 minutes) later. Fixed, so that the
// bytes depend on the seed alone. Readers that check the age (StayRTR
// without -checktime=false) find it old, as they did the stored files.
var generatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// JSON returns the base set and its update in the rpki-client / StayRTR
// JSON format, one VRP a line.
func (s Spec) JSON() (base, update []byte) {
	b, u := s.Generate()
	return Encode(b, generatedAt), Encode(u, generatedAt.Add(10*time.Minute))
}

// WriteFiles writes the base set and its update as base.json and
// update.json (plain JSON, which StayRTR also reads) into dir and returns
// their paths.
func (s Spec) WriteFiles(dir string) (base, update string, err error) {
	b, u := s.JSON()
	base, update = filepath.Join(dir, "base.json"), filepath.Join(dir, "update.json")
	if err := os.WriteFile(base, b, 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(update, u, 0o644); err != nil {
		return "", "", err
	}
	return base, update, nil
}

// Encode writes vrps in the rpki-client / StayRTR JSON format with the
// metadata of a build at the given time.
func Encode(vrps []VRP, generated time.Time) []byte {
	b := make([]byte, 0, 80*len(vrps)+256)
	b = append(b, "{\n  \"metadata\": {\n    \"buildmachine\": \"vrpgen\",\n    \"buildtime\": \""...)
	b = generated.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, "\",\n    \"generated\": "...)
	b = strconv.AppendInt(b, generated.Unix(), 10)
	b = append(b, ",\n    \"vrps\": "...)
	b = strconv.AppendInt(b, int64(len(vrps)), 10)
	b = append(b, "\n  },\n  \"roas\": ["...)
	for i, v := range vrps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    { \"prefix\": \""...)
		b = v.Prefix.AppendTo(b)
		b = append(b, "\", \"maxLength\": "...)
		b = strconv.AppendInt(b, int64(v.MaxLen), 10)
		b = append(b, ", \"asn\": \"AS"...)
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
		b = append(b, "\", \"ta\": \""...)
		b = append(b, v.TA...)
		b = append(b, "\" }"...)
	}
	return append(b, "\n  ]\n}\n"...)
}
