# The two commands of the README: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test test-unit test-sqlite test-openstack test-objectstorage test-azure test-multihost install services lint format messages clean

# The virtualenv, (re)installed when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The portal on the embedded default: SQLite, a broker on the filesystem, the simulator
# cloud with demo data; web, worker and beat in the foreground (Ctrl-C stops all three).
run: install
	scripts/ensure-gettext
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo --port $(PORT)
	# The logins again once web, worker and beat answer (not lost under their banners).
	$(BIN)/python manage.py demo_banner --port $(PORT) &
	# Plain log lines for a person at a terminal; deployments keep the JSON default.
	LOG_FORMAT=$${LOG_FORMAT:-plain} exec $(BIN)/honcho -f Procfile start

# The whole suite: unit tests on PostgreSQL + Redis, the same again on SQLite (what
# `make run` uses; browser tests aside), then the integration suite against a local
# OpenStack started by scripts/openstack-lite/up, the object-storage driver against a
# local Ceph RGW (scripts/ceph-lite/up), the Azure driver's page blobs against a local
# Azurite (scripts/azurite/up), then the portal on several hosts.
test: test-unit test-sqlite test-openstack test-objectstorage test-azure test-multihost

test-unit: install services
	scripts/ensure-gettext
	scripts/ensure-browser
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

test-sqlite: install services
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -q -p no:cacheprovider -m "not openstack and not rgw and not azurite and not browser and not multihost and not schemathesis"

test-openstack: install services
	scripts/openstack-lite/up
	$(BIN)/pytest -q -m openstack -p no:cacheprovider

# The RGW driver against a one-node Ceph (mon, in-memory OSD, radosgw) on 127.0.0.1.
test-objectstorage: install services
	scripts/ceph-lite/up
	$(BIN)/pytest -q -m rgw -p no:cacheprovider

# The Azure driver's page blobs (VHD upload, snapshot, copy, delete) against Azurite, the
# storage emulator from npm, on 127.0.0.1:10000. Its ARM calls replay recorded exchanges
# in the unit suite: no emulator of Azure Resource Manager exists.
test-azure: install services
	scripts/azurite/up
	$(BIN)/pytest -q -m azurite -p no:cacheprovider

# Web, two workers, the data services and S3 (Ceph RGW) on hosts of their own (network
# namespaces); this process's test database lives on the data host, where they all reach it.
test-multihost: install services
	scripts/multihost/up
	. /tmp/portal-multihost/env && DATABASE_URL=$$MULTIHOST_DATABASE_URL \
	  CELERY_BROKER_URL=$$MULTIHOST_BROKER_URL CACHE_URL=$$MULTIHOST_CACHE_URL \
	  $(BIN)/pytest -q -m multihost -p no:cacheprovider

services:
	scripts/ensure-services

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the translation catalogues after changing user-facing strings. The English
# catalogue is made afresh (msgen copies each msgid), so no stale fuzzy guess survives.
messages:
	rm -f locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/djangojs.po
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=scripts --no-obsolete
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	for domain in django djangojs; do po=locale/en/LC_MESSAGES/$$domain.po; \
	  msgen --no-wrap -o $$po $$po && sed -i '0,/^#, fuzzy$$/{/^#, fuzzy$$/d}' $$po; done

clean:
	rm -rf $(VENV) var staticfiles
