//go:build !unix

package sqlite_test

import "time"

// cpuTime is not measured here; benchmarks then report 0 CPU per operation.
func cpuTime() time.Duration { return 0 }
