package deploycheck

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifest is the part of a Kubernetes object the tests look at.
type manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Template *struct {
			Metadata struct {
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// podKinds are the kinds whose pod template the tests check; podless
// kinds need none. Any other kind fails the test until it is handled.
var (
	podKinds    = []string{"Deployment", "StatefulSet", "DaemonSet", "Job"}
	podlessKind = []string{"Service", "PersistentVolumeClaim", "ConfigMap", "Secret", "Namespace"}
)

// readManifests decodes every document of deploy/kubernetes/*.yaml by
// kind/name.
func readManifests(t *testing.T) map[string]manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	kinds := map[string]manifest{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var m manifest
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			kinds[m.Kind+"/"+m.Metadata.Name] = m
		}
	}
	return kinds
}

// TestKubernetesManifests checks the deployment the README describes: a
// validator with a persistent cache probed on /readyz, and RTR replicas
// fed by its /json, ready only once they hold data.
func TestKubernetesManifests(t *testing.T) {
	kinds := readManifests(t)
	for _, want := range []string{"StatefulSet/validator", "Service/validator", "PersistentVolumeClaim/validator-cache",
		"Deployment/validator-rtr", "Service/validator-rtr"} {
		if _, ok := kinds[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	v := containersOf(t, kinds, "StatefulSet/validator")
	if len(v) != 1 || v[0].Args[0] != "run" || !probes(v[0].ReadinessProbe, "/readyz") {
		t.Errorf("validator container: %+v", v)
	}
	r := containersOf(t, kinds, "Deployment/validator-rtr")
	if len(r) != 1 || r[0].Args[0] != "rtr" || !strings.Contains(strings.Join(r[0].Args, " "), "--source http://validator:8323/json") {
		t.Fatalf("RTR replica container: %+v", r)
	}
	checkRTRReadiness(t, r[0])
}

// checkRTRReadiness: the replica's readiness probe is /readyz on the port
// its --http-listen flag opens, so it is ready only once it holds data.
func checkRTRReadiness(t *testing.T, c container) {
	t.Helper()
	i := slices.Index(c.Args, "--http-listen")
	if i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("RTR replica has no --http-listen for its readiness probe: %q", c.Args)
	}
	_, port, _ := strings.Cut(c.Args[i+1], ":")
	if !probes(c.ReadinessProbe, "/readyz") || !probes(c.LivenessProbe, "/healthz") {
		t.Fatalf("RTR replica probes: readiness %+v liveness %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	named := c.ReadinessProbe.HTTPGet.Port
	for _, p := range c.Ports {
		if p.Name == named || p.ContainerPort == named {
			if got := p.ContainerPort; port != "" && strconv.Itoa(got) != port {
				t.Errorf("readiness probe port %v is %d, --http-listen is %s", named, got, c.Args[i+1])
			}
			return
		}
	}
	t.Errorf("readiness probe port %v is not a container port: %+v", named, c.Ports)
}

// TestKubernetesRestricted checks every pod template against the Pod
// Security Standards' restricted level, field by field.
func TestKubernetesRestricted(t *testing.T) {
	pods := 0
	for name, m := range readManifests(t) {
		switch {
		case slices.Contains(podKinds, m.Kind):
			if m.Spec.Template == nil {
				t.Errorf("%s has no pod template", name)
				continue
			}
			pods++
			for _, v := range restrictedViolations(m.Spec.Template.Spec, m.Spec.Template.Metadata.Annotations) {
				t.Errorf("%s: %s", name, v)
			}
		case !slices.Contains(podlessKind, m.Kind):
			t.Errorf("%s: kind %s is not checked by this test", name, m.Kind)
		}
	}
	if pods < 2 {
		t.Errorf("%d pod templates checked, want the validator's and the RTR replicas'", pods)
	}
}

// TestRestrictedChecker feeds the checker pods that break one rule each
// (and one that breaks none), so that a checker that lets a violation
// through fails here.
func TestRestrictedChecker(t *testing.T) {
	const good = `
securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
containers:
  - name: c
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
volumes:
  - {name: cache, persistentVolumeClaim: {claimName: x}}
`
	for _, tc := range []struct{ name, yaml, want string }{
		{"compliant", good, ""},
		{"host network", good + "hostNetwork: true\n", "host namespaces"},
		{"hostPath", strings.Replace(good, "persistentVolumeClaim: {claimName: x}", "hostPath: {path: /}", 1), "type hostPath"},
		{"no seccomp", strings.Replace(good, ", seccompProfile: {type: RuntimeDefault}", "", 1), "no seccompProfile"},
		{"unconfined", strings.Replace(good, "RuntimeDefault", "Unconfined", 1), "seccompProfile Unconfined"},
		{"root pod", strings.Replace(good, "runAsUser: 10001", "runAsUser: 0", 1), "pod: runAsUser 0"},
		{"not non-root", strings.Replace(good, "runAsNonRoot: true", "runAsNonRoot: false", 1), "runAsNonRoot not true"},
		{"escalation", strings.Replace(good, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", 1), "allowPrivilegeEscalation"},
		{"escalation unset", strings.Replace(good, "allowPrivilegeEscalation: false, ", "", 1), "allowPrivilegeEscalation"},
		{"capabilities kept", strings.Replace(good, "drop: [ALL]", "drop: [NET_RAW]", 1), "drop lacks ALL"},
		{"capability added", strings.Replace(good, "drop: [ALL]", "drop: [ALL], add: [SYS_ADMIN]", 1), "add SYS_ADMIN"},
		{"privileged", strings.Replace(good, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: false, privileged: true", 1), "privileged"},
		{"host port", strings.Replace(good, "[ALL]}}\n", "[ALL]}}\n    ports: [{containerPort: 80, hostPort: 80}]\n", 1), "hostPort 80"},
		{"init container", good + "initContainers: [{name: i}]\n", "container i: allowPrivilegeEscalation"},
		{"sysctl", strings.Replace(good, "runAsUser: 10001", "runAsUser: 10001, sysctls: [{name: kernel.msgmax}]", 1), "sysctl kernel.msgmax"},
		{"selinux", strings.Replace(good, "runAsUser: 10001", "runAsUser: 10001, seLinuxOptions: {type: spc_t}", 1), "seLinuxOptions"},
	} {
		var spec podSpec
		if err := yaml.Unmarshal([]byte(tc.yaml), &spec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := strings.Join(restrictedViolations(spec, nil), "; ")
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: violations %q, want %q", tc.name, got, tc.want)
		}
	}
}

func containersOf(t *testing.T, kinds map[string]manifest, name string) []container {
	t.Helper()
	m, ok := kinds[name]
	if !ok || m.Spec.Template == nil {
		t.Fatalf("%s: no pod template", name)
	}
	return m.Spec.Template.Spec.Containers
}

// probes reports whether p is an HTTP GET of path.
func probes(p *probe, path string) bool {
	return p != nil && p.HTTPGet != nil && p.HTTPGet.Path == path
}
