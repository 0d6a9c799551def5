# Cinnabar's front door. `make help` lists the targets.
GO      ?= go
BIN     := bin/cinnabar
REDIS_GIT ?= /work/.mirror/redis+redis/repo

.PHONY: help build run test race lint fuzz bench bench-mem compat clean

help:
	@echo "build      build $(BIN)"
	@echo "run        run the server (go run ./cmd/cinnabar)"
	@echo "test       go test ./..."
	@echo "race       go test -race ./... (the README's test command; CI runs it)"
	@echo "lint       gofmt + go vet"
	@echo "fuzz       longer fuzz runs of the decoders: RESP, RDB, key specs, lists (FUZZTIME=2m each)"
	@echo "bench      redis-benchmark side by side with Debian's redis-server (ROUNDS=3)"
	@echo "bench-mem  RSS per key / per element vs redis-server"
	@echo "compat     Redis 7.0.15's TCL suite against Cinnabar (UNITS=...)"

build:
	$(GO) build -o $(BIN) ./cmd/cinnabar

run:
	$(GO) run ./cmd/cinnabar

test:
	$(GO) test ./...

race:
	$(GO) test -race ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

FUZZTIME ?= 2m
# Minimizing a new interesting input of tens of KB (FuzzReader's seeds have a
# 40 KB argument) took the whole run at the default 60 s, with no execs meanwhile.
FUZZFLAGS = -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader $(FUZZFLAGS) ./internal/resp
	$(GO) test -run '^$$' -fuzz FuzzShortHeader $(FUZZFLAGS) ./internal/resp
	$(GO) test -run '^$$' -fuzz FuzzDecode $(FUZZFLAGS) ./internal/rdb
	$(GO) test -run '^$$' -fuzz FuzzLoad $(FUZZFLAGS) ./internal/rdb
	$(GO) test -run '^$$' -fuzz FuzzKeys $(FUZZFLAGS) ./internal/command/meta
	$(GO) test -run '^$$' -fuzz FuzzListOps $(FUZZFLAGS) ./internal/types/list

bench: build
	bash bench/pubsub.sh
	bash bench/bench.sh

bench-mem: build
	bash bench/mem.sh

compat: build
	REDIS_GIT=$(REDIS_GIT) bash scripts/compat.sh

clean:
	rm -rf bin
