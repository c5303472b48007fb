#!/bin/bash
# Runs once, on the first start of an empty data volume (postgres image, /docker-entrypoint-initdb.d):
# one database per service, owned by a role of the same name. Passwords come from the
# postgres-admin Secret (<SERVICE>_PASSWORD) and match the <service>-db connection strings.
set -euo pipefail
for service in customer billing payment complaint notification; do
  var="${service^^}_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="${!var}" -v db="${service}db" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
SQL
done
