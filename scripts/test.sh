#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build everything, run every test, and end
# with one summary line: "tests: N passed, N failed[, N skipped]". Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/install-prerequisites.sh

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build MergeTrain.sln -c Release -nologo -v quiet
status=0
# One test project at a time, each into its own results folder: TRX files are named to the
# second, so assemblies finishing together would overwrite each other's in a shared folder.
# A hung test is dumped and killed rather than left to stall the run.
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx" --logger "console;verbosity=minimal" \
    --results-directory "$results/$name" --blame-hang-timeout 5m || status=$?
done

# dotnet test prints no single summary over all assemblies: add up the TRX counters.
passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(value total) executed=$(value executed)
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + total - executed + $(value inconclusive)))
done

if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "no test results were produced" >&2
  status=1
fi
if [ "$failed" -ne 0 ]; then
  status=1
fi

summary="tests: $passed passed, $failed failed"
if [ "$skipped" -ne 0 ]; then
  summary="$summary, $skipped skipped"
fi
echo "$summary"
exit "$status"
