package deploycheck

import (
	"fmt"
	"slices"
	"strings"
)

// The Pod Security Standards' "restricted" level (which includes
// "baseline"), field by field, as kubernetes.io/docs/concepts/security/
// pod-security-standards lists them. Only the fields a pod spec can set are
// read; an unknown (misspelt) field reads as unset, which these rules treat
// as the unsafe default wherever the standard requires a value.

// podSpec is the part of a pod template the standard restricts.
type podSpec struct {
	HostNetwork         bool                `yaml:"hostNetwork"`
	HostPID             bool                `yaml:"hostPID"`
	HostIPC             bool                `yaml:"hostIPC"`
	SecurityContext     *podSecurityContext `yaml:"securityContext"`
	Containers          []container         `yaml:"containers"`
	InitContainers      []container         `yaml:"initContainers"`
	EphemeralContainers []container         `yaml:"ephemeralContainers"`
	Volumes             []map[string]any    `yaml:"volumes"`
}

// securityFields are those a pod and a container security context share.
type securityFields struct {
	RunAsNonRoot   *bool            `yaml:"runAsNonRoot"`
	RunAsUser      *int64           `yaml:"runAsUser"`
	SeccompProfile *profile         `yaml:"seccompProfile"`
	AppArmor       *profile         `yaml:"appArmorProfile"`
	SELinux        *seLinuxOptions  `yaml:"seLinuxOptions"`
	Windows        *windowsSecurity `yaml:"windowsOptions"`
}

type podSecurityContext struct {
	securityFields `yaml:",inline"`
	Sysctls        []struct {
		Name string `yaml:"name"`
	} `yaml:"sysctls"`
}

type containerSecurityContext struct {
	securityFields           `yaml:",inline"`
	Privileged               *bool   `yaml:"privileged"`
	AllowPrivilegeEscalation *bool   `yaml:"allowPrivilegeEscalation"`
	ProcMount                *string `yaml:"procMount"`
	Capabilities             *struct {
		Add  []string `yaml:"add"`
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
}

type profile struct {
	Type string `yaml:"type"`
}

type seLinuxOptions struct {
	Type string `yaml:"type"`
	User string `yaml:"user"`
	Role string `yaml:"role"`
}

type windowsSecurity struct {
	HostProcess *bool `yaml:"hostProcess"`
}

type container struct {
	Name  string   `yaml:"name"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
		HostPort      int    `yaml:"hostPort"`
	} `yaml:"ports"`
	SecurityContext *containerSecurityContext `yaml:"securityContext"`
	ReadinessProbe  *probe                    `yaml:"readinessProbe"`
	LivenessProbe   *probe                    `yaml:"livenessProbe"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

// The values the standard allows.
var (
	restrictedVolumes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
		"persistentVolumeClaim", "projected", "secret"}
	safeSysctls = []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
		"net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}
	seLinuxTypes   = []string{"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
	confinedTypes  = []string{"RuntimeDefault", "Localhost"}
	apparmorValues = []string{"runtime/default"} // and localhost/*
)

// restrictedViolations lists every way spec (with its template's
// annotations) falls short of the restricted level.
func restrictedViolations(spec podSpec, annotations map[string]string) []string {
	var v []string
	bad := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		bad("host namespaces: hostNetwork %v, hostPID %v, hostIPC %v", spec.HostNetwork, spec.HostPID, spec.HostIPC)
	}
	for _, vol := range spec.Volumes {
		for kind := range vol {
			if kind != "name" && !slices.Contains(restrictedVolumes, kind) {
				bad("volume %v: type %s not allowed", vol["name"], kind)
			}
		}
	}
	pod := spec.SecurityContext
	if pod == nil {
		pod = &podSecurityContext{}
	}
	v = append(v, sharedViolations("pod", pod.securityFields)...)
	for _, s := range pod.Sysctls {
		if !slices.Contains(safeSysctls, s.Name) {
			bad("pod: sysctl %s not allowed", s.Name)
		}
	}
	for key, value := range annotations {
		if strings.HasPrefix(key, "container.apparmor.security.beta.kubernetes.io/") &&
			!slices.Contains(apparmorValues, value) && !strings.HasPrefix(value, "localhost/") {
			bad("annotation %s: %s", key, value)
		}
	}
	all := slices.Concat(spec.Containers, spec.InitContainers, spec.EphemeralContainers)
	for _, c := range all {
		v = append(v, containerViolations(c, pod)...)
	}
	return v
}

// sharedViolations checks the fields a pod and a container share, each on
// its own: no root user, confined seccomp and AppArmor, allowed SELinux,
// no Windows host process.
func sharedViolations(where string, s securityFields) []string {
	var v []string
	if s.RunAsUser != nil && *s.RunAsUser == 0 {
		v = append(v, where+": runAsUser 0")
	}
	if s.SeccompProfile != nil && !slices.Contains(confinedTypes, s.SeccompProfile.Type) {
		v = append(v, where+": seccompProfile "+s.SeccompProfile.Type)
	}
	if s.AppArmor != nil && !slices.Contains(confinedTypes, s.AppArmor.Type) {
		v = append(v, where+": appArmorProfile "+s.AppArmor.Type)
	}
	if s.SELinux != nil && (!slices.Contains(seLinuxTypes, s.SELinux.Type) || s.SELinux.User != "" || s.SELinux.Role != "") {
		v = append(v, fmt.Sprintf("%s: seLinuxOptions %+v", where, *s.SELinux))
	}
	if s.Windows != nil && s.Windows.HostProcess != nil && *s.Windows.HostProcess {
		v = append(v, where+": windowsOptions.hostProcess")
	}
	return v
}

// containerViolations checks one container against the restricted level,
// taking runAsNonRoot and seccompProfile from the pod when it sets none.
func containerViolations(c container, pod *podSecurityContext) []string {
	where := "container " + c.Name
	s := c.SecurityContext
	if s == nil {
		s = &containerSecurityContext{}
	}
	v := sharedViolations(where, s.securityFields)
	nonRoot := s.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = pod.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		v = append(v, where+": runAsNonRoot not true (on the container or the pod)")
	}
	seccomp := s.SeccompProfile
	if seccomp == nil {
		seccomp = pod.SeccompProfile
	}
	if seccomp == nil {
		v = append(v, where+": no seccompProfile (RuntimeDefault or Localhost, on the container or the pod)")
	}
	if s.Privileged != nil && *s.Privileged {
		v = append(v, where+": privileged")
	}
	if s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation {
		v = append(v, where+": allowPrivilegeEscalation not false")
	}
	if s.ProcMount != nil && *s.ProcMount != "Default" {
		v = append(v, where+": procMount "+*s.ProcMount)
	}
	if s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, "ALL") {
		v = append(v, where+": capabilities.drop lacks ALL")
	}
	if s.Capabilities != nil {
		for _, add := range s.Capabilities.Add {
			if add != "NET_BIND_SERVICE" {
				v = append(v, where+": capabilities.add "+add)
			}
		}
	}
	for _, p := range c.Ports {
		if p.HostPort != 0 {
			v = append(v, fmt.Sprintf("%s: hostPort %d", where, p.HostPort))
		}
	}
	return v
}
