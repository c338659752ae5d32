# rpm-buildroot: composition only. Every target calls the tools or cargo.
#   make demo    the whole workflow from the fixture's content-resolver configs, twice (a changed
#                input the second time: changes.md), into $(WORK)/current and $(WORK)/last
#   make test    run every test (what CI runs)
#   make bench   print the performance table (Fedora-scale data: make bench-data first;
#                SPEC_CORPUS=DIR the spec evaluator, SRPM_SET=DIR the archful steps: make srpm-set)
#   make verify  step 10 on $(WORK)/current: can compose + ELN-Buildroot workload build everything?
#                (with the configuration and content-resolver configs that run was made with)

CARGO ?= cargo
WORK ?= work
# Where cargo puts what it builds: the scripts look there too (CARGO_TARGET_DIR, as cargo reads it).
TARGET_DIR = $(or $(CARGO_TARGET_DIR),target)

.PHONY: all build release test lint demo verify bench bench-data fuzz clean testdata spec-corpus srpm-set

all: build

build:
	$(CARGO) build --workspace --all-targets

release:
	$(CARGO) build --release --workspace

test: build
	$(CARGO) test --workspace --no-fail-fast
	scripts/e2e-test.sh "$(TARGET_DIR)/debug"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

testdata:
	$(CARGO) run -q -p testdata-gen -- testdata

demo: release
	scripts/demo.sh --work "$(WORK)"

verify: release
	scripts/buildroot-workflow.sh --work "$(WORK)" --verify-only

bench-data:
	scripts/bench-data.sh

bench: release
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh

clean:
	$(CARGO) clean
	rm -rf "$(WORK)"

# The spec evaluator against rpmspec on a corpus of specs (not part of `make test`):
#   make spec-corpus SPECS=/path/to/specs [SAMPLE=N [OFFSET=K]] [MACROS=DIR] [RPM_ROOT=DIR]
#   (RPM_ROOT: a newer rpm to compare with, made by scripts/debian-rpm-root.sh; docs/archful.md)
spec-corpus:
	@[ -n "$(SPECS)" ] || { echo "make spec-corpus: give SPECS=/path/to/specs (docs/archful.md)" >&2; exit 2; }
	scripts/spec-corpus.sh "$(SPECS)"

# A set of real SRPMs from a spec corpus, for make bench SRPM_SET=DIR (not part of make test):
#   make srpm-set SPECS=/path/to/specs SRPM_SET=DIR [SAMPLE=N]   (docs/benchmark.md)
srpm-set:
	@[ -n "$(SPECS)" ] && [ -n "$(SRPM_SET)" ] || { echo "make srpm-set: give SPECS=/path/to/specs SRPM_SET=DIR (docs/benchmark.md)" >&2; exit 2; }
	scripts/srpm-set.sh "$(SPECS)" "$(SRPM_SET)"
