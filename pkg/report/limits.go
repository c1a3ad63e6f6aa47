package report

// Limits of the package (STYLE habit 3).
const (
	// MaxTracked bounds the problems a Tracker remembers: it forgets a
	// problem once a run no longer has it, so it holds the last run's
	// (a few hundred rejections and failing points on the global RPKI);
	// past the bound new problems are counted, not remembered.
	MaxTracked = 1 << 20
	// MaxRejectionsBytes bounds what ReadRejections reads.
	MaxRejectionsBytes = 256 << 20
)
