# Triade — the two commands a newcomer needs are `make run` and `make test`.
GO       ?= go
AXE_DIR  := .cache/axe
AXE      := $(AXE_DIR)/node_modules/axe-core/axe.min.js
AXE_VER  := 4.14.1

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: run build generate lint test test-short axe clean bench fuzz image

## run: the development entry point: Triade with its own PostgreSQL in .data/ and the demo data
run:
	@echo "make run is the development entry point (TRIADE_ENV=development: demo accounts, /dev/mail)."
	@echo "Compiling… (the first time takes a few minutes; later starts take seconds)"
	TRIADE_ENV=development $(GO) run ./cmd/triade

## build: compile a static server binary into bin/triade (production: see docs/operations.md)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/triade ./cmd/triade

## generate: regenerate the templ views (the generated files are committed)
generate:
	$(GO) tool templ generate

## lint: formatting, vet, and go.mod/go.sum tidy
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

# image: an OCI image tarball (bin/triade-image.tar) built without a Docker
# daemon: the static binary on an empty base, run as an unprivileged user.
# crane sets the entrypoint through a throwaway registry on 127.0.0.1.
# Load it with `podman load -i` or `docker load -i`.
CRANE      := .cache/bin/crane
IMAGE_REG  ?= 127.0.0.1:5077
$(CRANE):
	GOBIN=$(CURDIR)/.cache/bin $(GO) install github.com/google/go-containerregistry/cmd/crane@v0.22.1
image: build $(CRANE)
	rm -rf bin/image && mkdir -p bin/image/rootfs/usr/local/bin bin/image/rootfs/etc/ssl/certs
	cp bin/triade bin/image/rootfs/usr/local/bin/triade
	if [ -f /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt bin/image/rootfs/etc/ssl/certs/; fi
	printf 'root:x:0:0:root:/:/sbin/nologin\ntriade:x:65532:65532:triade:/:/sbin/nologin\n' > bin/image/rootfs/etc/passwd
	tar -C bin/image/rootfs --owner=0 --group=0 --numeric-owner -cf bin/image/layer.tar .
	@$(CRANE) registry serve --address $(IMAGE_REG) 2>/dev/null & reg=$$!; trap "kill $$reg" EXIT; sleep 1; \
	ref=$(IMAGE_REG)/triade:$(VERSION); \
	$(CRANE) append --oci-empty-base --platform linux/$$($(GO) env GOARCH) -f bin/image/layer.tar -t $$ref >/dev/null && \
	$(CRANE) mutate --entrypoint /usr/local/bin/triade --cmd serve --user 65532:65532 \
		--env ADDR=0.0.0.0:8080 --exposed-ports 8080/tcp $$ref >/dev/null && \
	$(CRANE) pull --format oci $$ref bin/image/oci && tar -C bin/image/oci -cf bin/triade-image.tar . && \
	$(CRANE) config $$ref
	@echo "OCI image: bin/triade-image.tar (triade:$(VERSION))"

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

# package:target:budget. Budgets are execution counts (about 10-20 s each here):
# go1.26's wall-clock -fuzztime can fail spuriously (golang/go#75804).
# `make fuzz FUZZTIME=30s` gives every target the same budget instead.
FUZZ_TARGETS := \
	./internal/domain:FuzzCleanText:500000x \
	./internal/domain:FuzzValidEmail:500000x \
	./internal/domain:FuzzSlug:500000x \
	./internal/domain:FuzzCheckPassword:500000x \
	./web/views:FuzzSynthesisDocument:20000x \
	./web/views:FuzzReportDocument:20000x \
	./web/views:FuzzIndicatorChart:200000x \
	./internal/server:FuzzSlugify:20000x \
	./internal/server:FuzzLogin:1000x \
	./internal/server:FuzzSignup:10000x \
	./internal/server:FuzzInvite:10000x \
	./internal/server:FuzzEngagementForm:10000x \
	./internal/server:FuzzContract:6000x \
	./internal/server:FuzzObjective:6000x \
	./internal/server:FuzzIndicator:8000x \
	./internal/server:FuzzSessionMeta:2000x \
	./internal/server:FuzzJournal:8000x \
	./internal/server:FuzzEvaluation:7000x \
	./internal/server:FuzzRecommendation:3000x \
	./internal/server:FuzzTextForms:3000x \
	./internal/server:FuzzRawForm:2500x

## fuzz: run every fuzz target for a bounded budget; crashers go to testdata/fuzz/<target>/
fuzz:
	@for spec in $(FUZZ_TARGETS); do \
		pkg=$${spec%%:*}; rest=$${spec#*:}; target=$${rest%%:*}; budget=$${FUZZTIME:-$${rest#*:}}; \
		echo "== $$target ($$budget)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$target\$$" -fuzztime $$budget -timeout 10m || exit 1; \
	done
