package docs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// ProgressBatch is how many events one projection step reads.
const ProgressBatch = 5000

// ProjectProgress runs projection steps until the projection has caught
// up with every replica's watermark, and returns what they did in all:
// how many events they read, the documents whose status moved, those
// made from edge documents and the edge documents refused. Several cloud
// processes may run it at once: the store serializes the steps.
func (s *Service) ProjectProgress(ctx context.Context) (Projected, error) {
	var all Projected
	for {
		p, err := s.store.ProjectProgress(ctx, ProgressBatch, s.fromEdge)
		if err != nil {
			return all, err
		}
		all.Events += p.Events
		all.Moves += p.Moves
		all.Changed = append(all.Changed, p.Changed...)
		all.Made = append(all.Made, p.Made...)
		all.Refused = append(all.Refused, p.Refused...)
		for tenant, recs := range p.Published {
			if s.publish != nil {
				s.publish(ctx, tenant, recs)
			}
		}
		s.refused.Add(int64(len(p.Refused)))
		if p.Events == 0 && p.Replicas == 0 {
			return all, nil
		}
	}
}

// RebuildProgress recomputes every document line's progress from the
// whole event log; the result equals what the incremental steps made.
func (s *Service) RebuildProgress(ctx context.Context) error {
	return s.store.RebuildProgress(ctx, s.fromEdge)
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
		if p, err := s.ProjectProgress(ctx); err != nil && ctx.Err() == nil {
			log.Warn("document progress", "err", err)
		} else {
			for _, r := range p.Refused {
				log.Warn("edge document refused", "reason", r)
			}
			for _, n := range p.Made {
				log.Info("document from the edge", "number", n)
			}
			for _, c := range p.Changed {
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

// WriteMetrics writes the projection's counters in the Prometheus text
// format: the edge documents it refused (a payload that does not decode).
func (s *Service) WriteMetrics(w io.Writer) {
	fmt.Fprintf(w, "# HELP jxc_cloud_edge_documents_refused_total Edge documents the projection could not make a document of.\n")
	fmt.Fprintf(w, "# TYPE jxc_cloud_edge_documents_refused_total counter\njxc_cloud_edge_documents_refused_total %d\n", s.refused.Load())
}
