# tsprotect — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# make run: embedded SQLite, Celery eager, demo data.
RUN_ENV := DEBUG=1 DATABASE_URL= REDIS_URL=
# make test: PostgreSQL and Redis on loopback.
TEST_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsprotect \
	REDIS_URL=redis://127.0.0.1:6379/15 HTTPS=false DEBUG=false \
	SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdef

.PHONY: install system run test test-faults bench fuzz load load-cpu lint messages \
	screenshots clean stack stack-down backup restore

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system:
	scripts/ensure-system-packages.sh $(if $(WITH_BROWSER),--with-browser,) \
		$(if $(WITH_NGINX),--with-nginx,) $(if $(WITH_STACK),--with-stack,)

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*' -v0

run: system install
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Portal on http://127.0.0.1:8000 — log in as officer_430100 / demo-pass-2026"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install
	WITH_BROWSER=1 WITH_NGINX=1 $(MAKE) --no-print-directory system
	scripts/ensure-services.sh
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(TEST_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(PY) manage.py makemigrations --check --dry-run -v0
	$(TEST_ENV) $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# make test-faults: the fault tests (README, "Faults"), as root: tests/faults stops, freezes and
# fills PostgreSQL, Redis and media folders of its own under a gunicorn, worker and beat of its
# own; tests/test_report_worker.py (a worker killed mid-build) runs on the shared services.
test-faults: install
	scripts/ensure-services.sh
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(TEST_ENV) $(PY) -m pytest -q -p no:xdist --faults tests/faults tests/test_report_worker.py \
		$(PYTEST_ARGS)

# make bench: the scale benchmark on its own persistent database (benchmarks/README.md);
# BENCH_ENTERPRISES=50000 BENCH_DATABASE=tsprotect_bench_smoke for a quick run.
bench: install
	scripts/ensure-services.sh
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(TEST_ENV) $(PY) -m pytest -q -p no:xdist benchmarks $(PYTEST_ARGS)

# make fuzz: the JSON API against its published schema (tests/fuzz/, README), on a test database
# of its own (test_tsprotect_fuzz) that pytest-django creates, seeds with the demo and drops.
fuzz: install
	scripts/ensure-services.sh
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(TEST_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsprotect_fuzz \
		$(PY) -m pytest -q -p no:xdist --create-db tests/fuzz $(PYTEST_ARGS)

# make load: locust, headless (LOAD_USERS=200 users logging in at LOAD_SPAWN_RATE=10/s for
# LOAD_TIME=2m), against LOAD_HOST, or without it a gunicorn of its own with 2 workers on the demo
# data of its own database (tsprotect_load, port 8093, Redis db 9). loadtest/README.md.
load: install
	loadtest/run.sh

# make load-cpu: CPU milliseconds and queries per page of the load test's personas, in-process,
# on the database `make load` seeded; LOAD_CPU_ARGS="--profile record" shows where it goes.
LOAD_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsprotect_load \
	REDIS_URL=redis://127.0.0.1:6379/9 HTTPS=false DEBUG=false ALLOWED_HOSTS=testserver \
	STATIC_ROOT=$(CURDIR)/var/load/static \
	SECRET_KEY=load-test-only-secret-key-not-for-production-0123456789abcdef
load-cpu: install
	$(LOAD_ENV) $(PY) loadtest/cpu.py $(LOAD_CPU_ARGS)

# make screenshots: docs/screenshots/ from a portal on a fresh demo database (port 8765),
# stopped when the script ends.
SHOT_DIR := var/screenshots
SHOT_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/$(SHOT_DIR)/db.sqlite3 REDIS_URL= \
	MEDIA_ROOT=$(CURDIR)/$(SHOT_DIR)/media EVIDENCE_ROOT=$(CURDIR)/$(SHOT_DIR)/evidence
screenshots: install
	WITH_BROWSER=1 $(MAKE) --no-print-directory system
	rm -rf $(SHOT_DIR) && mkdir -p $(SHOT_DIR)
	$(SHOT_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v0
	$(SHOT_ENV) $(PY) manage.py migrate --no-input -v0
	$(SHOT_ENV) $(PY) manage.py seed_demo
	$(SHOT_ENV) $(PY) manage.py runserver 127.0.0.1:8765 --noreload >$(SHOT_DIR)/server.log 2>&1 & \
	server=$$!; trap 'kill $$server' EXIT; \
	$(PY) scripts/screenshots.py --base http://127.0.0.1:8765 --wait 30

# make stack: the README's production deployment on this machine (nginx on STACK_PORT, default
# 8080, gunicorn, Celery worker and beat under supervisord; database tsprotect_stack, Redis db 2;
# files under var/stack/); returns once /healthz/ready answers. make stack-down stops it.
stack: install
	WITH_STACK=1 $(MAKE) --no-print-directory system
	scripts/stack-up.sh

stack-down:
	scripts/stack-down.sh

# make backup / make restore ARCHIVE=…: the portal's own environment (DATABASE_URL, MEDIA_ROOT,
# EVIDENCE_ROOT, BACKUP_DIR), or that of ENV_FILE when given (e.g. var/stack/tsprotect.env).
BACKUP_ENV := $(if $(ENV_FILE),ENV_FILE=$(abspath $(ENV_FILE)),)
backup: install
	$(BACKUP_ENV) $(PY) manage.py backup_portal

restore: install
	@test -n "$(ARCHIVE)" || { echo "Usage: make restore ARCHIVE=var/backups/tsprotect-backup-….tar [ENV_FILE=…]"; exit 2; }
	$(BACKUP_ENV) $(PY) manage.py restore_portal $(abspath $(ARCHIVE))

# make lint: ruff, and the allowed arrows between the apps ([tool.importlinter] in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var $(VENV)
