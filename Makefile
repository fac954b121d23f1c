# Entry points (see README.md):
#   make provision   fresh machine -> provisioned lab host + summary
#   make test        lint + unit tests + every molecule scenario
#   make verify INVENTORY=path   testinfra against any inventory
#   make drift INVENTORY=path    report drift between intent and reality (changes nothing)
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    ?= python3
FLAVORS   := debian12-mariadb debian13-mariadb debiansid-mysql
SCENARIOS := default small-host raid drift
INVENTORY ?= inventories/lab
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: help venv engine images lab provision lint unit molecule test verify drift clean

help:
	@echo "make provision | make test | make verify INVENTORY=path | make drift INVENTORY=path | make clean"

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

engine:
	scripts/lab-engine

images: engine
	@for flavor in $(FLAVORS); do scripts/lab-image $$flavor || exit 1; done

lab: engine
	scripts/lab-host up

provision: venv lab
	$(BIN)/ansible-playbook provision.yml

lint: venv
	$(BIN)/yamllint -s .
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ansible-lint

unit: venv
	$(BIN)/pytest -q tests/unit

molecule: venv images
	@for scenario in $(SCENARIOS); do $(BIN)/molecule test -s $$scenario || exit 1; done

test: lint unit molecule

verify: venv
	$(BIN)/pytest -q tests/infra --hosts='ansible://mysql_servers' --ansible-inventory=$(INVENTORY) --connection=ansible

drift: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/drift.yml

clean:
	scripts/lab-host down
	rm -rf $(VENV) .pytest_cache
