package rsync

import (
	"strings"
	"testing"
)

// TestLastMeaningfulLine cuts real rsync 3.x error outputs to the line
// that says what went wrong.
func TestLastMeaningfulLine(t *testing.T) {
	for in, want := range map[string]string{
		"rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)\n" +
			"rsync error: error in socket IO (code 10) at clientserver.c(165) [Receiver=3.5.0]\n": "failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)",
		"@ERROR: Unknown module 'nomodule'\n" +
			"rsync error: error starting client-server protocol (code 5) at main.c(1954) [Receiver=3.5.0]\n": "Unknown module 'nomodule'",
		"rsync: getaddrinfo: nonexistent.invalid 873: Name or service not known\n" +
			"rsync error: error in socket IO (code 10) at clientserver.c(165) [Receiver=3.5.0]\n": "getaddrinfo: nonexistent.invalid 873: Name or service not known",
		"@ERROR: max connections (1) reached -- try again later\n" +
			"rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\n" +
			"rsync error: error in rsync protocol data stream (code 12) at io.c(232) [Receiver=3.2.7]\n": "max connections (1) reached -- try again later",
		"rsync error: timeout in data send/receive (code 30) at io.c(197) [Receiver=3.2.7]\n": "rsync error: timeout in data send/receive (code 30) at io.c(197) [Receiver=3.2.7]",
		"": "",
	} {
		if got := lastMeaningfulLine(in); got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestCapBufferKeepsTheEnd: a long output keeps its last MaxStderr bytes,
// where rsync says why it failed.
func TestCapBufferKeepsTheEnd(t *testing.T) {
	c := &capBuffer{max: 64}
	for i := range 1000 {
		c.Write([]byte(strings.Repeat("x", i%7) + "\n"))
	}
	c.Write([]byte("@ERROR: the end\n"))
	if s := c.String(); len(s) > 64 || !strings.HasSuffix(s, "@ERROR: the end\n") || len(c.buf) > 128 {
		t.Fatalf("kept %q (%d bytes held)", s, len(c.buf))
	}
	c.Write([]byte(strings.Repeat("y", 200)))
	if s := c.String(); s != strings.Repeat("y", 64) {
		t.Fatalf("a write longer than max: kept %q", s)
	}
}
