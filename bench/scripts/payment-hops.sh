#!/usr/bin/env bash
# Where a payment's time goes on its way to the prepaid balance, and what each process costs meanwhile.
#
# Starts the whole platform on fresh state (the AppHost, from the Release build), waits SETTLE seconds, warms it with
# the open-loop payment-to-balance scenario at each of WARM (payments/s, 20 s each), then runs it at RATE for DURATION
# seconds. Prints the bench's line, the CPU of every process in cores over the middle of the run (services, PostgreSQL,
# RabbitMQ, Redis, the bench), and for the payments recorded in the run the time of each hop, read from the databases:
#   recorded -> published   the payment row's created_at to its PaymentReceived outbox row's sent_at (the RPC's
#                           commit and the payment relay)
#   published -> deposited  to the deposit's ledger_transfers.applied_at in billing (RabbitMQ and billing's consumer)
#     published -> taken    to the start of the billing batch that applied it (its inbox row's processed_at):
#                           the wait in RabbitMQ and for the consumer
#     taken -> deposited    the batch's work up to the deposit
#   recorded -> deposited   both; the bench's own figure adds its balance polls (every 50-200 ms)
# and, for the run, how the work was batched: per service and consumer the messages applied, the transactions they took
# (an inbox batch's rows share one processed_at) and the mean batch; per service the outbox rows published and the
# relay passes (a pass marks its rows with one sent_at).
# Stops the platform at the end (and on Ctrl+C).
#
#   dotnet build Platform.sln -c Release && bench/scripts/payment-hops.sh
#   RATE=400 DURATION=30 WARM="100" bench/scripts/payment-hops.sh   # WARM="" for no warm-up
#   ENVIRONMENT=Development bench/scripts/payment-hops.sh   # the services as ./run.sh starts them (default Production)
#   BENCH_SPIN=70 bench/scripts/payment-hops.sh   # the bench's thread-pool spin limit (default 0: the bench does not
#                                                 # spin on the cores it shares with the platform; the runtime's own default is 70)
#
# Needs python3 and psql (postgresql-client). Figures are in bench/README.md (Payments).
set -euo pipefail
RATE=${RATE:-500} DURATION=${DURATION:-60} WARM=${WARM-100 250} SETTLE=${SETTLE:-60} ENVIRONMENT=${ENVIRONMENT:-Production}
STATE=${STATE:-.bench/payment-hops}
source "$(dirname "$0")/platform.sh"

cpu() { # "<process> <CPU ticks> <context switches>" summed per kind of process on the machine
  python3 - <<'PY'
import os, re
total, switches = {}, {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        cs = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            for line in open(f"/proc/{pid}/task/{task}/status"):
                if "ctxt_switches" in line:  # voluntary and nonvoluntary
                    cs += int(line.split(":")[1])
    except OSError:
        continue
    m = re.search(r"Platform\.(\w+)\.dll", cmd)
    kind = m.group(1) if m else "postgres" if "postgres" in cmd else "rabbitmq" if "beam.smp" in cmd else "redis" if "redis-server" in cmd else None
    if kind and kind != "AppHost":
        total[kind] = total.get(kind, 0) + int(fields[11]) + int(fields[12])
        switches[kind] = switches.get(kind, 0) + cs
for kind, ticks in sorted(total.items()):
    print(kind, ticks, switches[kind])
PY
}

run() { # run RATE SECONDS [extra bench options]
  DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=${BENCH_SPIN-0} dotnet "$bench" --resources "$STATE/resources.json" --scenarios payment-to-balance --baseline none \
    --rate "$1" --duration "$2" --warmup 3 --timeout 10 "${@:3}" 2> "$STATE/e2e.log"
}
for rate in $WARM; do
  echo "warming at $rate/s" >&2
  run "$rate" 20 | grep '^payment-to-balance ' || true
  sleep 10
done

start=$(date +%s.%N)
run "$RATE" "$DURATION" --json "$STATE/e2e.json" > "$STATE/e2e.txt" &
bench_pid=$!
window=$((DURATION / 2))
sleep $(((DURATION - window) / 2 + 3))
cpu > "$STATE/cpu-before"
sleep "$window"
cpu > "$STATE/cpu-after"
wait "$bench_pid" || true
bench_pid=
sleep 5

grep 'payment-to-balance' "$STATE/e2e.txt" || cat "$STATE/e2e.txt"
echo "CPU in cores and context switches per second over ${window} s of the run:"
join "$STATE/cpu-before" "$STATE/cpu-after" | awk -v w="$window" '{ c = ($4 - $2) / 100 / w; x = ($5 - $3) / w; s += c; t += x
  printf "  %-14s %5.2f %8.0f/s\n", $1, c, x } END { printf "  %-14s %5.2f %8.0f/s\n", "all", s, t }'
"$psql" -d paymentdb -qAtF, -c "SELECT p.id, extract(epoch FROM p.created_at), extract(epoch FROM o.sent_at), o.id FROM payments p
  JOIN outbox_messages o ON o.message_type = 'Platform.Contracts.Events.PaymentReceived' AND o.payload::jsonb->>'paymentId' = p.id::text
  WHERE p.created_at > to_timestamp($start)" > "$STATE/published.csv"
"$psql" -d billingdb -qAtF, -c "SELECT substr(reference, 9), extract(epoch FROM applied_at) FROM ledger_transfers
  WHERE reference LIKE 'payment %' AND applied_at > to_timestamp($start)" > "$STATE/deposited.csv"
"$psql" -d billingdb -qAtF, -c "SELECT message_id, extract(epoch FROM processed_at) FROM inbox_messages
  WHERE consumer = 'PaymentReceivedConsumer' AND processed_at > to_timestamp($start)" > "$STATE/taken.csv"
python3 - "$STATE/published.csv" "$STATE/deposited.csv" "$STATE/taken.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
published = {r[0]: (float(r[1]), float(r[2]) if r[2] else None) for r in rows}
message = {r[0]: r[3] for r in rows}
deposited = {r[0]: float(r[1]) for r in csv.reader(open(sys.argv[2]))}
taken = {r[0]: float(r[1]) for r in csv.reader(open(sys.argv[3]))}
def line(name, values):
    v = sorted(values)
    n = len(v)
    at = lambda q: v[min(n - 1, int(n * q))] * 1000
    print(f"  {name:24} n={n:<6} p50 {at(.5):6.0f}  p90 {at(.9):6.0f}  p99 {at(.99):6.0f}  max {v[-1] * 1000:6.0f} ms" if n else f"  {name:24} n=0")
print(f"hops of the {len(published)} payments recorded in the run ({sum(1 for c, s in published.values() if s is None)} not published):")
line("recorded -> published", [s - c for c, s in published.values() if s is not None])
line("published -> deposited", [deposited[k] - s for k, (c, s) in published.items() if s is not None and k in deposited])
line("  published -> taken", [taken[message[k]] - s for k, (c, s) in published.items() if s is not None and message[k] in taken])
line("  taken -> deposited", [deposited[k] - taken[message[k]] for k in published if k in deposited and message[k] in taken])
line("recorded -> deposited", [deposited[k] - c for k, (c, s) in published.items() if k in deposited])
PY
echo "batches in the run (per second over the run; mean size):"
for service in payment billing customer; do
  "$psql" -d ${service}db -qAtF' ' -c "
    SELECT consumer, count(*), count(DISTINCT processed_at) FROM inbox_messages WHERE processed_at > to_timestamp($start) GROUP BY consumer
    UNION ALL SELECT 'outbox-relay', count(*), count(DISTINCT sent_at) FROM outbox_messages WHERE sent_at > to_timestamp($start)" |
  awk -v s=$service -v d="$DURATION" '$2 > 0 { printf "  %-9s %-44s %7.1f msgs/s in %6.1f tx/s, %5.1f a batch\n", s, $1, $2 / d, $3 / d, $2 / $3 }'
done
