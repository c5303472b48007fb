#!/usr/bin/env bash
# Runs the whole platform locally: PostgreSQL, RabbitMQ and Redis from the installed binaries (installed first when
# missing), then the five services, supervised by the AppHost. Ctrl+C stops everything. Extra arguments go to the
# AppHost (for example: --only customer,billing).
set -euo pipefail
cd "$(dirname "$0")"
deploy/local/prerequisites.sh
exec dotnet run --project AppHost/Platform.AppHost.csproj -c Release -- "$@"
