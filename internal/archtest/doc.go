// Package archtest holds the tests that enforce the rules of the packages:
// what each may import (the "May import:" line of every package's doc.go,
// plus STYLE.md habit 14's fixed rules), and that no test reads data from
// outside the module.
//
// May import: the standard library only.
package archtest
