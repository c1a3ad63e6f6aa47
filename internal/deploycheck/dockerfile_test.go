package deploycheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// No Docker engine runs where the tests do, so the Dockerfile is checked
// as text: every base image pinned by digest, and a final stage that runs
// as a non-root user with a HEALTHCHECK the binary itself answers.

// pinned is an image reference with a tag and a sha256 digest.
var pinned = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$`)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, USER...
	args string
}

// parseDockerfile splits text into instructions, dropping comments.
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// dockerfileViolations lists what the Dockerfile text lacks. uid is the
// user the Kubernetes manifests run the image as.
func dockerfileViolations(text, uid string) []string {
	var v []string
	var stages []string
	var final []instruction // the last stage's instructions
	staticBuild := false
	for _, in := range parseDockerfile(text) {
		switch in.cmd {
		case "FROM":
			image, stage := fromImage(in.args)
			if !slices.Contains(stages, image) && !pinned.MatchString(image) {
				v = append(v, "FROM "+image+": not pinned by @sha256 digest")
			}
			stages = append(stages, stage)
			final = nil
		case "RUN":
			if strings.Contains(in.args, "go build") && strings.Contains(in.args, "CGO_ENABLED=0") && strings.Contains(in.args, "-trimpath") {
				staticBuild = true
			}
		}
		final = append(final, in)
	}
	if len(stages) == 0 {
		return append(v, "no FROM")
	}
	if !staticBuild {
		v = append(v, "no RUN go build with CGO_ENABLED=0 and -trimpath (a static binary for the slim image)")
	}
	return append(v, finalStageViolations(final, uid)...)
}

// fromImage returns the image of a FROM and the stage name it defines.
func fromImage(args string) (image, stage string) {
	f := strings.Fields(args)
	for len(f) > 0 && strings.HasPrefix(f[0], "--") {
		f = f[1:] // --platform=...
	}
	if len(f) == 0 {
		return "", ""
	}
	if len(f) == 3 && strings.EqualFold(f[1], "AS") {
		stage = f[2]
	}
	return f[0], stage
}

// finalStageViolations checks the image that ships: USER not root (and the
// manifests' uid), a HEALTHCHECK running the ENTRYPOINT binary's
// healthcheck command on /healthz or /readyz.
func finalStageViolations(final []instruction, uid string) []string {
	var v []string
	var user, entrypoint string
	var health []string
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			var argv []string
			if json.Unmarshal([]byte(in.args), &argv) == nil && len(argv) > 0 {
				entrypoint = argv[0]
			}
		case "HEALTHCHECK":
			health = healthcheckArgv(in.args)
			if health == nil {
				v = append(v, "HEALTHCHECK "+in.args+": want CMD in exec form")
			}
		}
	}
	name, _, _ := strings.Cut(user, ":")
	switch {
	case name == "" || name == "root" || name == "0":
		v = append(v, "final stage USER "+user+": must be a non-root user")
	case name != uid:
		v = append(v, "final stage USER "+user+": the Kubernetes manifests run it as "+uid)
	}
	if entrypoint == "" {
		v = append(v, "final stage has no exec-form ENTRYPOINT")
	}
	switch {
	case !slices.ContainsFunc(final, func(in instruction) bool { return in.cmd == "HEALTHCHECK" }):
		v = append(v, "final stage has no HEALTHCHECK")
	case len(health) < 2 || health[0] != entrypoint || health[1] != "healthcheck":
		v = append(v, "HEALTHCHECK "+strings.Join(health, " ")+": want the ENTRYPOINT binary's healthcheck command")
	}
	if i := slices.Index(health, "--url"); i >= 0 && (i+1 >= len(health) ||
		!(strings.HasSuffix(health[i+1], "/healthz") || strings.HasSuffix(health[i+1], "/readyz"))) {
		v = append(v, "HEALTHCHECK --url: want /healthz or /readyz")
	}
	return v
}

// healthcheckArgv returns the exec-form command of a HEALTHCHECK, after its
// options, or nil.
func healthcheckArgv(args string) []string {
	_, cmd, ok := strings.Cut(args, "CMD ")
	if !ok {
		return nil
	}
	var argv []string
	if json.Unmarshal([]byte(strings.TrimSpace(cmd)), &argv) != nil {
		return nil
	}
	return argv
}

// TestDockerfile checks the repository's Dockerfile, and that the binary
// has the healthcheck command its HEALTHCHECK runs.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range dockerfileViolations(string(b), manifestUID(t)) {
		t.Error(v)
	}
	main, err := os.ReadFile(filepath.Join("..", "..", "cmd", "validator", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), `"healthcheck":`) {
		t.Error("cmd/validator has no healthcheck command for the HEALTHCHECK")
	}
}

// manifestUID is the runAsUser every pod template of deploy/kubernetes
// sets, which the image's USER must match.
func manifestUID(t *testing.T) string {
	t.Helper()
	uid := ""
	for name, m := range readManifests(t) {
		if m.Spec.Template == nil {
			continue
		}
		sc := m.Spec.Template.Spec.SecurityContext
		if sc == nil || sc.RunAsUser == nil {
			t.Fatalf("%s sets no runAsUser", name)
		}
		u := strconv.FormatInt(*sc.RunAsUser, 10)
		if uid != "" && u != uid {
			t.Fatalf("pod templates run as %s and %s", uid, u)
		}
		uid = u
	}
	return uid
}

// TestDockerfileChecker feeds the checker Dockerfiles that break one rule
// each, so that a checker letting one through fails here.
func TestDockerfileChecker(t *testing.T) {
	const digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	good := strings.Join([]string{
		"FROM --platform=$BUILDPLATFORM golang:1.26-bookworm" + digest + " AS build",
		"RUN CGO_ENABLED=0 go build -trimpath \\",
		"    -o /out/validator ./cmd/validator",
		"FROM debian:bookworm-slim" + digest,
		"COPY --from=build /out/validator /usr/local/bin/validator",
		"USER 10001:10001",
		`HEALTHCHECK --interval=30s CMD ["/usr/local/bin/validator", "healthcheck", "--url", "http://127.0.0.1:8323/healthz"]`,
		`ENTRYPOINT ["/usr/local/bin/validator"]`,
	}, "\n")
	for _, tc := range []struct{ name, text, want string }{
		{"compliant", good, ""},
		{"tag only", strings.Replace(good, "bookworm-slim"+digest, "bookworm-slim", 1), "FROM debian:bookworm-slim: not pinned"},
		{"short digest", strings.Replace(good, digest, "@sha256:0123", 1), "not pinned"},
		{"root", strings.Replace(good, "USER 10001:10001", "USER root", 1), "non-root"},
		{"uid 0", strings.Replace(good, "USER 10001:10001", "USER 0:0", 1), "non-root"},
		{"no user", strings.Replace(good, "USER 10001:10001", "", 1), "non-root"},
		{"other uid", strings.Replace(good, "USER 10001", "USER 1000", 1), "run it as 10001"},
		{"no healthcheck", strings.Replace(good, "HEALTHCHECK", "# HEALTHCHECK", 1), "HEALTHCHECK"},
		{"shell healthcheck", strings.Replace(good, `CMD ["/usr/local/bin/validator", "healthcheck"`, `CMD curl -f http://x/ #`, 1), "exec form"},
		{"healthcheck url", strings.Replace(good, "/healthz", "/", 1), "want /healthz or /readyz"},
		{"healthcheck in the build stage only", strings.Replace(strings.Replace(good, "HEALTHCHECK", "# ", 1),
			"AS build", "AS build\nHEALTHCHECK CMD [\"/usr/local/bin/validator\", \"healthcheck\"]", 1), "HEALTHCHECK"},
		{"cgo", strings.Replace(good, "CGO_ENABLED=0 ", "", 1), "static binary"},
	} {
		got := strings.Join(dockerfileViolations(tc.text, "10001"), "; ")
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: violations %q, want %q", tc.name, got, tc.want)
		}
	}
}
