# Triade — the two commands a newcomer needs are `make run` and `make test`.
GO       ?= go
AXE_DIR  := .cache/axe
AXE      := $(AXE_DIR)/node_modules/axe-core/axe.min.js
AXE_VER  := 4.14.1

.PHONY: run build generate lint test test-short axe clean bench fuzz

## run: start Triade with its own PostgreSQL in .data/ (demo data on first start)
run:
	TRIADE_ENV=development $(GO) run ./cmd/triade

## build: compile the server into bin/triade
build:
	$(GO) build -o bin/triade ./cmd/triade

## generate: regenerate the templ views (the generated files are committed)
generate:
	$(GO) tool templ generate

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## test: every test, against a private PostgreSQL and (if installed) Chromium
test: axe
	AXE_JS=$(CURDIR)/$(AXE) $(GO) test -count=1 -p 2 -timeout 25m ./...

## test-short: the tests without the browser
test-short:
	$(GO) test -count=1 -short ./...

# axe-core audits every page in the browser tests; fetched from npm once.
axe: $(AXE)
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(AXE_DIR) axe-core@$(AXE_VER) || echo "axe-core could not be installed: browser tests will say so"; \
	else echo "npm not found: browser tests will skip the axe-core audit"; fi

clean:
	rm -rf bin .cache

## bench: generate a small and a large dataset, load the main pages, print the figures
bench:
	$(GO) run ./cmd/triadebench $(BENCHFLAGS)
