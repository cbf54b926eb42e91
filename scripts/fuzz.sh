#!/usr/bin/env bash
# Coverage-guided fuzzing of the compiler and the Rust wire decoder (cargo-fuzz, libFuzzer),
# then the TS decoders' fuzz loop, each for the given time (docs/reliability.md, "Fuzzing").
# Not part of scripts/test-all.sh: it runs for minutes per target. The regression inputs under
# fuzz/regressions/ are replayed by the ordinary test suite.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Targets: compile_bytes compile_grammar wire_decode frontend_decode value_decode ts (default:
# all, in turn).
# Environment: FUZZ_JOBS=2 runs two libFuzzer targets at a time (default 1).
#
# libFuzzer needs nightly compiler flags; with only a stable toolchain installed, this sets
# RUSTC_BOOTSTRAP=1 so that stable rustc accepts them (the fuzz crate is outside the workspace,
# so nothing else is built this way). A crasher is written to fuzz/artifacts/<target>/; turn
# it into a regression test by copying it to fuzz/regressions/<target>/ (see fuzz/README.md).
set -euo pipefail

seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(compile_bytes compile_grammar wire_decode frontend_decode value_decode ts)
fi
jobs="${FUZZ_JOBS:-1}"

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export RUSTC_BOOTSTRAP=1
logs="fuzz/logs"
mkdir -p "$logs"
: > "$logs/build.log"

rust_targets=()
run_ts=0
for t in "${targets[@]}"; do
  if [ "$t" = ts ]; then run_ts=1; else rust_targets+=("$t"); fi
done

if [ "${#rust_targets[@]}" -gt 0 ]; then
  if ! command -v cargo-fuzz > /dev/null; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
  # -s none: no AddressSanitizer (the code under test is safe Rust; without it each target
  # runs several times faster). -a: debug assertions, so integer overflow panics.
  # The compile targets are built without comparison tracing, in their own target folder: the
  # generators compile their handlebars templates on every call, and pest's per-token
  # `Position::line_col` then ran mostly in libFuzzer's comparison hooks (80 % of the time, at
  # 3 inputs/s); the grammar-aware mutator does the steering that tracing would. The wire
  # targets keep full instrumentation.
  for t in "${rust_targets[@]}"; do
    case "$t" in
      compile_*) flags=(--no-trace-compares --target-dir fuzz/target/compile) ;;
      *) flags=() ;;
    esac
    echo "building $t"
    cargo fuzz build -s none -a "${flags[@]}" "$t" 2>> "$logs/build.log" || {
      tail -30 "$logs/build.log"
      exit 1
    }
  done
  node fuzz/seed.mjs
fi

run_one() {
  local target="$1"
  local bin="fuzz/target/x86_64-unknown-linux-gnu/release"
  local extra=()
  case "$target" in compile_*) bin="fuzz/target/compile/x86_64-unknown-linux-gnu/release" ;; esac
  # libFuzzer raises its length limit slowly from the largest seed; the frontend vectors are
  # short scripts (under 500 bytes), so without this its inputs stay that short for minutes.
  case "$target" in frontend_decode) extra=(-len_control=0) ;; esac
  mkdir -p "fuzz/artifacts/$target"
  echo "fuzzing $target for $seconds s (log: $logs/$target.log)"
  # -timeout: one input may take at most 10 s (a hang); -rss_limit_mb: 2 GB (an OOM);
  # -max_len: inputs up to 64 KiB (the largest seeds are about 36 KiB).
  if "$bin/$target" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" "${extra[@]}" \
    > "$logs/$target.log" 2>&1; then
    grep -E "^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss_mb" "$logs/$target.log" | sed "s/^/  $target: /"
  else
    echo "  $target: FAILED; the end of its log:"
    tail -40 "$logs/$target.log"
    return 1
  fi
}

failed=0
pids=()
for t in "${rust_targets[@]}"; do
  if [ "$jobs" -le 1 ]; then
    run_one "$t" || failed=1
  else
    run_one "$t" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done

if [ "$run_ts" -eq 1 ]; then
  if [ ! -d runtime-ts/node_modules ]; then (cd runtime-ts && npm ci); fi
  (cd runtime-ts && npm run build > /dev/null && npm run build:test > /dev/null)
  echo "fuzzing the TS decoders for $seconds s (log: $logs/ts.log)"
  # The loop checks time between inputs; the outer timeout catches a synchronous hang.
  if timeout --signal=KILL "$((seconds + 120))" node fuzz/ts/decoders.fuzz.mjs --seconds "$seconds" > "$logs/ts.log" 2>&1; then
    tail -1 "$logs/ts.log" | sed "s/^/  ts: /"
  else
    echo "  ts: FAILED; the end of its log:"
    tail -20 "$logs/ts.log"
    failed=1
  fi
fi

exit "$failed"
