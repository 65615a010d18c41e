# csp.onboarding — developer and CI entry points.
#
#   make demo   onboard the demo tenants against the local simulator (twice: the second run changes nothing)
#   make test   every check CI runs: sanity, units, simulator, integration, lint, docs lint, changelog lint, EE
#
# Everything is installed into .venv and build/ inside this clone; nothing goes to ~/.ansible/collections.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
BIN         := $(CURDIR)/$(VENV)/bin
BUILD       := $(CURDIR)/build
VERSION     := $(shell sed -n 's/^version: *//p' galaxy.yml)
ARTIFACT    := $(BUILD)/csp-onboarding-$(VERSION).tar.gz
# The installed artifact: what the demo, the integration tests and the benchmarks use.
COLLECTIONS := $(BUILD)/collections
INSTALLED   := $(COLLECTIONS)/ansible_collections/csp/onboarding
# ansible-test needs the source under ansible_collections/<namespace>/<name>/.
TEST_TREE   := $(BUILD)/test/ansible_collections/csp/onboarding
SIM_DIR     := $(BUILD)/simulator
CA_BUNDLE   ?= $(or $(PIP_CERT),$(REQUESTS_CA_BUNDLE),/etc/ssl/certs/ca-certificates.crt)
GET_PIP     := $(HOME)/.ansible/test/cache/get_pip_24_2.py
ANSIBLE_TEST_PYTHON := 3.11

# Dev tools and the test harness are not collection content: they stay out of the ansible-test tree
# (as they stay out of the built artifact, see build_ignore in galaxy.yml).
TREE_EXCLUDES := --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./tests/output \
	--exclude=./tests/simulator --exclude=./tests/integration --exclude=./benchmarks --exclude=./tools \
	--exclude=./reports --exclude=./playbooks/reports --exclude='*.tar.gz' --exclude='__pycache__' \
	--exclude=./.pytest_cache

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv build install tree sanity units simulator-test integration fault-matrix compat lint docs-lint \
	changelog-lint changelog ee-check test checks demo simulator docs bench clean

help:
	@echo "make demo       onboard the demo tenants against the local simulator, twice"
	@echo "make test       every check CI runs"
	@echo "make sanity | units | simulator-test | integration | compat | lint | docs-lint | changelog-lint | ee-check"
	@echo "make simulator  run the local Partner Center + Entra + APS simulator in the foreground"
	@echo "make docs       build the HTML docs site into build/docs"
	@echo "make bench      run the bulk-onboarding benchmark (not part of make test)"
	@echo "make fault-matrix  run the fault matrix and write docs/fault-matrix.md"

# --- environment ------------------------------------------------------------------------------

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# ansible-test downloads its pip bootstrap script from a host outside the package registries;
# it uses a cached copy when there is one, so provide an offline stand-in.
$(GET_PIP): tools/get_pip_standin.py
	mkdir -p $(dir $@)
	sed 's|@CA_BUNDLE@|$(CA_BUNDLE)|' $< > $@

# --- the collection ---------------------------------------------------------------------------

build: venv
	rm -f $(ARTIFACT)
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD) . >/dev/null
	@echo "built $(ARTIFACT)"

# Installed beside, then swapped in, so that playbooks running meanwhile never see a half-installed tree.
install: build
	rm -rf $(BUILD)/collections.next
	$(BIN)/ansible-galaxy collection install --force --no-deps -p $(BUILD)/collections.next $(ARTIFACT) >/dev/null
	mkdir -p $(dir $(INSTALLED))
	rm -rf $(INSTALLED).old
	if [ -d $(INSTALLED) ]; then mv $(INSTALLED) $(INSTALLED).old; fi
	mv $(BUILD)/collections.next/ansible_collections/csp/onboarding $(INSTALLED)
	rm -rf $(INSTALLED).old $(BUILD)/collections.next
	@echo "installed into $(INSTALLED)"

# ansible-test lists a collection's files with git: the tree gets its own index, since the clone's
# git ignores build/.
tree: venv
	rm -rf $(TEST_TREE)
	mkdir -p $(TEST_TREE)
	tar -c $(TREE_EXCLUDES) -f - . | tar -x -C $(TEST_TREE)
	cd $(TEST_TREE) && git init -q && git add -A

# --- checks -----------------------------------------------------------------------------------

# Each check prepares what it needs (venv, the installed artifact, the ansible-test tree). `make test` prepares
# once, then runs the checks with PREPARED=1, so that none of them rebuilds what another one is using.
ifdef PREPARED
NEEDS_INSTALL :=
NEEDS_TREE :=
else
NEEDS_INSTALL := install
NEEDS_TREE := tree $(GET_PIP)
endif

sanity: $(NEEDS_TREE)
	cd $(TEST_TREE) && $(BIN)/ansible-test sanity --venv --python $(ANSIBLE_TEST_PYTHON) \
		--requirements --color no

units: $(NEEDS_TREE)
	cd $(TEST_TREE) && $(BIN)/ansible-test units --venv --python $(ANSIBLE_TEST_PYTHON) \
		--requirements --color no

simulator-test: venv
	PYTHONPATH=tests $(BIN)/python -m pytest -q -p no:cacheprovider tests/simulator/tests

# Tests are independent (each xdist worker starts its own simulator). Three workers on two cores: much of a
# test is waiting (Retry-After, backoff, simulated latency), and a third worker fills those waits.
PYTEST_WORKERS ?= 3

# PYTEST_ARGS: more pytest options, for example PYTEST_ARGS="--durations=20" or PYTEST_ARGS="-k gdap".
PYTEST_ARGS ?=

integration: $(NEEDS_INSTALL)
	PYTHONPATH=tests $(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS) tests/integration

# The fault matrix as docs/fault-matrix.md (the tests alone write it under build/); one worker sees every row.
fault-matrix: install
	CSP_FAULT_MATRIX=$(CURDIR)/docs/fault-matrix.md ANSIBLE_COLLECTIONS_PATH=$(BUILD)/collections PYTHONPATH=tests \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_faults.py

# The in-process execution path and tenant_onboarding's module_defaults lean on a few ansible-core internals
# (plugin_utils/_in_process.py): run their tests on the oldest supported ansible-core too (the newest is what
# `integration` runs).
COMPAT_CORE := 2.16
COMPAT_VENV := $(BUILD)/compat-$(COMPAT_CORE)

$(COMPAT_VENV)/.installed: requirements-compat.in requirements-dev.txt
	rm -rf $(COMPAT_VENV)
	$(PYTHON) -m venv $(COMPAT_VENV)
	grep -v -E '^(ansible|antsibull|resolvelib)' requirements-dev.txt > $(COMPAT_VENV)/constraints.txt
	$(COMPAT_VENV)/bin/pip install --quiet --disable-pip-version-check -c $(COMPAT_VENV)/constraints.txt \
		-r requirements-compat.in
	touch $@

compat: $(NEEDS_INSTALL) $(COMPAT_VENV)/.installed
	$(COMPAT_VENV)/bin/ansible --version | sed -n 1p
	PYTHONPATH=tests $(COMPAT_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/integration/test_execution_paths.py \
		tests/integration/test_tenant_onboarding.py::test_module_defaults_reach_every_step_which_share_one_correlation_id

lint: $(NEEDS_INSTALL)
	$(BIN)/ansible-lint --profile production

docs-lint: $(NEEDS_TREE)
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck $(TEST_TREE)

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

# Regenerate CHANGELOG.md and changelogs/changelog.yaml for the version in galaxy.yml from the fragments.
changelog: venv
	$(BIN)/antsibull-changelog release --version $(VERSION) --update-existing

ee-check: venv
	rm -rf $(BUILD)/ee-context
	$(BIN)/ansible-builder create --file meta/execution-environment.yml --context $(BUILD)/ee-context \
		--output-filename Containerfile >/dev/null
	test -f $(BUILD)/ee-context/Containerfile
	@echo "ansible-builder create: build context written to $(BUILD)/ee-context"

# The integration tests, the longest check and much of it waiting on the simulator, run beside the others (which
# run one after the other); each group's output is printed when it ends.
test: install tree $(GET_PIP) $(COMPAT_VENV)/.installed
	$(MAKE) --no-print-directory -j2 --output-sync=recurse PREPARED=1 integration checks
	@echo "make test: every check passed"

checks:
	$(MAKE) --no-print-directory -j1 PREPARED=1 sanity units simulator-test compat lint docs-lint changelog-lint ee-check

# --- the demo ---------------------------------------------------------------------------------

DEMO_INVENTORY := playbooks/inventory/demo

demo: install
	@if [ ! -f playbooks/bulk_onboard.yml ] || [ ! -d $(DEMO_INVENTORY) ]; then \
		echo "make demo: playbooks/bulk_onboard.yml and the demo inventory are not built yet."; exit 1; fi
	$(BIN)/python tools/demo.py --inventory $(DEMO_INVENTORY) --workdir $(BUILD)/demo

simulator: venv
	PYTHONPATH=tests $(BIN)/python -m simulator --port 8443 --workdir $(SIM_DIR)

# The docs site: antsibull-docs generates the plugin pages from the installed collection and the guides
# in docs/docsite. --lenient: the intersphinx inventories of docs.ansible.com cannot be fetched offline,
# and their missing-reference warnings must not fail the build. --fail-on-error: a broken plugin doc does.
docs: install
	rm -rf $(BUILD)/docs
	mkdir -m 755 -p $(BUILD)/docs
	$(BIN)/antsibull-docs sphinx-init --use-current --lenient --fail-on-error --dest-dir $(BUILD)/docs \
		--index-rst-source docs/site/index.rst --project csp.onboarding --copyright "csp.onboarding contributors" \
		--title "csp.onboarding" csp.onboarding >/dev/null
	# Plugin pages tell how to install the collection: from the built artifact, which is how it is distributed.
	sed -i 's|^  \* = "ansible-galaxy collection install .*|  * = "ansible-galaxy collection install csp-onboarding-$(VERSION).tar.gz"|' \
		$(BUILD)/docs/antsibull-docs.cfg
	# The theme's top bar links to Ansible's blog and forum by default: this site links nowhere else.
	printf '\nhtml_theme_options = dict(globals().get("html_theme_options", {}), topbar_links={})\n' \
		>> $(BUILD)/docs/conf.py
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(BUILD)/docs/requirements.txt
	cd $(BUILD)/docs && ./build.sh >$(BUILD)/docs/build.log 2>&1 || { tail -30 $(BUILD)/docs/build.log; exit 1; }
	@echo "docs: $(BUILD)/docs/build/html/index.html"

bench: install
	PYTHONPATH=tests $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(BUILD) tests/output
