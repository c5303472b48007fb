#!/usr/bin/env bash
# Runs every test of the platform: unit, service integration (real PostgreSQL, RabbitMQ, Redis started by the
# test harness from the installed binaries) and whole-system tests (the AppHost's orchestration, every service a
# real process). Installs the server packages first when they are missing.
# Last line: "N passed, N failed[, N skipped]"; exit status non-zero when a test failed or none ran.
set -euo pipefail
cd "$(dirname "$0")"

deploy/local/prerequisites.sh

results="${TEST_RESULTS_DIR:-artifacts/test-results}"
rm -rf "$results"
mkdir -p "$results"
results=$(cd "$results" && pwd)
# The whole-system tests copy their processes' logs here (tests/Platform.Testing/WholeSystem.cs).
export PLATFORM_TEST_LOGS="$results/system-logs"

dotnet build Platform.sln -c Release -warnaserror -nologo -clp:ErrorsOnly
status=0
dotnet test Platform.sln -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed)))
  skipped=$((skipped + $(value notExecuted)))
done

# When a test failed: the last errors each whole-system run's services logged (each a log line and the next one, cut
# to 240 characters), then the failed tests
# again with their messages, just above the summary: CI shows the tail of the output.
if [ "$failed" -ne 0 ] && [ -d "$PLATFORM_TEST_LOGS" ]; then
  for system in "$PLATFORM_TEST_LOGS"/*/; do
    errors=$(for log in "$system"*.log; do
      awk -v service="$(basename "$log" .log)" '
        function flush() { if (block != "") print block; block = ""; more = 0 }
        /^[^ ]+ (fail|crit): |"LogLevel":"(Error|Critical)"/ { flush(); block = service " | " $0; more = 1; next }
        more && /^[^ ]+       / { block = block "\\n" service " |   " $0; more = 0; next }
        { flush() }
        END { flush() }
      ' "$log"
    done | sort -k3,3 | tail -n 5)
    if [ -n "$errors" ]; then
      echo "Last errors logged by the services of $(basename "$system") (all logs in $system):"
      printf '%b\n' "$errors" | cut -c1-240
    fi
  done
fi
if [ "$failed" -ne 0 ]; then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    awk '
      /<UnitTestResult / { failing = ($0 ~ /outcome="Failed"/); if (failing) { name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name); print "  " name } }
      failing && /<Message>/ { inmsg = 1; shown = 0 }
      failing && inmsg && shown < 12 { line = $0; gsub(/<\/?Message>/, "", line); if (shown == 0) sub(/^ +/, "", line); print "      " line; shown++ }
      /<\/Message>/ { inmsg = 0 }
    ' "$trx"
  done
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
