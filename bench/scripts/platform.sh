# Sourced by the bench scripts: checks what they need, starts the whole platform on fresh state, waits until every
# resource is healthy, settles, and points libpq at its PostgreSQL. Stops the platform (and the bench run in
# $bench_pid, if any) when the script exits. Reads STATE, ENVIRONMENT and SETTLE; sets apphost, bench, psql,
# apphost_pid and bench_pid, and the PG* variables.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

apphost=AppHost/bin/Release/net10.0/Platform.AppHost.dll
bench=bench/Platform.Bench/bin/Release/net10.0/Platform.Bench.dll
for file in "$apphost" "$bench"; do
  [ -f "$file" ] || { echo "$file is missing: dotnet build Platform.sln -c Release" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
psql=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
[ -x "$psql" ] || { echo "psql is needed (apt-get install postgresql-client)" >&2; exit 1; }

rm -rf "$STATE"
mkdir -p "$STATE"
dotnet "$apphost" --state-dir "$STATE" --environment "$ENVIRONMENT" --no-dashboard > "$STATE/apphost.log" 2>&1 &
apphost_pid=$!
bench_pid=
stop() {
  [ -n "$bench_pid" ] && kill "$bench_pid" 2>/dev/null || true
  kill -TERM "$apphost_pid" 2>/dev/null || true
  wait "$apphost_pid" 2>/dev/null || true
}
trap stop EXIT

echo "starting the platform (state in $STATE)" >&2
until python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if all(x["state"]=="healthy" for x in r["resources"]) else 1)' \
  "$STATE/resources.json" 2>/dev/null; do
  kill -0 "$apphost_pid" 2>/dev/null || { echo "the AppHost stopped; see $STATE/apphost.log" >&2; exit 1; }
  sleep 2
done
echo "healthy; settling for $SETTLE s" >&2
sleep "$SETTLE"

# libpq's variables from the postgres resource's connection string (Host=...;Port=...;Username=...;Password=...)
eval "$(python3 -c 'import json,sys,shlex; r=json.load(open(sys.argv[1])); c=next(x for x in r["resources"] if x["name"]=="postgres")["connectionString"]
d=dict(p.split("=",1) for p in c.strip().split(";") if p)
print(" ".join(f"export {k}={shlex.quote(d[v])};" for k,v in (("PGHOST","Host"),("PGPORT","Port"),("PGUSER","Username"),("PGPASSWORD","Password"))))' "$STATE/resources.json")"
