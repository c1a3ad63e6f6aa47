package payload

// Sources lists where a table's payload came from: the signed objects that
// yielded it and the CA certificates above them, so that an operator can
// see which object, manifest and chain produced a VRP (jsonext, csvext,
// the explain API). A global table has about 40,000 CAs and a few hundred
// thousand objects; each object costs its file name and three numbers.
type Sources struct {
	CAs     []CASource
	Objects []ObjectSource
}

// CASource is one CA certificate of a run.
type CASource struct {
	// URI is where the certificate was found; for a trust anchor, the
	// URI it was fetched from ("cache" when the kept copy was used).
	URI string
	// Repository and Manifest are its caRepository and rpkiManifest
	// (RFC 6487 §4.8.8.1).
	Repository, Manifest string
	// Parent is the index of the issuing CA, -1 for a trust anchor.
	Parent int32
	TA     TA
	// NotBefore and NotAfter are the certificate's validity.
	NotBefore, NotAfter Expiry
}

// ObjectSource is one signed object (ROA, ASPA, router certificate) of a
// CA's publication point.
type ObjectSource struct {
	// CA is the index of the issuing CA in Sources.CAs.
	CA uint32
	// Name is the object's file name in the CA's repository.
	Name string
	// NotBefore and NotAfter are the validity of its EE (or router)
	// certificate.
	NotBefore, NotAfter Expiry
}

// Object returns the object of an item's provenance, if known.
func (s *Sources) Object(i Info) (ObjectSource, bool) {
	n, ok := i.Source()
	if s == nil || !ok || n >= len(s.Objects) {
		return ObjectSource{}, false
	}
	return s.Objects[n], true
}

// ObjectURI returns the rsync URI of an object.
func (s *Sources) ObjectURI(o ObjectSource) string {
	if int(o.CA) >= len(s.CAs) {
		return o.Name
	}
	return s.CAs[o.CA].Repository + o.Name
}

// Chain returns CA ca and its issuers up to the trust anchor, in that
// order. A malformed table (a parent loop) is cut at len(s.CAs) steps.
func (s *Sources) Chain(ca uint32) []CASource {
	var out []CASource
	for i := int32(ca); i >= 0 && int(i) < len(s.CAs) && len(out) < len(s.CAs); i = s.CAs[i].Parent {
		out = append(out, s.CAs[i])
	}
	return out
}

// ChainValidity returns the latest notBefore and the earliest notAfter of
// an object's EE certificate and every CA above it: when the whole chain
// is valid (Routinator's "chainValidity").
func (s *Sources) ChainValidity(o ObjectSource) (notBefore, notAfter Expiry) {
	notBefore, notAfter = o.NotBefore, o.NotAfter
	for _, c := range s.Chain(o.CA) {
		notBefore, notAfter = max(notBefore, c.NotBefore), min(notAfter, c.NotAfter)
	}
	return notBefore, notAfter
}
