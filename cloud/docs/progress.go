package docs

import (
	"context"
	"log/slog"
	"time"
)

// ProgressBatch is how many events one projection step reads.
const ProgressBatch = 5000

// ProjectProgress runs projection steps until the projection has caught
// up with every replica's watermark, and returns how many events it read
// and the documents whose status moved. Several cloud processes may run
// it at once: the store serializes the steps.
func (s *Service) ProjectProgress(ctx context.Context) (events int, changed []Changed, err error) {
	for {
		p, err := s.store.ProjectProgress(ctx, ProgressBatch)
		if err != nil {
			return events, changed, err
		}
		events += p.Events
		changed = append(changed, p.Changed...)
		if p.Events == 0 && p.Replicas == 0 {
			return events, changed, nil
		}
	}
}

// RebuildProgress recomputes every document line's progress from the
// whole event log; the result equals what the incremental steps made.
func (s *Service) RebuildProgress(ctx context.Context) error {
	return s.store.RebuildProgress(ctx)
}

// RunProgress follows the event log behind ingest, every interval, until
// ctx ends; wake (may be nil) runs a step at once (ingest signals it after
// a commit). Failures are logged and retried at the next interval.
func (s *Service) RunProgress(ctx context.Context, every time.Duration, wake <-chan struct{}, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "docs-progress")
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, changed, err := s.ProjectProgress(ctx); err != nil && ctx.Err() == nil {
			log.Warn("document progress", "err", err)
		} else {
			for _, c := range changed {
				log.Info("document status", "tenant", c.Tenant, "number", c.Number, "from", c.From, "to", c.To)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
