package payload

// Limits on data entering the package, named so that they can be found and
// tuned in one place (STYLE habit 3).
const (
	// DefaultHistory is the default number of deltas a History keeps. The
	// issue asks for at least 20; routers that were offline for up to that
	// many serials get a Serial Query answer instead of a Cache Reset.
	DefaultHistory = 20

	// MaxHistory bounds the number of deltas kept, whatever is configured.
	MaxHistory = 10000

	// MaxJSONBytes caps a payload JSON file. The 600k-VRP file is about
	// 50 MB; production rpki-client output is below 100 MB.
	MaxJSONBytes = 1 << 30

	// MaxProviders caps the provider list of one ASPA record, after the
	// ASPAs of a customer are merged: an RTR v2 ASPA PDU is 12 + 4n octets
	// and may not exceed 65,535 (draft-ietf-sidrops-8210bis-27 §5.1), so
	// n <= 16,380. Routinator uses the same bound (rpki-rs
	// rtr::pdu::ProviderAsns::MAX_COUNT) and drops a merged ASPA above it
	// (Routinator 0.14.1, "ASPA is dropped"); NewSnapshot does the same.
	MaxProviders = 16380

	// MaxSPKI caps the SubjectPublicKeyInfo of a router key. RFC 8208 §3.1
	// keys are P-256, 91 bytes DER; allow headroom for future algorithms.
	MaxSPKI = 1024
)
