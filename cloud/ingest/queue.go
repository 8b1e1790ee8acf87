package ingest

import (
	"context"
	"sync"
)

// queue is one worker's backlog of messages. The MQTT handler only ever
// pushes without waiting: a full queue refuses the message (the replica
// sends it again after its ack timeout), so a worker stuck on one replica,
// retrying a database that is down, never holds up the handler and with
// it every other worker's replicas.
type queue struct {
	mu       sync.Mutex
	msgs     []message
	bytes    int
	maxBytes int
	ready    chan struct{} // receives (coalesced) after a push
}

func newQueue(maxBytes int) *queue {
	return &queue{maxBytes: maxBytes, ready: make(chan struct{}, 1)}
}

// push adds m and reports whether it fit. An empty queue takes any
// message, so one larger than maxBytes is not refused forever.
func (q *queue) push(m message) bool {
	q.mu.Lock()
	if len(q.msgs) > 0 && q.bytes+len(m.payload) > q.maxBytes {
		q.mu.Unlock()
		return false
	}
	q.msgs = append(q.msgs, m)
	q.bytes += len(m.payload)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop returns the oldest message, waiting for one; false once ctx is done.
func (q *queue) pop(ctx context.Context) (message, bool) {
	for {
		q.mu.Lock()
		if len(q.msgs) > 0 {
			m := q.msgs[0]
			q.msgs[0] = message{}
			q.msgs = q.msgs[1:]
			if len(q.msgs) == 0 {
				q.msgs = nil // let the backing array go
			}
			q.bytes -= len(m.payload)
			q.mu.Unlock()
			return m, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return message{}, false
		case <-q.ready:
		}
	}
}
