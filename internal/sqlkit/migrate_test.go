package sqlkit

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	good := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/README.md":     {Data: []byte("not a migration")},
	}
	ms, err := Load(good, "m")
	if err != nil || len(ms) != 2 || ms[0].SQL != "A" || ms[1].Name != "0002_more.sql" || ms[1].Version != 2 {
		t.Fatalf("Load = %+v, %v", ms, err)
	}
	sc, err := NewSchema(7, "test database", good, "m", "restore it")
	if err != nil || sc.Version() != 2 || sc.ApplicationID != 7 || sc.Kind != "test database" || sc.Damaged != "restore it" || sc.Migrations[1].SQL != "B" {
		t.Fatalf("NewSchema = %+v (version %d), %v", sc, sc.Version(), err)
	}
	bad := []fstest.MapFS{
		{"m/0001_a.sql": {}, "m/0003_c.sql": {}}, // gap
		{"m/0001_a.sql": {}, "m/01_b.sql": {}},   // repeat
		{"m/init.sql": {}},                       // no number
	}
	for i, fsys := range bad {
		if _, err := Load(fsys, "m"); err == nil {
			t.Errorf("case %d: Load accepted %v", i, fsys)
		}
		if _, err := NewSchema(7, "test database", fsys, "m", ""); err == nil {
			t.Errorf("case %d: NewSchema accepted %v", i, fsys)
		}
	}
}
