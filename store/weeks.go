package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pickup-terminal/pickup"
)

// KeyComingWeeks is the setting that keeps the centre's coming weeks, as
// the registry last sent them (JSON).
const KeyComingWeeks = "coming_weeks"

// SetComingWeeks keeps the centre's coming weeks from the registry's
// schedule, replacing the previous ones.
func (s *Store) SetComingWeeks(ctx context.Context, weeks []pickup.WeekPlan) error {
	if err := pickup.ValidateWeekPlans(weeks); err != nil {
		return fmt.Errorf("coming weeks: %w", err)
	}
	b, err := json.Marshal(weeks)
	if err != nil {
		return fmt.Errorf("coming weeks: %w", err)
	}
	if err := s.tx(ctx, func(tx *sql.Tx) error { return setSetting(ctx, tx, KeyComingWeeks, string(b)) }); err != nil {
		return fmt.Errorf("coming weeks: %w", err)
	}
	return nil
}

// ComingWeeks returns the centre's coming weeks as the registry last sent
// them (none before the first sync with a registry that sends them).
func (s *Store) ComingWeeks(ctx context.Context) ([]pickup.WeekPlan, error) {
	v, err := getSetting(ctx, s.db, KeyComingWeeks)
	if err != nil || v == "" {
		return nil, err
	}
	var weeks []pickup.WeekPlan
	if err := json.Unmarshal([]byte(v), &weeks); err != nil {
		return nil, fmt.Errorf("coming weeks: %w", err)
	}
	return weeks, nil
}
