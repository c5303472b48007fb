#!/usr/bin/env bash
# Installs what the AppHost starts locally (PostgreSQL, Redis and RabbitMQ server binaries) when missing, from
# Debian's packages, without starting the packages' own services (the AppHost runs its own instances on free
# loopback ports). Idempotent and silent when everything is present. Checks that `dotnet` is on PATH.
set -euo pipefail

missing=()
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' > /dev/null; then
    missing+=(postgresql)
fi
if ! command -v redis-server > /dev/null 2>&1; then
    missing+=(redis-server)
fi
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    missing+=(rabbitmq-server)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo > /dev/null 2>&1; then
            echo "prerequisites: need root or sudo to install: ${missing[*]}" >&2
            exit 1
        fi
        sudo=(sudo)
    fi

    # A policy-rc.d that answers 101 keeps the packages from starting their services; restore any previous one.
    policy=/usr/sbin/policy-rc.d
    backup=""
    if [ -e "$policy" ]; then
        backup="$(mktemp)"
        "${sudo[@]}" cp -p "$policy" "$backup"
    fi
    restore_policy() {
        if [ -n "$backup" ]; then
            "${sudo[@]}" cp -p "$backup" "$policy"
            rm -f "$backup"
        else
            "${sudo[@]}" rm -f "$policy"
        fi
    }
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" > /dev/null
    "${sudo[@]}" chmod 755 "$policy"

    echo "prerequisites: installing ${missing[*]}" >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

    restore_policy
    trap - EXIT
    # If a package started a server anyway (a system rabbitmq or epmd), it is left alone: the AppHost uses its own ports.
fi

if ! command -v dotnet > /dev/null 2>&1; then
    echo "prerequisites: 'dotnet' is not on PATH; install the .NET SDK that global.json pins (10.0.x) and add it to PATH." >&2
    exit 1
fi
