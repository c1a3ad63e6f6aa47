package rrdp_test

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"sync"
)

// memSink is an in-memory Sink with the strict semantics the cache has.
type memSink struct {
	mu      sync.Mutex
	objs    map[string][]byte
	state   []byte
	tx      map[string][]byte
	commits int
}

func newMemSink() *memSink { return &memSink{objs: map[string][]byte{}} }

func (s *memSink) State() ([]byte, error) { return s.state, nil }

func (s *memSink) Begin(reset bool) error {
	if s.tx != nil {
		return fmt.Errorf("update already open")
	}
	s.tx = map[string][]byte{}
	if !reset {
		s.tx = maps.Clone(s.objs)
	}
	return nil
}

func (s *memSink) Publish(uri string, data []byte, replaces *[32]byte) error {
	old, ok := s.tx[uri]
	if replaces == nil && ok {
		return fmt.Errorf("publish %s: exists", uri)
	}
	if replaces != nil && (!ok || sha256.Sum256(old) != *replaces) {
		return fmt.Errorf("publish %s: replaced object hash mismatch", uri)
	}
	s.tx[uri] = append([]byte(nil), data...)
	return nil
}

func (s *memSink) Withdraw(uri string, hash [32]byte) error {
	old, ok := s.tx[uri]
	if !ok || sha256.Sum256(old) != hash {
		return fmt.Errorf("withdraw %s: hash mismatch", uri)
	}
	delete(s.tx, uri)
	return nil
}

func (s *memSink) Commit(state []byte) error {
	s.objs, s.state, s.tx = s.tx, state, nil
	s.commits++
	return nil
}

func (s *memSink) Abort() { s.tx = nil }

// snapshot returns a copy of the committed objects.
func (s *memSink) snapshot() map[string][]byte { return maps.Clone(s.objs) }

// lateSink is a memSink that reports a mismatched publish or withdraw only
// at Commit, as a sink that checks changes in bulk does.
type lateSink struct {
	*memSink
	err error
}

func (s *lateSink) Begin(reset bool) error {
	s.err = nil
	return s.memSink.Begin(reset)
}

func (s *lateSink) Publish(uri string, data []byte, replaces *[32]byte) error {
	if err := s.memSink.Publish(uri, data, replaces); err != nil && s.err == nil {
		s.err = err
	}
	return nil
}

func (s *lateSink) Withdraw(uri string, hash [32]byte) error {
	if err := s.memSink.Withdraw(uri, hash); err != nil && s.err == nil {
		s.err = err
	}
	return nil
}

func (s *lateSink) Commit(state []byte) error {
	if s.err != nil {
		s.memSink.Abort()
		return fmt.Errorf("commit: %w", s.err)
	}
	return s.memSink.Commit(state)
}
