# Sourced by the suites that wrap `cargo bench`: `criterion_bench OUT PACKAGE BENCH [FILTER...]`
# runs one criterion bench with its results in OUT (emptied first, so nothing stale is read),
# its output on stderr (stdout is the suite's fragment). BENCH_QUICK=1 takes few samples.
criterion_bench() {
  local out=$1 package=$2 bench=$3
  shift 3
  local quick=()
  if [ "${BENCH_QUICK:-0}" = 1 ]; then
    quick=(--warm-up-time 0.2 --measurement-time 0.5 --sample-size 10)
  fi
  rm -rf "$out"
  mkdir -p "$out"
  CRITERION_HOME="$out" cargo bench -p "$package" --bench "$bench" -- "${quick[@]}" "$@" >&2
}
