#!/usr/bin/env bash
# `make test-containers`: finds a container engine and runs the suite against the PostgreSQL and
# Redis that testcontainers starts there. The engine is DOCKER_HOST, else /var/run/docker.sock,
# else Podman (its Docker-compatible API started here, on a socket in .data/podman, and stopped
# at the end). With none, it says so and exits 0 without running anything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

podman_pid=
cleanup() { if [ -n "$podman_pid" ]; then kill "$podman_pid" 2>/dev/null || true; wait "$podman_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ]; then
  export DOCKER_HOST=unix:///var/run/docker.sock
fi
if [ -z "${DOCKER_HOST:-}" ] && command -v podman >/dev/null; then
  # shellcheck source=test/containers/podman-env.sh
  source test/containers/podman-env.sh
  rm -f "$PODMAN_SOCKET"
  $PODMAN system service --time=0 "unix://$PODMAN_SOCKET" >.data/podman/service.log 2>&1 &
  podman_pid=$!
  for _ in $(seq 100); do [ -S "$PODMAN_SOCKET" ] && break; sleep 0.1; done
  [ -S "$PODMAN_SOCKET" ] || { echo "podman system service did not start: see .data/podman/service.log" >&2; exit 1; }
  export DOCKER_HOST=unix://$PODMAN_SOCKET
fi
if [ -z "${DOCKER_HOST:-}" ]; then
  echo 'make test-containers: no container engine (no DOCKER_HOST, no /var/run/docker.sock, no podman): nothing run'
  exit 0
fi

# Ryuk, testcontainers' reaper, is an image to pull; the suite stops its own containers instead.
export TESTCONTAINERS_RYUK_DISABLED=true
echo "make test-containers: engine at $DOCKER_HOST; images ${TEST_POSTGRES_IMAGE:-postgres:18} and ${TEST_REDIS_IMAGE:-redis:7}"
npx vitest run --config test/vitest.containers.config.ts "$@"
