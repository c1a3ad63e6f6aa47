package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// defaultHealthURL is the daemon's liveness endpoint on its default HTTP
// listener (:8323), as a HEALTHCHECK inside the container reaches it.
const defaultHealthURL = "http://127.0.0.1:8323/healthz"

// runHealthcheck implements `validator healthcheck [--url URL]`: one GET,
// exit status 0 on 200 and 1 otherwise. It is the container image's
// HEALTHCHECK, since a slim image has no curl.
func runHealthcheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("healthcheck", "[--url URL]", "Probes the daemon's /healthz (or --url) once: exit 0 on 200 OK, the container HEALTHCHECK.")
	url := fs.String("url", defaultHealthURL, "URL to GET; 200 OK is healthy (/readyz: holds fresh data)")
	timeout := fs.Duration("timeout", defaultHealthcheckTimeout, "give up after this long")
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	status, body, err := probe(ctx, *url)
	if err != nil {
		fmt.Fprintln(stderr, "validator healthcheck:", err)
		return 1
	}
	if status != http.StatusOK {
		fmt.Fprintf(stderr, "validator healthcheck: %s: HTTP %d: %s\n", *url, status, body)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s\n", *url, body)
	return 0
}

// probe GETs url and returns the status and the first line of the body.
func probe(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, healthcheckBodyLimit))
	if err != nil {
		return 0, "", err
	}
	line, _, _ := bytes.Cut(body, []byte("\n"))
	return resp.StatusCode, string(line), nil
}
