# The two README commands and their parts. Everything runs as root (or with sudo for the
# Debian packages); testbed/bootstrap-host installs what is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := $(CURDIR)/.venv
BUILD     := $(CURDIR)/build
export PATH := $(VENV)/bin:$(PATH)
# Molecule's repository volume is $(MOLECULE_PROJECT_DIRECTORY)/build/repo.
export MOLECULE_PROJECT_DIRECTORY := $(CURDIR)
export ANSIBLE_FORCE_COLOR ?= 0
export PY_COLORS ?= 0
MASTER_IP := 172.30.250.11
# The collection is a real directory of the repository (no symbolic link): the top-level
# playbooks find it as their playbook-adjacent collections/, the tools through COLLECTIONS.
COLLECTIONS := $(CURDIR)/collections
COLLECTION  := collections/ansible_collections/openvstorage/hyperscale

.PHONY: help bootstrap image repo testbed ee demo demo-clean bench test lint sanity unit molecule-test
.PHONY: molecule-bad_input molecule-default molecule-legacy
.PHONY: matrix matrix-full matrix-venvs sanity-each emulator-py39
.PHONY: docs docs-lint

help:
	@echo "make demo        build the emulated cluster (containers) and converge it; rerun to converge again"
	@echo "make demo-clean  remove the demo containers and network"
	@echo "make test        ansible-lint, ansible-test sanity, unit tests, the ansible-core matrix, molecule test"
	@echo "                 (on a fresh machine: testbed/bootstrap-host make demo|test, as root or with sudo)"
	@echo "make bench       time hyperscale.yml cold and rerun on the demo layout (9 nodes) and on 15 nodes over SSH"
	@echo "                 (containers bench-*, network ovs-bench; table + build/bench/bench.json; BENCH_ARGS=--keep keeps"
	@echo "                 the last bed, BENCH_ARGS=demo one bed); a benchmark, not part of make test"
	@echo "make ee          build the execution environment image openvstorage-hyperscale-ee:<version> (AWX)"
	@echo "parts: bootstrap image repo lint docs-lint sanity unit matrix emulator-py39 molecule-test"
	@echo "       (molecule-<scenario>: bad_input, default, legacy: Debian 11, Python 2.7, ansible-core 2.16)"
	@echo "       matrix: unit tests and sanity under ansible-core $(MATRIX) (build/venvs/<version>);"
	@echo "       one version: unit-<version> sanity-<version>; emulator-py39: emulator/tests on Python 3.9"

bootstrap:
	testbed/bootstrap-host

# the node images: Debian 12 (bookworm) and Debian 11 (bullseye, Python 2.7: the legacy scenario)
image: bootstrap
	testbed/build-image
	SUITE=bullseye testbed/build-image

repo: image
	testbed/build-repo

testbed: repo

# The execution environment for AWX / Automation Platform (execution-environment.yml): ansible-builder
# builds openvstorage-hyperscale-ee:<galaxy.yml version> on the test bed's base image, offline (the
# wheels and Debian packages are fetched on the host first, into build/ee). About half a minute;
# seconds when nothing changed (docker's layer cache). The default scenario runs the collection
# inside it (molecule/default/tests/test_execution_environment.py).
ee: image
	testbed/build-ee

demo: testbed
	testbed/resume
	molecule converge
	@echo
	@echo "The demo cluster runs (containers ctl01-03, cmp01-02, str01-03, repo on 172.30.250.0/24)."
	@echo "  API of the first controller:  https://$(MASTER_IP)/api/  (self-signed; admin/admin)"
	@echo "  look at it:                   docker exec -it ctl01 ovs config list /"
	@echo "                                docker exec -it ctl01 ovs healthcheck"
	@echo "                                docker exec -it str01 asd-manager --help"
	@echo "  converge again:               make demo     remove it: make demo-clean"

demo-clean:
	-molecule destroy
	testbed/clean

# A benchmark, not a test (nothing asserts a time; a busy 2-core machine gives noisy numbers):
# testbed/bench builds each bed (the demo layout, the 15 nodes of the original playbook's inventory)
# in containers bench-<host> on its own internal network ovs-bench, runs hyperscale.yml cold and
# again over SSH with passwords, prints a table and writes build/bench/bench.json; it fails when
# the rerun changes something. The beds are removed at the end unless BENCH_ARGS=--keep.
BENCH_ARGS ?=
bench: repo
	testbed/bench $(BENCH_ARGS)

# The parts of `make test`, run by testbed/run-parts, which goes on after a failed part and prints
# the wall time of each at the end (CI stops at 90 minutes: keep the total under 75 on a 2-core
# machine). Two lanes side by side (`--`): the test bed and the molecule scenarios, and the checks
# that need no cluster. One cluster build serves the default scenario's checks, its day-2
# operations, its layout change, its upgrades and GeoScale (molecule/default/tests/conftest.py).
TEST_PARTS := testbed molecule-bad_input molecule-default molecule-legacy \
              -- lint docs-lint sanity unit matrix-full emulator-py39

test: bootstrap
	testbed/run-parts $(TEST_PARTS)

lint: bootstrap
	ansible-lint --profile production

# ansible-test sanity of ansible-core 2.19 (.venv): testbed/sanity copies what `ansible-galaxy
# collection build` ships into build/sanity/<version>/ansible_collections/openvstorage/hyperscale
# (ansible-test lists files through git: the copy gets its own git index) and runs the compile and
# import tests on every target Python the machine has (pyenv's; a missing one is named loudly).
# --venv: the sanity tools come from PyPI into ~/.ansible/test (a few minutes the first time,
# cached afterwards); ansible-test's pip bootstrap script comes from testbed/ (its download host is
# out of reach).
sanity: bootstrap
	testbed/sanity $(VENV)/bin/python $(BUILD)/sanity/2.19

# The emulator's own tests run in emulator-py39 only: on the oldest Python its nodes run (Debian
# 11's 3.9); the test bed runs it on Debian 12's 3.11 in every molecule scenario.
unit: bootstrap
	python -m pytest -q -p no:cacheprovider $(COLLECTION)/tests/unit tests/testbed tests/clone

# The claimed range is the tested range: the unit tests of tests/unit and ansible-test sanity under
# every other ansible-core of the collection's meta/runtime.yml range (2.19 is `unit` and `sanity` above), each in
# its virtualenv build/venvs/<version> (Python 3.11) with the pins of tests/requirements-matrix.txt,
# rebuilt only when missing or its pins changed. Sanity of 2.16 compiles and imports the modules
# and module_utils on Python 2.7 and 3.6 too. The parts run two at a time (two cores).
# `matrix`: the unit tests under every version and sanity under the oldest (2.16; `sanity` is the
# newest); `matrix-full` adds sanity under the versions between. `make test` runs `matrix-full`
# (beside the molecule scenarios: a fresh machine builds each version's sanity tools once, minutes
# each).
MATRIX_PINS   := tests/requirements-matrix.txt
MATRIX        := $(shell awk -F: '/^2\.[0-9]+:/ {print $$1}' $(MATRIX_PINS))
PYENV_ROOT    ?= $(HOME)/.pyenv
pyenv_python   = $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1)))),$(shell command -v python$(1)),$(error no python$(1): install it with pyenv))
MATRIX_VENVS  := $(MATRIX:%=$(BUILD)/venvs/%/.pins)

matrix: bootstrap matrix-venvs
	$(MAKE) --no-print-directory -j2 -O sanity-$(firstword $(MATRIX)) $(MATRIX:%=unit-%)

# the sanity runs one after the other (they share ansible-test's cached virtualenvs under
# ~/.ansible/test: two building one at once broke its pip), beside the unit tests
matrix-full: bootstrap matrix-venvs
	$(MAKE) --no-print-directory -j2 -O sanity-each $(MATRIX:%=unit-%)

sanity-each: $(MATRIX_VENVS)
	status=0; for v in $(MATRIX); do testbed/sanity $(BUILD)/venvs/$$v/bin/python $(BUILD)/sanity/$$v || status=1; done; exit $$status

matrix-venvs: $(MATRIX_VENVS)

$(MATRIX_VENVS): $(BUILD)/venvs/%/.pins: $(MATRIX_PINS)
	testbed/matrix-venv $* $(BUILD)/venvs/$* $(call pyenv_python,3.11)

$(MATRIX:%=sanity-%): sanity-%: $(BUILD)/venvs/%/.pins
	testbed/sanity $(BUILD)/venvs/$*/bin/python $(BUILD)/sanity/$*

$(MATRIX:%=unit-%): unit-%: $(BUILD)/venvs/%/.pins
	$(BUILD)/venvs/$*/bin/python -m pytest -q -p no:cacheprovider $(COLLECTION)/tests/unit

# The emulator runs on the nodes' Python 3, Debian 11's is 3.9: its tests under pyenv's 3.9.
emulator-py39: bootstrap $(MATRIX_PINS)
	testbed/matrix-venv emulator-py3.9 $(BUILD)/venvs/emulator-py3.9 $(call pyenv_python,3.9)
	$(BUILD)/venvs/emulator-py3.9/bin/python -m pytest -q -p no:cacheprovider emulator/tests

# A fresh scenario: a running demo is destroyed first (same names and addresses). The default
# and legacy scenarios log their builds at -vvv (their verify checks that no secret is in the log).
molecule-test: molecule-bad_input molecule-default molecule-legacy

# the default scenario runs the collection inside the execution environment too
molecule-default: ee
molecule-bad_input molecule-default: molecule-%: testbed
	molecule destroy
	testbed/clean
	$(if $(filter default,$*),ANSIBLE_VERBOSITY=3 )molecule test -s $*

# The legacy scenario runs under ansible-core 2.16 (Debian 11 nodes, modules on Python 2.7): molecule
# and Ansible of build/venvs/legacy (the `legacy:` pins of tests/requirements-matrix.txt, with the
# Ansible community package of that core for community.docker).
LEGACY_VENV := $(BUILD)/venvs/legacy
$(LEGACY_VENV)/.pins: $(MATRIX_PINS)
	testbed/matrix-venv legacy $(LEGACY_VENV) $(call pyenv_python,3.11)

molecule-legacy: testbed $(LEGACY_VENV)/.pins
	molecule destroy
	testbed/clean
	PATH=$(LEGACY_VENV)/bin:$$PATH OVS_NODE_IMAGE=ovs-hyperscale-node:bullseye ANSIBLE_VERBOSITY=3 molecule test -s legacy

# The collection's docs/collection (module, filter and role docs: antsibull-docs' simplified RST,
# which GitHub shows) and CHANGELOG.rst (antsibull-changelog) are generated and committed. `make
# docs` renders both from the working tree; `make docs-lint` lints the plugin and role docs and the
# changelog fragments, renders again into build/docs and fails when the committed files differ.
# antsibull-docs finds the collection through COLLECTIONS. While changelogs/fragments/ has
# fragments, CHANGELOG.rst shows them as the galaxy.yml version, released in a scratch copy
# (docs/releasing.md).
DOCS_TMP        := $(BUILD)/docs
CHANGELOG_TREE   = $(1)/changelog/ansible_collections/openvstorage/hyperscale
# fragments belong to the galaxy.yml version, which must not be in changelog.yaml yet
CHANGELOG_UNRELEASED := import sys, yaml; \
  v = yaml.safe_load(open("galaxy.yml"))["version"]; \
  r = yaml.safe_load(open("changelogs/changelog.yaml")).get("releases") or {}; \
  sys.exit(f"changelogs/fragments/ has fragments but {v} (galaxy.yml) is released: raise the version" if v in r else 0)

# $(call render_docs,DIR): DIR/collection/*.rst and DIR/CHANGELOG.rst
define render_docs
	rm -rf $(1) && mkdir -p $(1)/collection $(CHANGELOG_TREE)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) antsibull-docs collection --use-current --fail-on-error \
	  --output-format simplified-rst --squash-hierarchy --dest-dir $(1)/collection openvstorage.hyperscale >/dev/null
	cd $(COLLECTION) && cp -a galaxy.yml meta plugins roles changelogs $(CHANGELOG_TREE)/
	cd $(CHANGELOG_TREE) && if compgen -G 'changelogs/fragments/*.y*ml' >/dev/null; \
	  then python -c '$(CHANGELOG_UNRELEASED)' && antsibull-changelog release --reload-plugins; \
	  else antsibull-changelog generate --reload-plugins; fi
	cp $(CHANGELOG_TREE)/CHANGELOG.rst $(1)/CHANGELOG.rst
endef

docs: bootstrap
	$(call render_docs,$(DOCS_TMP))
	rm -rf $(COLLECTION)/docs/collection && cp -a $(DOCS_TMP)/collection $(COLLECTION)/docs/collection
	cp $(DOCS_TMP)/CHANGELOG.rst $(COLLECTION)/CHANGELOG.rst

docs-lint: bootstrap
	antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent \
	  --disallow-unknown-collection-refs $(COLLECTION)
	cd $(COLLECTION) && antsibull-changelog lint
	$(call render_docs,$(DOCS_TMP))
	diff -ru $(COLLECTION)/docs/collection $(DOCS_TMP)/collection \
	  && diff -u $(COLLECTION)/CHANGELOG.rst $(DOCS_TMP)/CHANGELOG.rst \
	  || { echo '$(COLLECTION): docs/collection or CHANGELOG.rst is out of date: run `make docs` and commit them' >&2; exit 1; }
