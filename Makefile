# Pickup: the counter terminal (bin/pickup, cgo for Fyne) and the reference
# registry (bin/pickup-registry, pure Go). See README.md.
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

.PHONY: build pickup registry test run screenshots clean

build: pickup registry

pickup:
	$(GO) build -o bin/pickup ./app

registry:
	CGO_ENABLED=0 $(GO) build -o bin/pickup-registry ./sync/registry/cmd/pickup-registry

test:
	./scripts/test.sh

run:
	./scripts/run.sh

screenshots:
	./scripts/screenshots.sh

clean:
	rm -rf bin screenshots
