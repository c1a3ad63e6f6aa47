// Package deploycheck holds tests of the deployment files that no other
// package's tests read: the Kubernetes manifests (the README's deployment,
// and the Pod Security Standards' restricted level field by field) and the
// Dockerfile (base images pinned by digest, a non-root user, a
// HEALTHCHECK), checked as text since no container engine runs the tests.
//
// May import: the standard library and gopkg.in/yaml.v3 (in its tests).
package deploycheck
