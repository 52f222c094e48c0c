package store

import (
	"context"
	"database/sql"
)

// cached is a querier that runs each query through a statement prepared
// once per store (SQLite's parser took about half of a lookup's time), in
// the transaction when there is one.
type cached struct {
	s  *Store
	tx *sql.Tx
}

// cq returns the cached querier of s, inside tx when tx is not nil.
func (s *Store) cq(tx *sql.Tx) cached { return cached{s, tx} }

func (c cached) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.s.stmts.Load(query); ok {
		return c.bind(ctx, st.(*sql.Stmt)), nil
	}
	st, err := c.s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return c.bind(ctx, st), nil
}

func (c cached) bind(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if c.tx != nil {
		return c.tx.StmtContext(ctx, st)
	}
	return st
}

func (c cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		// Let the plain path report the error through the Row.
		if c.tx != nil {
			return c.tx.QueryRowContext(ctx, query, args...)
		}
		return c.s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// closeStmts closes the prepared statements.
func (s *Store) closeStmts() {
	s.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}
