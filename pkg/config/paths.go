package config

import "path/filepath"

// paths returns a pointer to every file or folder name in the
// configuration, so that a caller can resolve or check them all in one
// loop. Empty ones mean "not set".
func (c *Config) paths() []*string {
	out := []*string{&c.TALDir, &c.Cache, &c.Fetch.CACert, &c.RTR.TLSCert, &c.RTR.TLSKey}
	for i := range c.TALs {
		out = append(out, &c.TALs[i])
	}
	for i := range c.SLURM {
		out = append(out, &c.SLURM[i])
	}
	return out
}

// resolvePaths makes every relative path absolute against dir (a
// configuration file's folder), once, so that what the daemon opens does
// not depend on its working directory (rsync, for one, wants an absolute
// cache root).
func (c *Config) resolvePaths(dir string) {
	for _, p := range c.paths() {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}
