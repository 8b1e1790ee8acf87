# JXC Edge — the README's commands. Needs only Go on a Debian machine; the
# test target installs and starts what the tests need (Mosquitto, PostgreSQL).
GO        ?= go
PKGS      ?= ./...
# The race detector needs cgo, so a C compiler; without one the tests run without it.
RACE      := $(shell command -v gcc >/dev/null 2>&1 && echo -race)
TESTFLAGS ?= $(RACE) -count=1 -timeout 25m
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/jxc-edge/jxc/cmd/internal/cli.Version=$(VERSION)

.PHONY: demo test bench build vet fuzz generate web

## demo: run the one-command demo (embedded broker, cloud on SQLite, three agents)
demo:
	@bash scripts/services.sh fonts || echo "demo: no CJK font installed: printing documents as PDF will answer 503 no_font"
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/jxc demo $(ARGS)

## test: vet, then every test against the real Mosquitto and PostgreSQL
test:
	@set -e; env=$$(bash scripts/services.sh); eval "$$env"; \
	$(GO) vet $(PKGS); \
	$(GO) test $(TESTFLAGS) $(PKGS); \
	if [ "$$JXC_USB" = 1 ]; then \
		echo "USB scanner driver (cgo, -tags usb):"; \
		$(GO) vet -tags usb ./drivers/scanner/...; \
		$(GO) test -tags usb $(TESTFLAGS) ./drivers/scanner/...; \
	fi

## bench: benchmarks with the raw engine limits measured in the same run, and the ratios
## (cloud/sqlite and cloud/postgres: BenchmarkDocProgress over JXC_BENCH_DOC_MOVES movements, default 1,000,000)
bench:
	@set -e; env=$$(bash scripts/services.sh); eval "$$env"; \
	$(GO) test -run '^$$' -bench . -count 1 -timeout 30m \
		./syncproto ./agent/sqlite ./agent/gate ./cloud/sqlite ./cloud/postgres ./cloud/httpapi ./cloud/masterdata/importx ./e2e ./cmd/internal/cloudapp | tee bench.out; \
	$(GO) run ./scripts/benchreport < bench.out

## build: the three binaries into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

vet:
	$(GO) vet $(PKGS)

## fuzz: run each fuzzer for FUZZTIME (default 30s)
FUZZTIME ?= 30s
FUZZPKGS ?= ./syncproto ./internal/httpx ./firmware-configs ./drivers/llrp ./drivers/gs1 ./drivers/scale ./drivers/scanner ./cloud/masterdata/importx
fuzz:
	@for p in $(FUZZPKGS); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep ^Fuzz); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; done; done

## generate: regenerate the protobuf code (needs protoc: apt-get install protobuf-compiler)
generate:
	$(GO) generate ./syncproto/...

## web: build web/ — the console into cloud/webui/dist and the handheld pages into
## agent/webui/dist (commit both; cloud/webui's test checks that each is what web/
## builds to). Needs node and npm.
web:
	cd web && npm ci --no-audit --no-fund && npm run build
