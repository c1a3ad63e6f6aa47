package x509rpki

// RouterCert is a BGPsec router certificate (RFC 8209): an EE certificate
// with an ECDSA P-256 key, the BGPsec router EKU and AS resources only.
type RouterCert struct {
	Cert *Cert
	ASNs []uint32 // every AS number in the certificate's AS resources
}
