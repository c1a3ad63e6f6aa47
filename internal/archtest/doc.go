// Package archtest holds the test that enforces the layering rules of the
// packages (STYLE.md habit 14): what each package may import.
package archtest
