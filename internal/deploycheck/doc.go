// Package deploycheck holds tests of the deployment files under deploy/
// that no other package's tests read: the Kubernetes manifests.
package deploycheck
