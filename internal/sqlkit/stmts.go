package sqlkit

import (
	"context"
	"database/sql"
	"sync"
)

// Stmts caches prepared statements of one *sql.DB by query text: parsing
// took about half of a lookup's time on the terminal, and more than
// running the pull's queries on a small delta on the registry. It is safe
// for concurrent use; the zero value is not: use NewStmts.
type Stmts struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
}

// NewStmts returns an empty cache of db's statements.
func NewStmts(db *sql.DB) *Stmts { return &Stmts{db: db} }

// Prepare returns the statement of query, preparing it on first use.
// Preparing waits for a free connection, so it happens outside any lock:
// callers holding a connection in a transaction must never queue behind
// it (that deadlocked concurrent first pulls on the registry).
func (c *Stmts) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close closes every cached statement.
func (c *Stmts) Close() {
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}

// Querier is what both *sql.DB and *sql.Tx offer, and Cached too.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// In returns a Querier that runs each query through the cached statement,
// inside tx when tx is not nil.
func (c *Stmts) In(tx *sql.Tx) Cached { return Cached{c, tx} }

// Cached runs queries through a statement cache, in a transaction or not.
type Cached struct {
	c  *Stmts
	tx *sql.Tx
}

func (q Cached) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := q.c.Prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	if q.tx != nil {
		return q.tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// QueryRowContext runs a query that returns at most one row.
func (q Cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := q.stmt(ctx, query)
	if err != nil {
		// Let the plain path report the error through the Row.
		if q.tx != nil {
			return q.tx.QueryRowContext(ctx, query, args...)
		}
		return q.c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a query that returns rows.
func (q Cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// ExecContext runs a statement that returns no rows.
func (q Cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}
