package inspect

import (
	"fmt"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// window is one validity interval of an object, named for the error text.
type window struct {
	what     string
	from, to time.Time
}

// windows lists the validity intervals of obj: the certificate's (RFC 6487
// §4.6), a signed object's EE certificate's (RFC 6488 §3), a manifest's
// thisUpdate..nextUpdate (RFC 9286 §4.2.1, §6.3) and a CRL's (RFC 5280
// §5.1.2.4, RFC 9286 §6.4).
func windows(obj any) []window {
	switch o := obj.(type) {
	case *x509rpki.Cert:
		return certWindow("certificate", o)
	case *x509rpki.RouterCert:
		return certWindow("certificate", o.Cert)
	case *x509rpki.CRL:
		return []window{{"CRL thisUpdate/nextUpdate", o.ThisUpdate, o.NextUpdate}}
	case *x509rpki.ROA:
		return signedWindow(o.Signed)
	case *x509rpki.ASPA:
		return signedWindow(o.Signed)
	case *x509rpki.Manifest:
		w := signedWindow(o.Signed)
		return append(w, window{"manifest thisUpdate/nextUpdate", o.ThisUpdate, o.NextUpdate})
	case *x509rpki.GBR:
		return signedWindow(o.Signed)
	case *x509rpki.RSC:
		return signedWindow(o.Signed)
	case *x509rpki.TAK:
		return signedWindow(o.Signed)
	case *x509rpki.SPL:
		return signedWindow(o.Signed)
	}
	return nil
}

func certWindow(what string, c *x509rpki.Cert) []window {
	if c == nil {
		return nil
	}
	return []window{{what, c.NotBefore, c.NotAfter}}
}

func signedWindow(so *x509rpki.SignedObject) []window {
	if so == nil {
		return nil
	}
	return certWindow("EE certificate", so.EE)
}

// staleReason says why obj is not valid at now, or "" when it is.
func staleReason(obj any, now time.Time) string {
	for _, w := range windows(obj) {
		if !w.from.IsZero() && now.Before(w.from) {
			return fmt.Sprintf("%s not valid before %s", w.what, timeString(w.from))
		}
		if !w.to.IsZero() && now.After(w.to) {
			return fmt.Sprintf("%s expired at %s", w.what, timeString(w.to))
		}
	}
	return ""
}
