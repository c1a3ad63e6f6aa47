// Package output writes a validation result in the formats relying
// parties and routers read: JSON (as rpki-client writes it, with
// "AS65000"-style ASNs that StayRTR, GoRTR and Routinator's readers take),
// CSV (as Routinator prints it), OpenBGPD's roa-set and aspa-set, and
// BIRD 2's roa4/roa6 tables. `validator vrps` and the HTTP API share it.
//
// May import: validate, payload, the standard library.
package output
