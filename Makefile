# Sprout — build, test, demo and benchmarks.
# `make demo` and `make test` work on a fresh Debian machine with the Swift toolchain: system packages
# that are missing (libyaml-dev, libopenblas-dev, libsqlite3-dev, zlib1g-dev; chromium and tmux for the tests) are installed
# through apt-get first, and the tests' Python readers (TensorBoard, pandas, polars) into .venv-test from PyPI.

SWIFT ?= swift
SECONDS ?= 60
CONFIG ?= debug
SPROUT = .build/$(CONFIG)/sprout
# Release builds link the Swift runtime and Foundation statically: `sprout` starts in ~4 ms instead of ~9 ms and
# runtime calls skip the PLT (bench/lint/RESULTS.md). Every release build uses the same flags, so they share one
# build directory instead of rebuilding each other.
RELEASE = $(SWIFT) build -c release --static-swift-stdlib

.PHONY: all deps test-deps build release test test-release test-slurm sanitize demo bench fuzz docs clean

all: build

# System libraries: libyaml for the parser, OpenBLAS for the blas backend (loaded at run time), SQLite for the
# run index (through GRDB), zlib for gzip-compressed data files (MNIST's .gz IDX files).
deps:
	@need=""; \
	pkg-config --exists yaml-0.1 2>/dev/null || need="$$need libyaml-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || need="$$need libsqlite3-dev"; \
	pkg-config --exists zlib 2>/dev/null || need="$$need zlib1g-dev"; \
	{ ldconfig -p 2>/dev/null | grep -q 'libopenblas.so.0'; } || need="$$need libopenblas-dev"; \
	command -v pkg-config >/dev/null 2>&1 || need="pkg-config $$need"; \
	if [ -n "$$need" ]; then \
	  echo "Installing:$$need"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

# What the tests check Sprout's output with: headless Chromium renders the HTML report, tmux is the real terminal
# of the progress display, and .venv-test holds TensorBoard's event reader, pandas, polars, NumPy and SciPy.
test-deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v tmux >/dev/null 2>&1 || need="$$need tmux"; \
	python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need="$$need python3-venv"; \
	if [ -n "$$need" ]; then \
	  echo "Installing:$$need"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need; \
	fi
	./scripts/test-venv.sh

test: deps test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2 --skip SproutSlurmTests

# The Slurm tests, against a single-node cluster on localhost that scripts/slurm-up.sh brings up from Debian's
# packages (needs root) and scripts/slurm-down.sh takes down again, also when a test fails (docs/cluster.md).
SLURM_DIR ?= /tmp/sprout-slurm
test-slurm: deps
	$(SWIFT) build --build-tests
	@trap 'SPROUT_SLURM_DIR=$(SLURM_DIR) ./scripts/slurm-down.sh' EXIT; \
	SPROUT_SLURM_DIR=$(SLURM_DIR) ./scripts/slurm-up.sh && \
	SLURM_CONF=$(SLURM_DIR)/slurm.conf SPROUT_SLURM_TESTS=1 $(SWIFT) test --skip-build --filter SproutSlurmTests

# The suites that exercise raw memory — the tensor kernels and the worker pool, the trainer, the data readers, the
# executor with several jobs, the store's claims and atomic writes, the results' parallel readers — under
# AddressSanitizer, and the ones that run threads — the worker pool (SproutTensorTests), the executor with --jobs,
# the store's claims, atomic writes and the run recorder's deferred flush (SproutRunTests), the results' parallel
# readers (SproutResultsTests) — under ThreadSanitizer, each in a build directory of its own (.build-asan,
# .build-tsan: a full build each, which is why `make test` does not do this). The trainer and the file readers run
# on one thread, so TSan has nothing to check there that the runs do not cover. Any report fails the target
# (docs/testing.md). SPROUT_NO_LLVM_INTRINSICS: the compiler cannot build the CPU hints under TSan
# (Sources/SproutTensor/CPU/CPUHint.swift).
SANITIZE_SUITES ?= SproutTensorTests|SproutTrainTests|SproutFormatsTests|SproutRunTests|SproutResultsTests
TSAN_SUITES ?= SproutTensorTests|SproutRunTests|SproutResultsTests
sanitize: deps test-deps
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize address
	ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 SWIFT_BACKTRACE=enable=no \
	  $(SWIFT) test --skip-build --scratch-path .build-asan --filter '$(SANITIZE_SUITES)'
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize thread -Xswiftc -DSPROUT_NO_LLVM_INTRINSICS
	TSAN_OPTIONS=halt_on_error=1 SWIFT_BACKTRACE=enable=no \
	  $(SWIFT) test --skip-build --scratch-path .build-tsan --filter '$(TSAN_SUITES)'

# Every example and documented spec, linted, planned and run (short) by the release build: the suite runs the debug
# build, and the optimiser once miscompiled an error path that only the release build took (docs/testing.md).
RELEASE_SUITES ?= ExamplesRunTests|DocumentedSpecsTests
test-release: deps test-deps
	$(RELEASE) --product sprout
	$(SWIFT) build --build-tests
	SPROUT_TEST_BINARY=$(CURDIR)/.build/release/sprout \
	  $(SWIFT) test --skip-build --parallel --num-workers 2 --filter '$(RELEASE_SUITES)'

demo: deps
	$(RELEASE) --product sprout
	./scripts/demo.sh .build/release/sprout

bench: deps
	./bench/run.sh

fuzz: deps
	./fuzz/run.sh $(SECONDS)

# Regenerates the files made from the catalogues (tests fail when they are stale).
docs: build
	$(SPROUT) generate-docs --root .

clean:
	rm -rf .build .build-* .sprout .venv-test
