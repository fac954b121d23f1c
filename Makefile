# Entry points (see README.md):
#   make provision   fresh machine -> provisioned lab host + summary
#   make rerun-timing [INVENTORY=path] [RUNS=5]   time healthy re-runs of provision.yml
#   make test        lint + unit tests + promtool + every molecule scenario (two lanes at once)
#   make verify INVENTORY=path   testinfra against any inventory
#   make drift INVENTORY=path    report drift between intent and reality (changes only the metrics file)
#   make bench [INVENTORY=path] [COMPARE="stock tuned dedicated"] [ROUNDS=3]   post-deploy load test
#   make bench-lab   the README's tables: every scenario on 4 GiB MySQL 9.7, MariaDB 10.11 and 11.8 lab hosts
#   make capacity [INVENTORY=path] [COMPARE="stock tuned"] [SCENARIO=io-bound]   what each host carries (thread ladder)
#   make bench-search [INVENTORY=path] [SEARCH_SCENARIOS="io-bound write-heavy"]   best found around tuned
#   make backup-check [INVENTORY=path]   the restore check of each host's newest backup, now
#   make fleet [FLEET_SIZE=4]   SSH lab hosts (inventories/fleet) provisioned with a canary rollout
#   make fleet-timing [RUNS=3]  the README's fleet table: first run and re-runs on 1, 4 and 8 SSH hosts
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    ?= python3
FLAVORS   := debian12-mariadb debian13-mariadb debiansid-mysql
SCENARIOS := default drift bench fleet network replication backup
# make test runs the scenarios in two lanes at once (each lane's scenarios one after another): the
# bench scenario spends most of its time in timed sysbench runs and the others in waits on
# servers and packages, so two lanes use the two CPUs. Each scenario's log is shown when it ends.
MOLECULE_LANES := bench,network,backup default,fleet,drift,replication
INVENTORY ?= inventories/lab
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: help venv engine images lab provision rerun-timing fleet fleet-timing lint unit promtool molecule molecule-lanes test verify drift bench bench-lab bench-lab-hosts bench-lab-iops bench-search capacity storm storm-lab backup-check query-report clean

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

# The three images build at once: each mostly waits on the package mirror.
images: engine
	@pids=(); for flavor in $(FLAVORS); do scripts/lab-image $$flavor & pids+=($$!); done; \
	failed=0; for pid in "$${pids[@]}"; do wait $$pid || failed=1; done; exit $$failed

lab: engine
	scripts/lab-host up

provision: venv lab
	$(BIN)/ansible-playbook provision.yml

# The README's re-run figure: RUNS healthy re-runs of provision.yml (each must change nothing).
RUNS ?= 5
rerun-timing: venv
	$(BIN)/python scripts/rerun_timing.py $(INVENTORY) $(RUNS)

# make fleet: FLEET_SIZE lab hosts reached over SSH (OpenSSH and paramiko, through the Docker
# engine), inventories/fleet/hosts.yml written for them, then provision.yml on the fleet.
FLEET_SIZE ?= 4
fleet: venv images
	scripts/lab-fleet up $(FLEET_SIZE)
	$(BIN)/ansible-playbook -i inventories/fleet provision.yml

# The README's fleet table: for 1, 4 and 8 hosts, a fresh fleet's first run, then RUNS re-runs.
fleet-timing: venv images
	$(BIN)/python scripts/rerun_timing.py --fleet 1,4,8 $(RUNS)

# ansible-test's sanity tests that run offline: the others build virtualenvs from the network.
# tests/unit/test_module_docs.py does validate-modules' documentation check offline.
SANITY_TESTS := action-plugin-docs compile empty-init line-endings no-assert no-get-exception \
	no-illegal-filenames no-smart-quotes replace-urlopen shebang symlinks use-argspec-type-path use-compat-six
COLLECTION := collections/ansible_collections/local/mysql

lint: venv
	$(BIN)/yamllint -s .
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ansible-lint
	cd $(COLLECTION) && $(CURDIR)/$(BIN)/ansible-test sanity --local \
		--python $$($(CURDIR)/$(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
		$(addprefix --test ,$(SANITY_TESTS))

unit: venv
	$(BIN)/pytest -q -n auto tests/unit

molecule: venv images
	@for scenario in $(SCENARIOS); do $(BIN)/molecule test -s $$scenario || exit 1; done

# Each lane runs its scenarios in turn; the summary at the end names what failed, since the
# logs of the lanes come out one after the other.
molecule-lanes: venv images
	@mkdir -p .lab; rm -f .lab/failed-*; pids=(); for lane in $(MOLECULE_LANES); do \
	  ( for scenario in $${lane//,/ }; do \
	      start=$$(date +%s); $(BIN)/molecule test -s $$scenario >.lab/molecule-$$scenario.log 2>&1; rc=$$?; \
	      cat .lab/molecule-$$scenario.log; echo "molecule $$scenario: rc $$rc in $$(( $$(date +%s) - start )) s"; \
	      [ $$rc -eq 0 ] || { touch .lab/failed-$$scenario; exit $$rc; }; \
	    done ) & pids+=($$!); \
	done; failed=0; for pid in "$${pids[@]}"; do wait $$pid || failed=1; done; \
	for mark in .lab/failed-*; do [ -e $$mark ] || continue; scenario=$${mark#.lab/failed-}; \
	  echo "== molecule $$scenario failed; its last failed task and molecule's words:"; \
	  sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^ *│ //' .lab/molecule-$$scenario.log >.lab/plain-$$scenario.log; \
	  last=$$(grep -n -E '^(fatal|failed): ' .lab/plain-$$scenario.log | tail -n 1 | cut -d: -f1); \
	  [ -z "$$last" ] || sed -n "$$last,$$((last + 30))p" .lab/plain-$$scenario.log; \
	  grep -E '^(FAILED|ERROR) |CRITICAL|Idempotence test failed|^\* \[' .lab/plain-$$scenario.log | tail -n 30; \
	done; exit $$failed

# The alert rules: promtool check rules and promtool test rules (a firing and a quiet case each).
promtool: images
	scripts/lab-promtool

# The lab images build (mostly waiting on the package mirror) while lint and the unit tests use
# the CPUs, side by side (lint alone keeps one busy); each one's output is shown when it ends.
test: venv engine
	@mkdir -p .lab; $(MAKE) --no-print-directory images >.lab/images.log 2>&1 & images=$$!; \
	$(MAKE) --no-print-directory -j2 --output-sync=target lint unit; checked=$$?; \
	wait $$images || { cat .lab/images.log; exit 1; }; cat .lab/images.log; [ $$checked -eq 0 ] || exit $$checked; \
	$(MAKE) --no-print-directory promtool molecule-lanes

# testinfra's own SSH backends take the fleet lab's ProxyCommand, key and known_hosts from its
# ssh_config (scripts/lab-fleet); hosts reached otherwise do not read it.
SSH_CONFIG ?= $(wildcard .lab/fleet-ssh/ssh_config)
verify: venv
	$(BIN)/pytest -q tests/infra --hosts='ansible://mysql_servers' --ansible-inventory=$(INVENTORY) --connection=ansible \
		$(if $(SSH_CONFIG),--ssh-config=$(SSH_CONFIG))

drift: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/drift.yml

# make bench: COMPARE and ROUNDS become mysql_bench_compare and mysql_bench_rounds; BENCH_ARGS passes more.
comma := ,
space := $(subst ,, )
COMPARE ?=
ROUNDS ?=
BENCH_VARS = {$(if $(strip $(COMPARE)),"mysql_bench_compare": [$(subst $(space),$(comma),$(patsubst %,"%",$(strip $(COMPARE))))]$(if $(ROUNDS),$(comma)))$(if $(ROUNDS),"mysql_bench_rounds": $(ROUNDS))}

SCENARIO ?=
SCENARIO_VARS = $(if $(SCENARIO),-e mysql_bench_scenario=$(SCENARIO))

bench: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/bench.yml -e '$(BENCH_VARS)' $(SCENARIO_VARS) $(BENCH_ARGS)

# make query-report: per host, the top statements of the window and why, N+1 suspects, indexes to
# drop and open transactions (query-reports/HOST/report.txt and report.json).
query-report: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/query-report.yml $(QUERY_ARGS)

# make capacity: client threads 1, 2, 4 ... on each configuration of COMPARE (default: as it is)
# until throughput stops growing, p95 passes the bound or errors appear (see mysql_bench_mode).
capacity: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/bench.yml -e '$(BENCH_VARS)' -e mysql_bench_mode=capacity \
		$(SCENARIO_VARS) $(BENCH_ARGS)

# make bench-search: on each host of INVENTORY, tuned against up to 12 candidates that each move one
# knob the sizing decides, in ROUNDS (default 3) alternating rounds, then the best one against tuned
# in ROUNDS fresh rounds, on io-bound then write-heavy with each scenario's own data, load and threads
# (an inventory's comparison list is set aside). Long: about 55 minutes a scenario on a lab host.
SEARCH_SCENARIOS ?= io-bound write-heavy
bench-search: venv
	@for scenario in $(SEARCH_SCENARIOS); do \
		$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/bench.yml -e mysql_bench_mode=search \
			-e mysql_bench_scenario=$$scenario \
			-e '{"mysql_bench_rounds": $(or $(ROUNDS),3), "mysql_bench_compare": [], "mysql_bench_workloads": [], "mysql_bench_table_size": 0, "mysql_bench_threads": 0}' \
			$(BENCH_ARGS) || exit 1; \
	done

# make bench-lab: the README's tables. Three 4 GiB cgroup-limited lab hosts (MySQL 9.7, MariaDB
# 10.11, MariaDB 11.8), provisioned, then every scenario of BENCH_LAB_SCENARIOS on each host in
# turn: stock, tuned and (MySQL) dedicated-budget in 3 alternating rounds (connections: the tuned
# server alone, its pool then its burst). BENCH_LAB_DISK=iops runs it on the hosts of
# make bench-lab-iops (a cloud volume's 3000 IOPS) instead of the lab's own disk.
BENCH_LAB_SCENARIOS ?= in-memory io-bound write-heavy connections
BENCH_LAB_DISK ?=
bench_lab_suffix = $(if $(filter iops,$(BENCH_LAB_DISK)),-iops)
bench_lab_hosts = bench-mysql$(bench_lab_suffix),bench-mariadb1011$(bench_lab_suffix),bench-mariadb$(bench_lab_suffix)
bench-lab: venv engine
	$(if $(bench_lab_suffix),$(MAKE) --no-print-directory bench-lab-iops,$(MAKE) --no-print-directory bench-lab-hosts)
	@for scenario in $(BENCH_LAB_SCENARIOS); do \
		only=$$([ $$scenario = connections ] && echo '{"mysql_bench_compare": []}' || echo '{}'); \
		$(BIN)/ansible-playbook -i inventories/bench-lab playbooks/bench.yml -l $(bench_lab_hosts) \
			-e mysql_bench_scenario=$$scenario -e "$$only" $(BENCH_ARGS) || exit 1; \
	done

bench-lab-hosts: venv engine
	LAB_HOST=bench-mysql LAB_MEMORY=4g scripts/lab-host up debiansid-mysql
	LAB_HOST=bench-mariadb1011 LAB_MEMORY=4g scripts/lab-host up debian12-mariadb
	LAB_HOST=bench-mariadb LAB_MEMORY=4g scripts/lab-host up debian13-mariadb
	$(BIN)/ansible-playbook -i inventories/bench-lab provision.yml -l bench-mysql,bench-mariadb1011,bench-mariadb

# The same three servers on a cloud volume's IOPS budget (3000 a second each way, through the
# containers' blkio cgroup; the machine itself is not touched): provisioned, so that fio measures
# the budget and the sizing follows it. Then run any scenario on them, for example
#   make bench INVENTORY=inventories/bench-lab SCENARIO=io-bound COMPARE="stock tuned" BENCH_ARGS="-l bench-mysql-iops"
LAB_IOPS ?= 3000
bench-lab-iops: venv engine
	LAB_HOST=bench-mysql-iops LAB_MEMORY=4g LAB_IOPS=$(LAB_IOPS) scripts/lab-host up debiansid-mysql
	LAB_HOST=bench-mariadb1011-iops LAB_MEMORY=4g LAB_IOPS=$(LAB_IOPS) scripts/lab-host up debian12-mariadb
	LAB_HOST=bench-mariadb-iops LAB_MEMORY=4g LAB_IOPS=$(LAB_IOPS) scripts/lab-host up debian13-mariadb
	$(BIN)/ansible-playbook -i inventories/bench-lab provision.yml -l bench-mysql-iops,bench-mariadb1011-iops,bench-mariadb-iops

# make backup-check: on each host of INVENTORY with backups, the weekly restore check now (the
# newest backup copied into a throwaway directory, a server started on it, every table read).
backup-check: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/backup-check.yml

# make storm: the memory model's check on each host of INVENTORY (see mysql_bench_mode).
storm: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/bench.yml -e mysql_bench_mode=storm $(BENCH_ARGS)

# The README's memory table: MySQL 9.7, MariaDB 10.11 and 11.8 in 4 GiB cgroup-limited lab
# containers, each storm of max_connections sessions on a pool read through first. About 20 minutes.
storm-lab: venv engine
	LAB_HOST=storm-mysql97 LAB_MEMORY=4g scripts/lab-host up debiansid-mysql
	LAB_HOST=storm-mariadb1011 LAB_MEMORY=4g scripts/lab-host up debian12-mariadb
	LAB_HOST=storm-mariadb118 LAB_MEMORY=4g scripts/lab-host up debian13-mariadb
	$(BIN)/ansible-playbook -i inventories/storm-lab provision.yml
	$(BIN)/ansible-playbook -i inventories/storm-lab playbooks/bench.yml

clean:
	scripts/lab-host down
	scripts/lab-fleet down
	rm -rf $(VENV) .pytest_cache
