package rsync

import (
	"regexp"
	"strings"
)

// genericLine matches the lines of rsync's error output that only restate
// the exit code or that the connection ended, which the error message
// says already: "rsync error: error in socket IO (code 10) at
// clientserver.c(165) [Receiver=3.5.0]", "rsync: connection unexpectedly
// closed (0 bytes received so far) [Receiver]".
var genericLine = regexp.MustCompile(`^rsync error: .*\(code \d+\)|connection unexpectedly closed`)

// stderrPrefix matches what rsync puts before a message: "rsync: ",
// "rsync: [Receiver] ", "@ERROR: ".
var stderrPrefix = regexp.MustCompile(`^(rsync: (\[\w+\] )?|@ERROR: )`)

// lastMeaningfulLine cuts rsync's error output to the line that says what
// went wrong: the last one that is not generic (genericLine), without
// rsync's prefix; the last line when all are generic. A log line and a
// status page then show "failed to connect to 192.0.2.1: Connection
// refused (111)", not a screen of rsync's output.
func lastMeaningfulLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	pick := strings.TrimSpace(lines[len(lines)-1])
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !genericLine.MatchString(l) {
			pick = l
			break
		}
	}
	return stderrPrefix.ReplaceAllString(pick, "")
}
