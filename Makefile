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
SANITY_TREE := $(BUILD)/sanity/ansible_collections/openvstorage/hyperscale
MASTER_IP := 172.30.250.11

.PHONY: help bootstrap image repo testbed demo demo-clean test lint sanity unit molecule-test

help:
	@echo "make demo        build the emulated cluster (containers) and converge it; rerun to converge again"
	@echo "make demo-clean  remove the demo containers and network"
	@echo "make test        ansible-lint, ansible-test sanity, unit tests, molecule test"
	@echo "parts: bootstrap image repo lint sanity unit molecule-test"

bootstrap:
	testbed/bootstrap-host

image: bootstrap
	testbed/build-image

repo: image
	testbed/build-repo

testbed: repo

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

test: bootstrap lint sanity unit molecule-test

lint: bootstrap
	ansible-lint --profile production

# ansible-test needs the collection under .../ansible_collections/openvstorage/hyperscale and
# lists files through git: copy what `ansible-galaxy collection build` ships into build/ and
# give the copy its own git index. --venv: the sanity tools come from PyPI into
# ~/.ansible/test (a few minutes the first time, cached afterwards); ansible-test's pip
# bootstrap script comes from testbed/ (its download host is out of reach).
sanity: bootstrap
	testbed/ansible-test-setup $(VENV)/bin/python
	rm -rf $(BUILD)/sanity && mkdir -p $(BUILD)/sanity
	ansible-galaxy collection build --force --output-path $(BUILD)/sanity . >/dev/null
	ansible-galaxy collection install --force -p $(BUILD)/sanity $(BUILD)/sanity/openvstorage-hyperscale-*.tar.gz >/dev/null
	cd $(SANITY_TREE) && rm -rf tests/output .ansible && printf '/tests/output/\n' > .gitignore \
	  && git init -q && git add -A \
	  && ansible-test sanity --venv --python 3.11 --color no

unit: bootstrap
	python -m pytest -q -p no:cacheprovider tests/unit emulator/tests

# A fresh scenario: a running demo is destroyed first (same names and addresses).
molecule-test: testbed
	molecule destroy
	testbed/clean
	molecule test -s bad_input
	molecule test -s default
