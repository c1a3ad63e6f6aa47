package inspect

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// Options are the inputs of Inspect besides the file itself.
type Options struct {
	// Type overrides the type taken from the file name ("roa", "mft", ...).
	Type string
	// Issuer, when set, is the certificate the object is validated against.
	Issuer *x509rpki.Cert
	// TALKey, when set, is the DER SubjectPublicKeyInfo of a TAL; a trust
	// anchor certificate must carry exactly this key (RFC 8630 §3).
	TALKey []byte
	// Now is the validation time; the zero value means time.Now().
	Now time.Time
}

// validator is implemented by every parsed object type that can be checked
// against its issuer (x509rpki's Validate methods).
type validator interface {
	Validate(issuer *x509rpki.Cert, now time.Time) error
}

// ClassName is the short name of an x509rpki error class, as printed in
// error_class: "malformed", "profile", "signature", "resources", "stale",
// "revoked"; "" when err carries no class.
func ClassName(err error) string {
	switch x509rpki.Class(err) {
	case x509rpki.ErrMalformed:
		return "malformed"
	case x509rpki.ErrProfile:
		return "profile"
	case x509rpki.ErrSignature:
		return "signature"
	case x509rpki.ErrResources:
		return "resources"
	case x509rpki.ErrStale:
		return "stale"
	case x509rpki.ErrRevoked:
		return "revoked"
	}
	return ""
}

// parseClass is the class of a parse error; "unclassified" when the parser
// returned an error without one (a parser bug worth seeing, not hiding).
func parseClass(err error) string {
	if c := ClassName(err); c != "" {
		return c
	}
	return "unclassified"
}

// Inspect parses data as the object named name and reports its fields and
// its verdict. It never fails: every problem is in the Report.
func Inspect(name string, data []byte, opts Options) *Report {
	sum := sha256.Sum256(data)
	r := &Report{File: name, HashID: base64.StdEncoding.EncodeToString(sum[:])}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	typ := typeOf(name, opts)
	if typ == "tal" {
		inspectTAL(r, data)
		return r
	}
	ot := objectType(typ)
	if ot == x509rpki.TypeUnknown {
		reject(r, unknownType(typ), "unsupported")
		return r
	}
	obj, err := decode(ot, data)
	if err != nil {
		r.Type = typeNames[ot]
		reject(r, err, parseClass(err))
		return r
	}
	render(r, obj)
	judge(r, obj, opts)
	return r
}

// reject marks r as rejected for err.
func reject(r *Report, err error, class string) {
	r.Status = StatusRejected
	r.Error = err.Error()
	r.ErrorClass = class
}

// render fills the type-specific fields of r.
func render(r *Report, obj any) {
	switch o := obj.(type) {
	case *x509rpki.Cert:
		r.Type = certType(o)
		r.CertView = certView(o)
	case *x509rpki.RouterCert:
		routerView(r, o)
	case *x509rpki.CRL:
		crlView(r, o)
	case *x509rpki.ROA:
		roaView(r, o)
	case *x509rpki.Manifest:
		manifestView(r, o)
	case *x509rpki.ASPA:
		aspaView(r, o)
	case *x509rpki.GBR:
		gbrView(r, o)
	case *x509rpki.RSC:
		rscView(r, o)
	case *x509rpki.TAK:
		takView(r, o)
	case *x509rpki.SPL:
		splView(r, o)
	}
}

// judge sets the status and validation of a well-formed object: against the
// issuer when one is at hand (a trust anchor is its own issuer), otherwise
// only against the clock.
func judge(r *Report, obj any, opts Options) {
	if c, ok := obj.(*x509rpki.Cert); ok && opts.Issuer == nil && c.Kind == x509rpki.KindTA {
		judgeTA(r, c, opts)
		return
	}
	if opts.Issuer == nil {
		r.Validation = ValidationNoIssuer
		setTimeStatus(r, obj, opts.Now)
		return
	}
	v, ok := obj.(validator)
	if !ok {
		r.Validation = fmt.Sprintf("no issuer check for %s", r.Type)
		setTimeStatus(r, obj, opts.Now)
		return
	}
	setValidation(r, v.Validate(opts.Issuer, opts.Now))
}

// judgeTA checks a trust anchor certificate: its key against the TAL's,
// when a TAL is given, and its self-signature and validity (RFC 6487 §7:
// a trust anchor is its own issuer).
func judgeTA(r *Report, c *x509rpki.Cert, opts Options) {
	if err := checkTALKey(c, opts.TALKey); err != nil {
		r.Validation = "failed"
		reject(r, err, "signature")
		return
	}
	setValidation(r, c.Validate(c, opts.Now))
	if r.Status == StatusOK && opts.TALKey == nil {
		r.Validation = ValidationSelfSigned
	}
}

// setValidation records the result of Validate.
func setValidation(r *Report, err error) {
	switch {
	case err == nil:
		r.Status, r.Validation = StatusOK, "ok"
	case errors.Is(err, x509rpki.ErrStale):
		r.Status, r.Validation = StatusStale, "stale"
		r.Error, r.ErrorClass = err.Error(), "stale"
	default:
		r.Validation = "failed"
		reject(r, err, parseClass(err))
	}
}

// setTimeStatus marks r stale when obj is outside its validity window at
// now, and ok otherwise.
func setTimeStatus(r *Report, obj any, now time.Time) {
	r.Status = StatusOK
	if msg := staleReason(obj, now); msg != "" {
		r.Status, r.Error, r.ErrorClass = StatusStale, msg, "stale"
	}
}

// checkTALKey checks a trust anchor certificate against the key of a TAL,
// when one was given (RFC 8630 §3: the TA certificate's public key must
// match the TAL's).
func checkTALKey(c *x509rpki.Cert, talKey []byte) error {
	if talKey == nil || bytes.Equal(c.RawSPKI, talKey) {
		return nil
	}
	return errors.New("inspect: RFC 8630 §3: trust anchor certificate key does not match the TAL")
}

// typeOf is the type of the file: Options.Type, else its extension.
func typeOf(name string, opts Options) string {
	if opts.Type != "" {
		return opts.Type
	}
	return TypeOf(name)
}
