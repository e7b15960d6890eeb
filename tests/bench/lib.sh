# Shared by the benchmark scripts (source it): the row each one contributes to tests/bench/run's
# table.
#
# bench_row SCENARIO OURS_MS REFERENCE REF_MS PEAK_MB: when BENCH_TSV names a file (tests/bench/run
# sets it), appends one tab-separated row: the scenario, certbundle's median wall time, what it is
# compared with, that reference's median ("-" when there is none), certbundle's peak resident
# memory in MiB. Without BENCH_TSV it does nothing: each script prints its own report anyway.
bench_row() {
  [ -n "${BENCH_TSV:-}" ] || return 0
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_TSV"
}
