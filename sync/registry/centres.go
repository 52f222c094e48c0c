package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// checkText refuses empty (when required), over-long, non-UTF-8 or
// control-character text.
func checkText(field, v string, required bool) error {
	switch {
	case required && v == "":
		return fmt.Errorf("%s is empty", field)
	case len(v) > pickup.MaxNameLen:
		return fmt.Errorf("%s longer than %d bytes", field, pickup.MaxNameLen)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not UTF-8", field)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%s has control characters", field)
	}
	return nil
}

func validateCentre(c pickup.Centre) error {
	if !pickup.ValidID(c.ID) {
		return fmt.Errorf("centre id %q: want 1 to 64 of A-Z a-z 0-9 _ -", c.ID)
	}
	if err := checkText("name", c.Name, true); err != nil {
		return err
	}
	if err := checkText("address", c.Address, false); err != nil {
		return err
	}
	return checkText("hours", c.Hours, false)
}

// AddCentre adds a distribution centre; an existing id is ErrExists.
func (reg *Registry) AddCentre(ctx context.Context, c pickup.Centre) error {
	if err := validateCentre(c); err != nil {
		return fmt.Errorf("add centre: %w: %v", ErrRefused, err)
	}
	err := reg.write(ctx, func(tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM centres WHERE id = ?", c.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("centre %s %w (centre import updates existing centres)", c.ID, ErrExists)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO centres (id, name, address, hours, created_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
			c.ID, c.Name, c.Address, c.Hours, fmtTime(reg.now()), tx.next())
		return err
	})
	if err != nil {
		return fmt.Errorf("add centre: %w", err)
	}
	return nil
}

// upsertCentre adds or updates a centre; it reports whether anything
// changed.
func (reg *Registry) upsertCentre(ctx context.Context, tx *wtx, c pickup.Centre) (bool, error) {
	var old pickup.Centre
	err := tx.QueryRowContext(ctx, "SELECT name, address, hours FROM centres WHERE id = ?", c.ID).Scan(&old.Name, &old.Address, &old.Hours)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, "INSERT INTO centres (id, name, address, hours, created_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
			c.ID, c.Name, c.Address, c.Hours, fmtTime(reg.now()), tx.next())
		return true, err
	case err != nil:
		return false, err
	}
	old.ID = c.ID
	if old == c {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE centres SET name = ?, address = ?, hours = ?, seq = ? WHERE id = ?",
		c.Name, c.Address, c.Hours, tx.next(), c.ID)
	return true, err
}

// CentreCSVColumns are the columns of a centre list.
var CentreCSVColumns = []string{"id", "name", "address", "hours"}

// ImportCentres adds or updates the centres of a CSV list (header
// id,name,address,hours; address and hours may be empty). A bad row is
// reported with its line number and nothing is imported. It returns the
// number of centres added or changed.
func (reg *Registry) ImportCentres(ctx context.Context, r io.Reader) (int, error) {
	var centres []pickup.Centre
	err := pickup.ReadCSV(r, CentreCSVColumns[:2], func(line int, field func(string) string) error {
		c := pickup.Centre{ID: field("id"), Name: field("name"), Address: field("address"), Hours: field("hours")}
		if err := validateCentre(c); err != nil {
			return &pickup.RowError{Line: line, Err: err}
		}
		centres = append(centres, c)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import centres: %w: %w", ErrRefused, err)
	}
	changed := 0
	err = reg.write(ctx, func(tx *wtx) error {
		for _, c := range centres {
			ch, err := reg.upsertCentre(ctx, tx, c)
			if err != nil {
				return err
			}
			if ch {
				changed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import centres: %w", err)
	}
	return changed, nil
}

// Centres returns every centre, by id.
func (reg *Registry) Centres(ctx context.Context) ([]pickup.Centre, error) {
	out, err := sqlkit.Query(ctx, reg.r, func(row sqlkit.Scanner) (pickup.Centre, error) {
		var c pickup.Centre
		err := row.Scan(&c.ID, &c.Name, &c.Address, &c.Hours)
		return c, err
	}, "SELECT id, name, address, hours FROM centres ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list centres: %w", err)
	}
	return out, nil
}

// Centre returns one centre.
func (reg *Registry) Centre(ctx context.Context, id string) (pickup.Centre, error) {
	c := pickup.Centre{ID: id}
	err := reg.r.QueryRowContext(ctx, "SELECT name, address, hours FROM centres WHERE id = ?", id).Scan(&c.Name, &c.Address, &c.Hours)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("centre %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read centre: %w", err)
	}
	return c, nil
}
