package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Group commit: pushes that arrive together are recorded in one write
// transaction, each in its own savepoint (one push's failure rolls back
// only that push), so that 200 terminals pushing at once cost one fsync
// per group instead of one each, and wait in arrival order.

// pushJob is one push waiting for the committer.
type pushJob struct {
	ctx     context.Context
	caller  Caller
	revoked map[string]bool // revoked terminals of the centre whose facts it carries
	events  []pickup.Event
	via     string
	nonce   string
	expires time.Time
	results []protocol.PushResult
	err     error
	done    chan struct{}
}

// Bounds of one group.
const (
	maxGroupJobs   = 256
	maxGroupEvents = 2 * protocol.MaxPushEvents
)

// ErrClosed is returned for a push after Close.
var ErrClosed = errors.New("registry closed")

func (reg *Registry) startCommitter() {
	reg.jobs = make(chan *pushJob, maxGroupJobs)
	reg.quit = make(chan struct{})
	reg.stopped = make(chan struct{})
	go reg.commitLoop()
}

// submit queues a push and waits for its answer (or ctx: the push may
// still be recorded, which a retry will find as duplicates).
func (reg *Registry) submit(ctx context.Context, j *pushJob) error {
	select {
	case reg.jobs <- j:
	case <-reg.quit:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("push: %w", ctx.Err())
	}
	select {
	case <-j.done:
		return nil
	case <-reg.stopped:
		select {
		case <-j.done:
			return nil
		default:
			return ErrClosed
		}
	case <-ctx.Done():
		return fmt.Errorf("push: %w", ctx.Err())
	}
}

func (reg *Registry) commitLoop() {
	defer close(reg.stopped)
	for {
		var first *pushJob
		select {
		case first = <-reg.jobs:
		case <-reg.quit:
			// Answer whatever is still queued.
			for {
				select {
				case j := <-reg.jobs:
					j.err = ErrClosed
					close(j.done)
				default:
					return
				}
			}
		}
		group := []*pushJob{first}
		n := len(first.events)
	fill:
		for len(group) < maxGroupJobs && n < maxGroupEvents {
			select {
			case j := <-reg.jobs:
				group = append(group, j)
				n += len(j.events)
			default:
				break fill
			}
		}
		reg.commitGroup(group)
	}
}

func (reg *Registry) commitGroup(group []*pushJob) {
	ctx := context.Background()
	now := reg.now()
	err := reg.write(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM nonces WHERE expires_at < ?", now.UnixMilli()); err != nil {
			return err
		}
		for _, j := range group {
			if err := j.ctx.Err(); err != nil {
				j.err = err // the caller gave up before its turn
				continue
			}
			head, dirty := tx.head, tx.dirty
			if _, err := tx.ExecContext(ctx, "SAVEPOINT push"); err != nil {
				return err
			}
			j.results, j.err = reg.pushTx(ctx, tx, j, now)
			if j.err != nil {
				j.results = nil
				tx.head, tx.dirty = head, dirty
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO push"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE push"); err != nil {
				return err
			}
		}
		return nil
	})
	for _, j := range group {
		if err != nil && j.err == nil {
			j.results, j.err = nil, err
		}
		close(j.done)
	}
}
