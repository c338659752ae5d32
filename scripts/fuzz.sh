#!/usr/bin/env bash
# Runs every cargo-fuzz target for FUZZ_SECONDS (default 60) each.
#   scripts/fuzz.sh [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The stable toolchain is used with
# RUSTC_BOOTSTRAP=1 for the sanitizer flags. Crashes land in fuzz/artifacts/<target>/;
# turn each into a regression test before fixing it. fuzz/dicts/<target>.dict, when there is
# one, is passed as libFuzzer's -dict.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2; exit 2; }
secs=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz 2>/dev/null)
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  seeds=(); [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  extra=()
  # A dictionary of the tokens the target's new paths need (bytes random mutation seldom
  # makes: U+2028, a BOM mid-file, proxy_sslcacert=), when the target has one.
  dict=(); [ -f "fuzz/dicts/$t.dict" ] && dict=(-dict="fuzz/dicts/$t.dict")
  # The rpm crate (0.30) allocates a cpio entry's claimed name size (up to 4 GB, zeroed, so
  # never touched) before checking it; a regression test covers it
  # (srpm_cpio_entry_with_huge_name_is_an_error). Let libFuzzer's malloc limit pass it.
  case "$t" in srpm_header | srpm_repodata) extra=(-malloc_limit_mb=4400) ;; esac
  # The spec target keeps %(...) sandboxes between inputs (spec/shell_pool.rs), each with a
  # reader thread that holds a 64 KB buffer while it waits; LeakSanitizer's check after an
  # input once reported that buffer as leaked (2026-12-05, docs/fuzzing.md). Not a leak:
  # leak detection is off for this target, and for lua (the same evaluator).
  case "$t" in spec | lua) extra=(-detect_leaks=0) ;; esac
  extra+=("${dict[@]}")
  echo "== fuzz $t for ${secs}s" >&2
  cargo fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$secs" -print_final_stats=1 "${extra[@]}" 2>&1 | grep -aE 'stat::number_of_executed_units|ERROR|panicked|SUMMARY' || true
done
