#!/bin/sh
# Runs once, when the postgres image initialises an empty PGDATA (docker-entrypoint-initdb.d).
# For every service: a login role named after it, with the password from its <service>-db Secret
# (env <SERVICE>_DB_PASSWORD), and a database of the same name owned by that role.
# Changing a password later is NOT picked up here: ALTER ROLE ... PASSWORD by hand, then update
# the Secret (both PASSWORD and DATABASE_URL).
set -e
for service in order payment inventory notification analytics loyalty; do
  var="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  eval "password=\${$var:-}"
  if [ -z "$password" ]; then
    echo "init-databases: $var is empty" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
