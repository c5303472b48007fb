#!/usr/bin/env bash
# What PostgreSQL spends its time on while payments flow end to end, and what each service's process costs.
#
# Starts the whole platform on fresh state (the AppHost, from the Release build), waits SETTLE seconds, runs the
# open-loop payment-to-balance scenario at RATE payments/s, and LEAD seconds into it logs every statement's duration
# (log_min_duration_statement = 0, set with ALTER SYSTEM and a reload) for LOGSEC seconds. Prints, for that window:
# the CPU seconds of each service process, and per statement the executions, the time of bind and execute together,
# and the time per execution, longest first. Stops the platform at the end (and on Ctrl+C).
#
#   dotnet build Platform.sln -c Release && bench/scripts/pg-statements.sh
#   RATE=100 LOGSEC=20 TOP=30 bench/scripts/pg-statements.sh
#   ENVIRONMENT=Development bench/scripts/pg-statements.sh   # the services as ./run.sh starts them (default Production)
#
# Logging every statement is itself a large load on PostgreSQL: the platform carries far less while it is on (at
# 400/s, which it carries without logging, nothing became visible within 10 s), so keep RATE well below capacity and
# read the table for shares, not for the platform's throughput.
# Needs python3 and psql (postgresql-client). Figures of a run on 26 Nov are in bench/README.md ("26 Nov, evening").
set -euo pipefail
RATE=${RATE:-150} SETTLE=${SETTLE:-90} LEAD=${LEAD:-40} LOGSEC=${LOGSEC:-15} TOP=${TOP:-25} ENVIRONMENT=${ENVIRONMENT:-Production}
STATE=${STATE:-.bench/pg-statements}
source "$(dirname "$0")/platform.sh"

cpu() { # "<service dll> <CPU ticks>" for every service process the AppHost started
  for pid in $(pgrep -P "$apphost_pid"); do
    name=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -o 'Platform\.[A-Za-z]*\.dll' | head -n 1 || true)
    [ -n "$name" ] && echo "$name $(awk '{print $14 + $15}' "/proc/$pid/stat")"
  done | sort
}

duration=$((LEAD + LOGSEC + 20))
dotnet "$bench" --resources "$STATE/resources.json" --scenarios payment-to-balance --baseline none \
  --rate "$RATE" --duration "$duration" --warmup 5 --timeout 10 > "$STATE/e2e.txt" 2> "$STATE/e2e.log" &
bench_pid=$!
sleep "$LEAD"
cpu > "$STATE/cpu-before"
"$psql" -d postgres -qAt -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" > /dev/null
from=$(wc -l < "$STATE/apphost.log")
sleep "$LOGSEC"
"$psql" -d postgres -qAt -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" > /dev/null
to=$(wc -l < "$STATE/apphost.log")
cpu > "$STATE/cpu-after"
wait "$bench_pid" || true
bench_pid=
sed -n "${from},${to}p" "$STATE/apphost.log" | grep 'duration: ' > "$STATE/statements.log" || true

cat "$STATE/e2e.txt"
echo "CPU seconds in the ${LOGSEC} s window:"
join "$STATE/cpu-before" "$STATE/cpu-after" | awk '{ printf "  %-28s %6.2f\n", $1, ($3 - $2) / 100 }'
python3 - "$STATE/statements.log" "$LOGSEC" "$TOP" <<'PY'
import collections, re, sys
path, window, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
line_re = re.compile(r"duration: ([\d.]+) ms\s+(statement|execute [^:]*|bind [^:]*|parse [^:]*): (.*)")
stats = collections.defaultdict(lambda: [0, 0.0])  # statement -> [executions, ms of parse, bind and execute]
for line in open(path, encoding="utf-8", errors="replace"):
    m = line_re.search(line)
    if not m:
        continue
    text = re.sub(r"\s+", " ", m.group(3)).strip()
    text = re.sub(r"'[^']*'", "?", text)[:110]
    entry = stats[text]
    if m.group(2).split()[0] in ("execute", "statement"):
        entry[0] += 1
    entry[1] += float(m.group(1))
total = sum(ms for _, ms in stats.values())
print(f"PostgreSQL: {sum(n for n, _ in stats.values())} executions, {total:,.0f} ms of statement time in the {window} s window")
print(f"{'executions':>10} {'ms':>9} {'ms each':>8}  statement")
for text, (n, ms) in sorted(stats.items(), key=lambda kv: -kv[1][1])[:top]:
    print(f"{n:>10} {ms:>9,.1f} {ms / max(n, 1):>8.2f}  {text}")
PY
