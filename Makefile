# Sunshine (阳光政务). `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6.1 needs Python 3.12+. PYTHON= overrides; otherwise the first suitable interpreter found.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON ?= $(shell for p in python3.13 python3.12 \
	$(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3) $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3) \
	python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv run migrate demo worker test test-pg test-fast bench lint system-deps clean \
	serve serve-stop serve-status serve-check verify

help:
	@echo "make run      创建 .venv、安装、迁移、载入演示数据，在 http://$(HOST):$(PORT) 提供服务"
	@echo "make test     运行全部测试（含浏览器测试）"
	@echo "make test-pg  在临时 PostgreSQL 集群上运行全部测试"
	@echo "make serve    生产栈：nginx + gunicorn + PostgreSQL + Redis + 任务进程 + 调度器（http://127.0.0.1:8080）"
	@echo "make serve-stop  停止生产栈"
	@echo "make verify   可靠性与安全检查（权限矩阵、模糊测试、并发、上传、持久性、bandit、pip-audit）"
	@echo "make bench    性能基准"
	@echo "make lint     ruff 检查"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "找不到 Python 3.12 或更新版本（Django 6.1 需要）。请安装后用 PYTHON=/path/to/python3.12 make ... 指定。" >&2; \
	  exit 1; fi
	@echo "使用 $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --no-input

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

run: demo
	@bash scripts/system-deps documents || echo "（PDF 文书需要上述软件包；其余功能不受影响）"
	DEBUG=1 $(PY) manage.py run_huey --workers 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	$(PY) manage.py run_huey --workers 2

system-deps:
	bash scripts/system-deps browser documents

test: venv system-deps
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-pg: venv system-deps
	bash scripts/with-throwaway-postgres $(PY) -m pytest -n 2 $(PYTEST_ARGS)

serve: venv
	bash scripts/serve start

serve-stop:
	bash scripts/serve stop

serve-status:
	bash scripts/serve status

# The browser tests against a fresh production stack of its own (removed afterwards).
serve-check: venv
	bash scripts/serve-check $(PYTEST_ARGS)

verify: venv system-deps
	bash scripts/verify

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@

bench: venv system-deps $(VENV)/.bench-installed
	@failed=""; for b in bench/*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "未达到目标：$$failed"; exit 1; fi

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf var/test*.sqlite3* .hypothesis
