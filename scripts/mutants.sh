#!/usr/bin/env bash
# Mutation testing of the pure protocol modules with cargo-mutants (setup.sh installs it when
# SETUP_MUTANTS=1, which this script sets):
# every mutant of src/ outside browser/, store/, pages/, app.rs and main.rs must make a unit
# test (or tests/fuzz_parsers.rs) fail. Prints caught / missed / unviable / timeout per file.
# Slow (hours on two cores), so neither CI nor test.sh runs it.
#
#   scripts/mutants.sh                     every pure module
#   scripts/mutants.sh src/pkce.rs ...     these files only
#   MUTANTS_ARGS="--in-place" scripts/mutants.sh ...   extra cargo-mutants options
#
# Results: target/mutants/mutants.out, or $MUTANTS_OUT/mutants.out (missed.txt lists the survivors).
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_MUTANTS=1 bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find src -name '*.rs' \
    -not -path 'src/browser/*' -not -path 'src/store/*' -not -path 'src/pages/*' \
    -not -name app.rs -not -name main.rs -not -name lib.rs -not -name tests.rs | sort)
fi

file_args=()
for file in "${files[@]}"; do file_args+=(--file "$file"); done

out=${MUTANTS_OUT:-target/mutants}
mkdir -p "$out"
# Only this package's tests: the sandbox has its own PKCE code and cannot catch a mutant here.
# `--lib --test fuzz_parsers` skips building the binary, which has no tests; MUTANTS_TESTS=--lib
# halves the time per mutant (one build of the crate instead of two) and can only miss more.
# One job (the default): two cores. Exit status 2 (missed mutants) and 3 (timeouts) still
# get the table below.
test_args=()
for arg in ${MUTANTS_TESTS:---lib --test=fuzz_parsers}; do test_args+=("--cargo-test-arg=$arg"); done
set +e
# shellcheck disable=SC2086
cargo mutants "${file_args[@]}" \
  --test-package pkce-desk "${test_args[@]}" \
  --output "$out" ${MUTANTS_ARGS:-}
status=$?
set -e

[ -f "$out/mutants.out/outcomes.json" ] || exit "$status"
python3 - "$out/mutants.out/outcomes.json" <<'PY'
import collections, json, sys

outcomes = json.load(open(sys.argv[1]))["outcomes"]
counts = collections.defaultdict(collections.Counter)
for outcome in outcomes:
    scenario = outcome["scenario"]
    if not isinstance(scenario, dict):
        continue  # the baseline
    summary = outcome["summary"]
    kind = {"CaughtMutant": "caught", "MissedMutant": "missed", "Unviable": "unviable",
            "Timeout": "timeout"}.get(summary, summary.lower())
    counts[scenario["Mutant"]["file"]][kind] += 1

print(f"{'file':28} {'caught':>7} {'missed':>7} {'unviable':>9} {'timeout':>8} {'caught %':>9}")
total = collections.Counter()
for file in sorted(counts):
    c = counts[file]
    total.update(c)
    viable = c["caught"] + c["missed"] + c["timeout"]
    share = f"{100 * c['caught'] / viable:.0f} %" if viable else "-"
    print(f"{file:28} {c['caught']:7} {c['missed']:7} {c['unviable']:9} {c['timeout']:8} {share:>9}")
viable = total["caught"] + total["missed"] + total["timeout"]
share = f"{100 * total['caught'] / viable:.0f} %" if viable else "-"
print(f"{'total':28} {total['caught']:7} {total['missed']:7} {total['unviable']:9} {total['timeout']:8} {share:>9}")
PY
[ -s "$out/mutants.out/missed.txt" ] && { echo "missed:"; cat "$out/mutants.out/missed.txt"; }
exit "$status"
