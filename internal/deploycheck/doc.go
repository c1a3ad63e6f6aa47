// Package deploycheck holds tests of the deployment files under deploy/
// that no other package's tests read: the Kubernetes manifests.
//
// May import: the standard library and gopkg.in/yaml.v3 (in its tests).
package deploycheck
