# Pickup: the counter terminal (bin/pickup, cgo for Fyne) and the reference
# registry (bin/pickup-registry, pure Go). See README.md.
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

.PHONY: build pickup registry test run screenshots packages packages-check clean

# The version and commit stamped into both binaries (pickup --version); the
# same flags as scripts/package.sh but the build id, so that `make build`
# warms the build cache for `make packages`.
VERSION := $(shell ./scripts/version.sh)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
BUILDINFO := github.com/pickup-terminal/pickup/internal/buildinfo
LDFLAGS := -X $(BUILDINFO).Version=$(VERSION) -X $(BUILDINFO).Commit=$(COMMIT)

build: pickup registry

pickup:
	$(GO) build -trimpath -buildmode=pie -ldflags '$(LDFLAGS)' -o bin/pickup ./app

registry:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/pickup-registry ./sync/registry/cmd/pickup-registry

# dist/: the .debs, the Windows executables and installer, SHA256SUMS
# (scripts/package.sh; --deb for the .debs alone).
packages:
	./scripts/package.sh

# Everything make packages builds, then its tests (as root: the .debs
# installed in a fresh Debian root; the Windows files rebuilt and signed with
# a throwaway certificate). CI runs the .deb part only (scripts/test.sh).
packages-check: packages
	PICKUP_DIST=dist PICKUP_TEST_WINDOWS=1 CGO_ENABLED=0 $(GO) test -count=1 -timeout 60m -v ./packaging/

test:
	./scripts/test.sh

run:
	./scripts/run.sh

screenshots:
	./scripts/screenshots.sh

clean:
	rm -rf bin screenshots dist
