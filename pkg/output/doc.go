// Package output writes a validation result in the formats relying
// parties and routers read: JSON (rpki-client's layout, through pkg/payload's
// codec), CSV (as Routinator prints it), OpenBGPD's roa-set and aspa-set,
// and BIRD 2's roa4/roa6 tables. `validator vrps` and the HTTP API share
// it.
//
// May import: payload, the standard library.
package output
