// Command validator is an RPKI relying party: it fetches and validates the
// RPKI and serves the result to routers over RTR.
//
// It wires the components together, so it may import any of them.
//
// May import: everything below (any package of the module, the module's
// dependencies and the standard library).
package main
