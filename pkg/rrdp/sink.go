package rrdp

// Sink receives the objects of one repository. pkg/cache implements it; its
// methods use only standard types so that the cache need not import this
// package.
//
// One update runs at a time: Begin, then any number of Publish and Withdraw
// calls, then Commit or Abort. Nothing is visible to readers before Commit,
// and Commit stores the client's state with the objects atomically, so a
// crash or a failure at any point leaves the previous state and objects.
type Sink interface {
	// State returns the client state saved by the last Commit, or nil.
	State() ([]byte, error)
	// Begin starts an update. With reset (a snapshot) the update replaces
	// every object of the repository; otherwise (deltas) it changes the
	// objects held.
	Begin(reset bool) error
	// Publish adds an object, or, when replaces is not nil, replaces the
	// object whose SHA-256 is *replaces. Adding an object that exists, or
	// replacing one whose hash differs, is an error (RFC 8182 §3.4.2),
	// which the sink may report here or at the latest from Commit. The
	// sink must copy data.
	Publish(uri string, data []byte, replaces *[32]byte) error
	// Withdraw removes the object whose SHA-256 is hash; a missing object or
	// a different hash is an error (RFC 8182 §3.4.2), reported here or
	// from Commit.
	Withdraw(uri string, hash [32]byte) error
	// Commit makes the update visible and saves state with it, or fails
	// and leaves the previous state.
	Commit(state []byte) error
	// Abort drops the update.
	Abort()
}
