#!/usr/bin/env bash
# Builds the PostgreSQL and Redis images `make test-containers` uses, with no registry: each is a
# root filesystem of this machine's own Debian files (the packages' programs, the shared
# libraries ldd names, /bin/sh) turned into an image by `podman import`. Prints the two names.
# Needs: podman (see test/containers/podman-env.sh), Debian's postgresql-15 and redis-server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=test/containers/podman-env.sh
source test/containers/podman-env.sh
POSTGRES_IMAGE=${POSTGRES_IMAGE:-localhost/balance-service-test/postgres:15-debian}
REDIS_IMAGE=${REDIS_IMAGE:-localhost/balance-service-test/redis:7-debian}
PG_BIN=/usr/lib/postgresql/15/bin
PG_UID=70 # the postgres account inside the image

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies files (and the shared libraries each needs) into the root filesystem $1, keeping paths.
copy_in() {
  local root=$1
  shift
  for file in "$@"; do
    mkdir -p "$root$(dirname "$file")"
    cp -aL "$file" "$root$file"
    ldd "$file" 2>/dev/null | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | while read -r lib; do
      [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")" && cp -aL "$lib" "$root$lib"; }
    done
  done
}

# The minimum a shell script needs: /bin/sh and a few coreutils, /tmp, an account file.
base_root() {
  local root=$1
  mkdir -p "$root"/{tmp,etc,dev,proc,sys,run}
  chmod 1777 "$root/tmp"
  copy_in "$root" /bin/sh /bin/dash /bin/mkdir /bin/cat /bin/chmod /usr/bin/env
  printf 'root:x:0:0::/root:/bin/sh\npostgres:x:%s:%s::/var/lib/postgresql:/bin/sh\n' "$PG_UID" "$PG_UID" >"$root/etc/passwd"
  printf 'root:x:0:\npostgres:x:%s:\n' "$PG_UID" >"$root/etc/group"
}

# PostgreSQL 15 with an entry point that honours POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB
# as the official image does (what @testcontainers/postgresql sets).
pg_root=$work/postgres
base_root "$pg_root"
copy_in "$pg_root" "$PG_BIN/postgres" "$PG_BIN/initdb" "$PG_BIN/pg_ctl"
mkdir -p "$pg_root/usr/share"
cp -a /usr/share/postgresql /usr/share/zoneinfo "$pg_root/usr/share/"
mkdir -p "$pg_root/usr/lib/postgresql/15/lib" && cp -a /usr/lib/postgresql/15/lib/. "$pg_root/usr/lib/postgresql/15/lib/"
# JIT would pull in LLVM (over 100 MB); without its library PostgreSQL runs with JIT off.
rm -rf "$pg_root"/usr/lib/postgresql/15/lib/llvmjit*
mkdir -p "$pg_root/var/lib/postgresql/data" "$pg_root/var/run/postgresql"
chown -R "$PG_UID:$PG_UID" "$pg_root/var/lib/postgresql" "$pg_root/var/run/postgresql"
cat >"$pg_root/entrypoint.sh" <<'SCRIPT'
#!/bin/sh
set -eu
PGDATA=/var/lib/postgresql/data/pgdata
user=${POSTGRES_USER:-postgres} password=${POSTGRES_PASSWORD:-postgres} database=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "$password" >/tmp/pwfile
  /usr/lib/postgresql/15/bin/initdb -D "$PGDATA" -U "$user" --pwfile=/tmp/pwfile \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    echo "CREATE DATABASE \"$database\"" | /usr/lib/postgresql/15/bin/postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec /usr/lib/postgresql/15/bin/postgres -D "$PGDATA" -c listen_addresses='*' \
  -c unix_socket_directories=/var/run/postgresql -c fsync=off "$@"
SCRIPT
chmod 755 "$pg_root/entrypoint.sh"
tar -C "$pg_root" --numeric-owner -cf "$work/postgres.tar" .
$PODMAN import --change 'USER postgres' --change 'ENTRYPOINT ["/entrypoint.sh"]' \
  --change 'EXPOSE 5432' "$work/postgres.tar" "$POSTGRES_IMAGE" >/dev/null

# Redis: the server alone, no persistence. As in the official image, the command is
# `redis-server` and its arguments (what @testcontainers/redis passes).
redis_root=$work/redis
base_root "$redis_root"
copy_in "$redis_root" /usr/bin/redis-server
cat >"$redis_root/entrypoint.sh" <<'SCRIPT'
#!/bin/sh
[ $# -gt 0 ] || set -- redis-server
exec "$@" --bind 0.0.0.0 --protected-mode no --save '' --appendonly no
SCRIPT
chmod 755 "$redis_root/entrypoint.sh"
tar -C "$redis_root" --numeric-owner -cf "$work/redis.tar" .
$PODMAN import --change 'ENV PATH=/usr/bin:/bin' --change 'ENTRYPOINT ["/entrypoint.sh"]' \
  --change 'CMD ["redis-server"]' --change 'EXPOSE 6379' "$work/redis.tar" "$REDIS_IMAGE" >/dev/null

echo "$POSTGRES_IMAGE"
echo "$REDIS_IMAGE"
