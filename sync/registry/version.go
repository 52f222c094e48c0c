package registry

import (
	"context"
	"fmt"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// metaRecommendedVersion is the meta key of the counter version the
// operator recommends.
const metaRecommendedVersion = "recommended_version"

// RecommendedVersion returns the counter version the registry recommends
// to its terminals ("" when none is set).
func (reg *Registry) RecommendedVersion(ctx context.Context) (string, error) {
	return reg.Meta(ctx, metaRecommendedVersion)
}

// SetRecommendedVersion sets the counter version the registry recommends:
// the last page of every pull carries it, and the counters running an
// older one say so to their technician (nothing installs by itself). An
// empty version stops recommending.
func (reg *Registry) SetRecommendedVersion(ctx context.Context, v string) error {
	if v != "" && !protocol.ValidVersion(v) {
		return fmt.Errorf("recommended version %q: %w: want a version such as 0.2.0 (digits, letters and . + ~ -)", v, ErrRefused)
	}
	return reg.SetMeta(ctx, metaRecommendedVersion, v)
}
