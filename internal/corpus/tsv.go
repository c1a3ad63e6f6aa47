package corpus

import (
	"fmt"
	"os"
	"strings"
)

// readTSV reads a tab-separated file with a header line and returns one map
// per row, keyed by the header's column names.
func readTSV(path string) ([]map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 {
		return nil, fmt.Errorf("corpus: %s: empty", path)
	}
	header := strings.Split(lines[0], "\t")
	rows := make([]map[string]string, 0, len(lines)-1)
	for i, l := range lines[1:] {
		cols := strings.Split(l, "\t")
		if len(cols) != len(header) {
			return nil, fmt.Errorf("corpus: %s:%d: %d columns, want %d", path, i+2, len(cols), len(header))
		}
		row := make(map[string]string, len(cols))
		for j, h := range header {
			row[h] = cols[j]
		}
		rows = append(rows, row)
	}
	return rows, nil
}
