# The two commands of README.md: `make run` starts the whole system, `make test` runs every test.
N ?= 10

.PHONY: run test test-repeat lint format build deps generate check-generated bench bench-ingest bench-alerting bench-detection bench-gateway fuzz clean

run:
	scripts/run-system.sh

test:
	scripts/test.sh

# swift format with the committed .swift-format: lint checks (make test runs it first), format rewrites.
lint:
	scripts/lint.sh

format:
	scripts/lint.sh --fix

# Builds once and runs the suite N times (make test-repeat N=10; CPUS=0 pins it to one core).
test-repeat:
	scripts/test-repeat.sh $(N)

# libFuzzer harnesses of Fuzz/ under AddressSanitizer, FUZZ_SECONDS (default 60) per target; prints
# executions, coverage and findings (see Fuzz/README.md).
fuzz:
	scripts/fuzz.sh

deps:
	scripts/install-deps.sh

build: deps
	swift build

# Regenerates protoc-c C code and Swift message types after a change under Proto/.
generate: deps
	Proto/generate.sh

check-generated: deps
	Proto/generate.sh --check

# Release-built RPC benchmark; prints figures (see README.md, Benchmarks).
bench: deps
	swift build -c release --product rpc-bench
	.build/release/rpc-bench

bench-ingest: deps
	swift build -c release --product ingest-bench
	.build/release/ingest-bench

bench-alerting: deps
	swift build -c release --product alerting-bench
	.build/release/alerting-bench

# detection-bench compares with scikit-learn through the test venv (scripts/python-venv.sh).
bench-detection: deps
	scripts/python-venv.sh
	swift build -c release --product detection-bench
	.build/release/detection-bench

# The public gateway beside the seed's design (../shared/seedref), measured in the same run: REST ingest,
# dashboard statistics and reading-to-WebSocket-alert latency; prints figures, ratios and targets.
bench-gateway: deps
	scripts/bench-gateway.sh

# The default detector on a simulated week of the demo fleet with injected faults, end to end (release
# build, the whole system, the simulator's backfill): false alerts per machine-week, faults detected
# before they end, lead time, the sensor each alert names; prints a table against the goals.
.PHONY: evaluate-detection
evaluate-detection: deps
	scripts/evaluate-detection.sh

clean:
	rm -rf .build
