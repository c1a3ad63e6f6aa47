package inspect

// Status values of a Report.
const (
	// StatusOK: the object is well-formed, follows its profile and, when an
	// issuer was at hand, validated against it.
	StatusOK = "ok"
	// StatusStale: well-formed, but not valid at the given time (expired,
	// not yet valid, or past its next update). Not a rejection.
	StatusStale = "stale"
	// StatusRejected: malformed, against its profile, or failed validation
	// against the issuer given.
	StatusRejected = "rejected"
)

// ValidationNoIssuer is the Validation text when no issuer was given and the
// object is not self-signed.
const ValidationNoIssuer = "issuer not at hand"

// ValidationSelfSigned is the Validation text of a trust anchor certificate
// whose self-signature checks out when no TAL was given to pin its key.
const ValidationSelfSigned = "ok: self-signed, no TAL given"

// Report is the JSON view of one file. Fields are named in snake_case close
// to rpki-client's -j output. For a signed object the certificate fields
// (ski, aki, cert_serial, not_before, ...) describe its EE certificate, as in
// rpki-client.
type Report struct {
	File   string `json:"file"`
	HashID string `json:"hash_id,omitempty"` // base64 SHA-256 of the file, as rpki-client
	Type   string `json:"type,omitempty"`

	// Status is StatusOK, StatusStale or StatusRejected. Error says why an
	// object is not ok; ErrorClass is its x509rpki class ("malformed",
	// "profile", "signature", "resources", "stale", "revoked"), or
	// "unsupported" (unknown type), "io" (unreadable file) or
	// "unclassified".
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
	// Validation is "ok" or "failed" after a check against the issuer,
	// "stale" when that check found the object outside its validity,
	// ValidationNoIssuer, or ValidationSelfSigned for a trust anchor
	// checked without a TAL.
	Validation string `json:"validation,omitempty"`

	*CertView

	Signed *SignedView `json:"signed_object,omitempty"`

	// ROA (RFC 9582). ASID is a pointer because AS 0 is a valid value.
	ASID *uint32   `json:"asid,omitempty"`
	VRPs []VRPView `json:"vrps,omitempty"`

	// ASPA (draft-ietf-sidrops-aspa-profile).
	CustomerASID *uint32  `json:"customer_asid,omitempty"`
	Providers    []uint32 `json:"providers,omitempty"`

	// Manifest (RFC 9286) and CRL (RFC 6487 §5).
	ManifestNumber string        `json:"manifest_number,omitempty"`
	CRLNumber      string        `json:"crl_number,omitempty"`
	ThisUpdate     string        `json:"this_update,omitempty"`
	NextUpdate     string        `json:"next_update,omitempty"`
	Files          []FileView    `json:"filesandhashes,omitempty"`
	Entries        *int          `json:"entries,omitempty"`
	Revoked        []RevokedView `json:"revoked_certs,omitempty"`
	RevokedCount   *int          `json:"revoked_count,omitempty"`
	RouterKey      string        `json:"router_key,omitempty"` // base64 SubjectPublicKeyInfo (RFC 8209)
	RouterASNs     []uint32      `json:"router_asns,omitempty"`
	TAL            *TALView      `json:"tal,omitempty"`

	// Objects that are only recognised: GBR (RFC 6493), RSC (RFC 9323),
	// TAK (RFC 9691), SPL (draft-ietf-sidrops-rpki-prefixlist; its ASID is
	// in ASID).
	VCard        string         `json:"vcard,omitempty"`
	RSCResources []ResourceView `json:"signed_with_resources,omitempty"`
	RSCFiles     []FileView     `json:"filenamesandhashes,omitempty"`
	TAKeys       []TAKeyView    `json:"takeys,omitempty"`
	SPLPrefixes  []string       `json:"prefixes,omitempty"`
}

// TAKeyView is one key of a TAK: its role (current, predecessor,
// successor), comments, URIs and base64 SubjectPublicKeyInfo.
type TAKeyView struct {
	Name     string   `json:"name"`
	Comments []string `json:"comments,omitempty"`
	URIs     []string `json:"uris"`
	SPKI     string   `json:"spki"`
}

// CertView is a resource certificate: the object itself for .cer files, the
// EE certificate for signed objects.
type CertView struct {
	SKI          string         `json:"ski,omitempty"`
	AKI          string         `json:"aki,omitempty"`
	CertSerial   string         `json:"cert_serial,omitempty"`
	Issuer       string         `json:"issuer,omitempty"`
	Subject      string         `json:"subject,omitempty"`
	NotBefore    string         `json:"not_before,omitempty"`
	NotAfter     string         `json:"not_after,omitempty"`
	AIA          string         `json:"aia,omitempty"`
	CRLDP        string         `json:"crldp,omitempty"`
	SIA          string         `json:"sia,omitempty"`
	Manifest     string         `json:"manifest,omitempty"`
	CARepository string         `json:"carepository,omitempty"`
	NotifyURL    string         `json:"notify_url,omitempty"`
	Reconsidered bool           `json:"reconsidered,omitempty"` // RFC 8360 policy
	Resources    []ResourceView `json:"resources,omitempty"`
}

// SignedView holds the CMS wrapper fields of a signed object (RFC 6488).
type SignedView struct {
	ContentType string `json:"content_type"`
	SigningTime string `json:"signing_time,omitempty"`
}

// ResourceView is one RFC 3779 resource entry. Exactly one field is set.
type ResourceView struct {
	ASID    *uint32    `json:"asid,omitempty"`
	ASRange *RangeView `json:"asrange,omitempty"`
	Prefix  string     `json:"ip_prefix,omitempty"`
	IPRange *RangeView `json:"ip_range,omitempty"`
	Inherit string     `json:"inherit,omitempty"` // "ipv4", "ipv6" or "as"
}

// RangeView is an inclusive range of AS numbers or addresses.
type RangeView struct {
	Min any `json:"min"`
	Max any `json:"max"`
}

// VRPView is one ROA prefix with its maximum length.
type VRPView struct {
	Prefix string `json:"prefix"`
	ASID   uint32 `json:"asid"`
	MaxLen int    `json:"maxlen"`
}

// FileView is one manifest entry; the hash is base64, as in rpki-client.
type FileView struct {
	Name string `json:"filename"`
	Hash string `json:"hash"`
}

// RevokedView is one CRL entry.
type RevokedView struct {
	Serial string `json:"serial"`
	Date   string `json:"date"`
}

// TALView is a trust anchor locator (RFC 8630).
type TALView struct {
	Name string   `json:"name"`
	URIs []string `json:"trust_anchor_locations"` // in fetch order: https first, as rpki-client
	SKI  string   `json:"ski"`                    // SHA-1 of the subjectPublicKey bits (RFC 6487 §4.8.2)
}
