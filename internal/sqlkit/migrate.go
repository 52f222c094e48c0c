package sqlkit

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered SQL file ("0001_init.sql", "0002_….sql"); the
// store and the registry each embed their own folder of them, applied in
// order by Migrate with PRAGMA user_version.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// NewSchema is the schema of a kind of database (see Schema) whose
// migrations are dir/*.sql in fsys (see Load).
func NewSchema(appID int32, kind string, fsys fs.FS, dir, damaged string) (Schema, error) {
	ms, err := Load(fsys, dir)
	return Schema{ApplicationID: appID, Kind: kind, Migrations: ms, Damaged: damaged}, err
}

// Version is the schema version of an up-to-date database: its number of
// migrations.
func (s Schema) Version() int { return len(s.Migrations) }

// Load reads dir/*.sql from fsys, ordered by number, and checks that the
// numbers run 1, 2, 3… with no gap or repeat.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", base)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: want version %d, found %s", i+1, m.Name)
		}
	}
	return out, nil
}
