#!/usr/bin/env bash
# Starts a local PostgreSQL for torus-serve's tests and load test (Debian's packages; run as root),
# with a role `torus` (password `torus`, may create databases) and a database `torus`. Idempotent.
# Prints the URL to use: export TORUS_TEST_POSTGRES=$(bash scripts/postgres.sh)
set -euo pipefail
# Only the URL goes to standard output (callers capture it); everything else to standard error.
# The server started below outlives this script: it must not inherit the caller's $(...) pipe (fd 3
# here), or the caller waits for an end of file that never comes. So fd 3 is closed until the end.
exec 3>&1 1>&2
{
if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres.sh: installing postgresql" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -1)
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -1)
fi
if [ "$status" != "online" ]; then
  # A machine restored from a snapshot can hold a socket lock of a server that no longer runs.
  lock=/var/run/postgresql/.s.PGSQL.$port.lock
  if [ -f "$lock" ] && ! kill -0 "$(head -1 "$lock")" 2>/dev/null; then
    rm -f "$lock" "/var/run/postgresql/.s.PGSQL.$port"
  fi
  pg_ctlcluster "$version" "$cluster" start </dev/null
fi
for _ in $(seq 1 50); do
  su postgres -c "psql -p $port -qAtc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -p $port -qAt" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'torus') THEN
    CREATE ROLE torus LOGIN CREATEDB PASSWORD 'torus';
  END IF;
END $$;
SQL
if ! su postgres -c "psql -p $port -qAtc \"SELECT 1 FROM pg_database WHERE datname = 'torus'\"" | grep -q 1; then
  su postgres -c "createdb -p $port -O torus torus"
fi
} 3>&-
echo "postgres://torus:torus@127.0.0.1:$port/torus" >&3
