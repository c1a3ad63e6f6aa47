package x509rpki

// ASPA is an Autonomous System Provider Authorization
// (draft-ietf-sidrops-aspa-profile, version 1 of the eContent).
type ASPA struct {
	Signed    *SignedObject
	Customer  uint32
	Providers []uint32 // sorted ascending, unique, without Customer
}
