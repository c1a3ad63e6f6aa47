package main

import "time"

// Limits of the small HTTP clients and servers this package runs itself.
const (
	// healthcheckBodyLimit caps what `validator healthcheck` reads of an
	// answer: /healthz and /readyz answer one line.
	healthcheckBodyLimit = 4 << 10
	// defaultHealthcheckTimeout bounds one `validator healthcheck` probe,
	// below Docker's default HEALTHCHECK timeout of 30 s.
	defaultHealthcheckTimeout = 5 * time.Second
)
