#!/bin/sh
# Runs each libFuzzer target (built by `make fuzz`) for FUZZ_SECONDS on its seeds, Fuzz/corpus/<target>/,
# and prints per target the executions, edges covered and crashes; a crash's input lands in Fuzz/crashes/<target>/.
# New inputs libFuzzer finds go to .build/fuzz-corpus/<target>/, never into the committed seeds.
# Usage: Fuzz/run.sh BIN_DIR [TARGET...]   (default: every Fuzz/corpus/<target>)
set -u
bin=$1; shift
seconds=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/.."
targets=${*:-$(ls Fuzz/corpus)}
status=0
# Leak checking off: the toolchain's Foundation leaks one buffer reading an empty file (Data(contentsOf:)),
# which LeakSanitizer reports at exit as a crash of the empty input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
printf '%-22s %8s %12s %9s %8s\n' target seconds executions coverage crashes
for t in $targets; do
    [ -x "$bin/fuzz-$t" ] || { echo "no fuzz target $bin/fuzz-$t" >&2; exit 2; }
    mkdir -p ".build/fuzz-corpus/$t" "Fuzz/crashes/$t"
    log=".build/fuzz-$t.log"
    before=$(ls "Fuzz/crashes/$t" | wc -l)
    "$bin/fuzz-$t" ".build/fuzz-corpus/$t" "Fuzz/corpus/$t" -max_total_time="$seconds" -print_final_stats=1 \
        -detect_leaks=0 -rss_limit_mb=2048 -timeout=20 -artifact_prefix="Fuzz/crashes/$t/" >"$log" 2>&1
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(($(ls "Fuzz/crashes/$t" | wc -l) - before))
    [ "$crashes" -eq 0 ] && [ -n "$runs" ] || status=1
    printf '%-22s %8s %12s %9s %8s\n' "$t" "$seconds" "${runs:-?}" "${cov:-?}" "$crashes"
    [ "$crashes" -eq 0 ] || grep -m1 -E 'ERROR:|Fatal error|SUMMARY' "$log" | sed 's/^/    /'
done
echo "logs: .build/fuzz-<target>.log"
exit $status
