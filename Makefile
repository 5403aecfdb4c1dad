# The project's commands. Every target works against the embedded PostgreSQL by default, or
# against the server in DATABASE_URL when it is set.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

INSTALLED := node_modules/.package-lock.json

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_\/-]+:.*##/ {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(INSTALLED): package.json package-lock.json
	@npm ci >&2

.PHONY: install
install: $(INSTALLED) ## Install dependencies (npm ci) if package-lock.json changed

.PHONY: build
build: $(INSTALLED) ## Compile src/ to dist/
	@npx tsc -p tsconfig.json

.PHONY: start
start: $(INSTALLED) ## Start the API (builds; PostgreSQL embedded unless DATABASE_URL, migrated)
	npm start

.PHONY: test
test: $(INSTALLED) ## Run the tests against a database of their own
	npm test

.PHONY: test-pgbouncer
test-pgbouncer: $(INSTALLED) ## Run the tests through a PgBouncer of their own in transaction mode (Debian's 1.18), as production runs
	TEST_PGBOUNCER=1 DATABASE_TRANSACTION_POOLING=1 DATABASE_NAMED_STATEMENTS=0 npm test $(if $(TESTS),-- $(TESTS))

.PHONY: test-containers
test-containers: $(INSTALLED) ## Run the tests against PostgreSQL and Redis started by testcontainers (Docker or Podman; none: says so, exits 0)
	bash test/containers/run.sh

.PHONY: test-images
test-images: ## Build the test-containers images from this machine's Debian packages, with Podman (no registry)
	@bash test/containers/build-images.sh

.PHONY: typecheck
typecheck: $(INSTALLED) ## Type-check src/, test/ and bench/
	npm run typecheck

.PHONY: lint
lint: $(INSTALLED) ## Lint and check formatting (biome)
	npm run lint

.PHONY: format
format: $(INSTALLED) ## Fix formatting and safe lint findings in place
	npx biome check --write .

.PHONY: migrate
migrate: build ## Apply all pending migrations
	node dist/cli/migrate.js up

.PHONY: migrate-down
migrate-down: build ## Roll back the last applied migration
	node dist/cli/migrate.js down

.PHONY: migrate-status
migrate-status: build ## List migrations, applied and pending
	node dist/cli/migrate.js status

.PHONY: migrate-create
migrate-create: $(INSTALLED) ## Create an SQL migration: make migrate-create NAME=add_column_x
	@test -n "$(NAME)" || { echo 'usage: make migrate-create NAME=what_it_does' >&2; exit 2; }
	npx node-pg-migrate create "$(NAME)" --migrations-dir migrations --migration-file-language sql

ROWS ?= 100000
USERS ?=

.PHONY: seed
seed: build ## Fill the database with deterministic data: make seed ROWS=1000000 USERS=100000 [FORCE=1]
	node dist/cli/seed.js --rows $(ROWS) $(if $(USERS),--users $(USERS)) $(if $(FORCE),--force)

REPORT ?= .data/explain-report.md

.PHONY: explain
explain: build ## Prove every SQL file uses its declared index (seed first); Markdown report in REPORT=...
	node dist/cli/explain.js --report $(REPORT)

DURATION ?= 5
CONNECTIONS ?= 32
BENCH_ROWS ?= 1000000
BENCH_ONLY ?=

.PHONY: bench
bench: build ## Benchmark service calls, HTTP, pagination, scaling, WORKERS=2, a Redis Cluster and a read replica: bench/results/ (BENCH_ONLY=scale: only the scale-out rows, to .data/bench-scale/)
	node dist/cli/bench.js --rows $(BENCH_ROWS) --duration $(DURATION) --connections $(CONNECTIONS) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

.PHONY: bench-smoke
bench-smoke: build ## The benchmark in miniature (as CI runs it): proves it runs, asserts no timing
	node dist/cli/bench.js --quick --out .data/bench-smoke

CHECK_SECONDS ?= 60
CHECK_WORKERS ?= 1
CHECK_REDIS ?= single
CHECK_PG ?= direct

.PHONY: check-consistency
check-consistency: build ## Jepsen-style bank test: 3 API processes, faults, every history check (CHECK_SECONDS=60 CHECK_WORKERS=1 CHECK_REDIS=single|cluster CHECK_PG=direct|pgbouncer|replica)
	node dist/cli/check-consistency.js --seconds $(CHECK_SECONDS) --workers $(CHECK_WORKERS) --redis $(CHECK_REDIS) --pg $(CHECK_PG)

.PHONY: doctor
doctor: build ## Troubleshoot: migrations, indexes, journal, top statements, Redis, cache keys
	node dist/cli/doctor.js

.PHONY: cache-stats
cache-stats: build ## Count balance:* keys in Redis by kind, sample TTLs, hit rate
	node dist/cli/cache.js stats

.PHONY: cache-flush
cache-flush: build ## Delete every balance:* key in Redis (SCAN + UNLINK, never KEYS)
	node dist/cli/cache.js flush

.PHONY: psql
psql: build ## Open psql on the database in use (embedded or DATABASE_URL)
	node dist/cli/psql.js

.PHONY: lint-sql
# node-pg-migrate runs each migration in a transaction. ban-drop-table is off because each file
# holds its down step too, and a down step drops what its up step created. squawk comes as its
# linux-x64 binary package alone: squawk-cli's other platform packages are not on every npm
# mirror, and a lock file naming them breaks npm ci there.
SQUAWK := node_modules/@squawk-cli/linux-x64/bin/squawk
lint-sql: $(INSTALLED) ## Lint migrations with squawk (locks, timeouts, unsafe changes)
	@test -x $(SQUAWK) || { echo 'squawk ships here for linux-x64 only: npx squawk-cli on other machines' >&2; exit 1; }
	$(SQUAWK) --assume-in-transaction --pg-version=15 --exclude=ban-drop-table migrations/*.sql

.PHONY: gen
gen: build ## Compile sql/ into typed functions in src/queries/ (pgTyped)
	node dist/cli/generate-queries.js

.PHONY: verify
verify: gen ## Regenerate src/queries/ and fail if it differs from what is committed
	@git diff --exit-code -- src/queries || { echo 'src/queries is stale: run make gen and commit' >&2; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- src/queries); \
	  if [ -n "$$untracked" ]; then echo "not committed: $$untracked" >&2; exit 1; fi

.PHONY: token
token: build ## Print a bearer token: make token USER=42, or make token ADMIN=1
	@if [ -n "$(ADMIN)" ]; then node dist/cli/token.js --admin; \
	elif [ "$(origin USER)" = "command line" ]; then node dist/cli/token.js --user "$(USER)"; \
	else echo 'usage: make token USER=42 | make token ADMIN=1' >&2; exit 2; fi

.PHONY: ci
ci: ## Run what CI runs (.ci/run)
	bash .ci/run

.PHONY: clean
clean: ## Remove build output (keeps the embedded database in .data/)
	rm -rf dist
