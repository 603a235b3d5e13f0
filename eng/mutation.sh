#!/usr/bin/env bash
# Mutation testing of src/Fusebox against tests/Fusebox.Tests with Stryker.NET (a local dotnet tool, see
# .config/dotnet-tools.json). A tool to run by hand, not part of CI: see docs/quality.md for timings and scores.
#
#   eng/mutation.sh                 every folder, one Stryker run per folder, then the merged table
#   eng/mutation.sh Policies        one folder (Breaker, Policies, Internal, Resilience, Registry, Metrics)
#   eng/mutation.sh Breaker Internal   several folders, one after the other
#   eng/mutation.sh --report        print the table (and survivors) of the reports already in artifacts/mutation
#   eng/mutation.sh --files NAME 'Breaker/CircuitBreaker.cs' 'Breaker/CircuitPermit.cs' ...
#                                   some files of src/Fusebox (globs allowed), one Stryker run, reported as NAME
#
# Environment: STRYKER_CONCURRENCY (default 2; the runs are niced, so other work keeps priority), STRYKER_NICE (default 15).
# Reports: artifacts/mutation/<Folder>/reports/mutation-report.{json,html}; a run log beside them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/artifacts/mutation"
all_folders=(Breaker Policies Internal Resilience Registry Metrics)

report() {
    shopt -s nullglob
    local reports=("$out"/*/reports/mutation-report.json)
    if [ ${#reports[@]} -eq 0 ]; then
        echo "no report under $out yet" >&2
        exit 1
    fi
    python3 "$root/eng/mutation-score.py" --survivors "${reports[@]}"
}

if [ "${1:-}" = "--report" ]; then
    report
    exit 0
fi

# A run is a folder of src/Fusebox, or (with --files) a named set of its files: files[NAME] holds their globs.
declare -A files
if [ "${1:-}" = "--files" ]; then
    [ $# -ge 3 ] || { echo "usage: eng/mutation.sh --files NAME FILE [FILE ...]" >&2; exit 2; }
    name="$2"
    shift 2
    files[$name]="$*"
    folders=("$name")
else
    folders=("$@")
fi
[ ${#folders[@]} -eq 0 ] && folders=("${all_folders[@]}")
for folder in "${folders[@]}"; do
    if [ -z "${files[$folder]:-}" ] && [ ! -d "$root/src/Fusebox/$folder" ]; then
        echo "unknown folder '$folder': expected one of ${all_folders[*]}" >&2
        exit 2
    fi
done

cd "$root"
dotnet tool restore >/dev/null

for folder in "${folders[@]}"; do
    dest="$out/$folder"
    rm -rf "$dest"
    mkdir -p "$dest"
    mutate=()
    if [ -n "${files[$folder]:-}" ]; then
        set -f # the globs are Stryker's, not the shell's
        for file in ${files[$folder]}; do mutate+=(--mutate "**/src/Fusebox/$file"); done
        set +f
    else
        mutate=(--mutate "**/src/Fusebox/$folder/**/*.cs")
    fi
    echo "== $folder: mutating ${mutate[*]} (log: $dest/stryker.log)"
    start=$(date +%s)
    # Stryker is started from the test project's folder: at the repository root it would find Fusebox.slnx and
    # run in solution mode, which mutates every project and refuses a test-project option.
    (
        cd "$root/tests/Fusebox.Tests"
        nice -n "${STRYKER_NICE:-15}" dotnet stryker \
            --config-file "$root/eng/stryker-config.json" \
            "${mutate[@]}" \
            --concurrency "${STRYKER_CONCURRENCY:-2}" \
            --output "$dest" \
            --skip-version-check
    ) >"$dest/stryker.log" 2>&1 || {
        echo "Stryker failed for $folder; last lines of its log:" >&2
        tail -20 "$dest/stryker.log" >&2
        exit 1
    }
    echo "   $folder took $(( $(date +%s) - start )) s"
done

report
