package lab

import "fmt"

// Endpoints say where the lab is served. The URIs written into the objects
// name them, so a lab is generated for its endpoints and served on them.
type Endpoints struct {
	HTTPS string // base URL of the HTTPS server, e.g. "https://127.0.0.1:8443"
	Rsync string // base URL of the rsync daemon, e.g. "rsync://127.0.0.1:8873"
}

// taModule is the rsync module (and HTTPS path) holding the TA certificates.
const taModule = "ta"

// repoModule is the rsync module (and HTTPS path) of a publication server.
func repoModule(repo int) string { return fmt.Sprintf("repo%d", repo) }

// ppDir is the path of a CA's publication point inside the rsync tree.
func (pl *Plan) ppDir(i int) string {
	return repoModule(pl.CAs[i].Repo) + "/" + pl.CAs[i].Name + "/"
}

// ppURI is the rsync URI of a CA's publication point (SIA caRepository).
func (pl *Plan) ppURI(ep Endpoints, i int) string { return ep.Rsync + "/" + pl.ppDir(i) }

// PointURI is the rsync URI of CA i's publication point (SIA
// caRepository).
func (l *Lab) PointURI(i int) string { return l.Plan.ppURI(l.Config.Endpoints, i) }

// mftName and crlName are the file names of a CA's manifest and CRL.
func (pl *Plan) mftName(i int) string { return pl.CAs[i].Name + ".mft" }
func (pl *Plan) crlName(i int) string { return pl.CAs[i].Name + ".crl" }

// certPath is where a CA's certificate is published: in its parent's
// publication point, or in the TA module for a trust anchor.
func (pl *Plan) certPath(i int) string {
	ca := pl.CAs[i]
	if ca.Parent < 0 {
		return taModule + "/" + ca.Name + ".cer"
	}
	return pl.ppDir(ca.Parent) + ca.Name + ".cer"
}

// notifyPath is the HTTPS path of a publication server's RRDP notification.
func notifyPath(repo int) string { return repoModule(repo) + "/notification.xml" }

func (ep Endpoints) rsync(path string) string { return ep.Rsync + "/" + path }
func (ep Endpoints) https(path string) string { return ep.HTTPS + "/" + path }
