package deploycheck

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifest is the part of a Kubernetes object the test looks at.
type manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Args           []string `yaml:"args"`
					ReadinessProbe struct {
						HTTPGet *struct {
							Path string `yaml:"path"`
						} `yaml:"httpGet"`
					} `yaml:"readinessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// TestKubernetesManifests reads every document of deploy/kubernetes and
// checks the deployment the README describes: a validator with a
// persistent cache probed on /readyz, and RTR replicas fed by its /json.
func TestKubernetesManifests(t *testing.T) {
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
	for _, want := range []string{"StatefulSet/validator", "Service/validator", "PersistentVolumeClaim/validator-cache",
		"Deployment/validator-rtr", "Service/validator-rtr"} {
		if _, ok := kinds[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	v := kinds["StatefulSet/validator"].Spec.Template.Spec.Containers
	if len(v) != 1 || v[0].ReadinessProbe.HTTPGet == nil || v[0].ReadinessProbe.HTTPGet.Path != "/readyz" || v[0].Args[0] != "run" {
		t.Errorf("validator container: %+v", v)
	}
	r := kinds["Deployment/validator-rtr"].Spec.Template.Spec.Containers
	if len(r) != 1 || r[0].Args[0] != "rtr" || !strings.Contains(strings.Join(r[0].Args, " "), "--source http://validator:8323/json") {
		t.Errorf("RTR replica container: %+v", r)
	}
}
