package rtr

import "fmt"

// Error codes of the Error Report PDU (RFC 8210 §12; RFC 6810 §10 for
// codes 0–7; codes 9–13 are draft-ietf-sidrops-8210bis-27 §12, which
// allows a code only in sessions of a version that defines it).
const (
	CodeCorruptData         uint16 = 0
	CodeInternalError       uint16 = 1
	CodeNoDataAvailable     uint16 = 2
	CodeInvalidRequest      uint16 = 3
	CodeUnsupportedVersion  uint16 = 4
	CodeUnsupportedPDUType  uint16 = 5
	CodeWithdrawalOfUnknown uint16 = 6
	CodeDuplicateAnnounce   uint16 = 7
	CodeUnexpectedVersion   uint16 = 8 // RFC 8210 §12; not in v0
	CodeASPAProviderList    uint16 = 9 // v2: an ASPA PDU's provider list is wrong
	CodeTransportFailure    uint16 = 10
	CodeOrderingError       uint16 = 11
	CodeCacheRestart        uint16 = 12
	CodeCacheShutdown       uint16 = 13
)

// ErrorReport is a protocol error with its RTR meaning: the decoder returns
// it for malformed input and the server sends it as is (RFC 8210 §5.11).
type ErrorReport struct {
	// Code is the Error Code.
	Code uint16
	// PDU is the offending PDU (possibly truncated), encapsulated in the
	// report.
	PDU []byte
	// Text is the diagnostic text.
	Text string
}

// Error implements error.
func (e *ErrorReport) Error() string {
	return fmt.Sprintf("rtr: error report code %d (%s): %s", e.Code, CodeName(e.Code), e.Text)
}

// Fatal reports whether the session must be closed after sending the
// report: every code but No Data Available (RFC 8210 §12).
func (e *ErrorReport) Fatal() bool { return e.Code != CodeNoDataAvailable }

// CodeName returns the RFC name of an error code.
func CodeName(code uint16) string {
	names := [...]string{"Corrupt Data", "Internal Error", "No Data Available", "Invalid Request",
		"Unsupported Protocol Version", "Unsupported PDU Type", "Withdrawal of Unknown Record",
		"Duplicate Announcement Received", "Unexpected Protocol Version", "ASPA Provider List Error",
		"Transport Failure", "Ordering Error", "Cache Restart", "Cache Shutdown"}
	if int(code) < len(names) {
		return names[code]
	}
	return fmt.Sprintf("unknown code %d", code)
}

func errorf(code uint16, pdu []byte, format string, args ...any) *ErrorReport {
	return &ErrorReport{Code: code, PDU: pdu, Text: fmt.Sprintf(format, args...)}
}
