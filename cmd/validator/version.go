package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped by scripts/release with -ldflags "-X main.version=v1.2.3 ...".
// version, when set, replaces the module version of the build information.
// The others stand in for the VCS settings the Go toolchain records only
// in a primary checkout (not in a linked git worktree, golang/go#58218, nor
// in a source archive); the toolchain's own settings win when present.
var (
	version      string
	revision     string
	revisionTime string
	modified     string // "true" when built from a tree with changes
)

// buildVersion describes this binary: its version, then the VCS revision,
// commit time and whether the tree was modified, read from the build
// information the Go toolchain embeds (go version -m shows the same).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = &debug.BuildInfo{}
	}
	if revision != "" && vcsSetting(info, "vcs.revision") == "" {
		info.Settings = append(info.Settings,
			debug.BuildSetting{Key: "vcs.revision", Value: revision},
			debug.BuildSetting{Key: "vcs.time", Value: revisionTime},
			debug.BuildSetting{Key: "vcs.modified", Value: modified})
	}
	return formatVersion(info, version)
}

// formatVersion renders "VERSION (revision REV, TIME, modified)", leaving
// out what info lacks. override, when set, replaces the module version,
// which is a tag or pseudo-version when the toolchain stamped it and
// "(devel)" when it did not.
func formatVersion(info *debug.BuildInfo, override string) string {
	v := override
	if v == "" {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	var details []string
	if rev := vcsSetting(info, "vcs.revision"); rev != "" {
		details = append(details, "revision "+rev)
	}
	if t := vcsSetting(info, "vcs.time"); t != "" {
		details = append(details, t)
	}
	if vcsSetting(info, "vcs.modified") == "true" {
		details = append(details, "modified")
	}
	if len(details) == 0 {
		return v
	}
	return v + " (" + strings.Join(details, ", ") + ")"
}

// vcsSetting returns the value of the build setting key, or "".
func vcsSetting(info *debug.BuildInfo, key string) string {
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// runVersion implements `validator version`.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", "Prints the version, the VCS revision and commit time, and the Go version.")
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return code
	}
	fmt.Fprintf(stdout, "validator %s %s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
