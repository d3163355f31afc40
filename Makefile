# make demo | test | bench | peers | build | deps | clean
# Every target that builds first installs what a fresh Debian machine is missing (`deps`).

SWIFT  ?= swift
PYTHON ?= python3
ZOO    := .build/release/zoo

# Debian packages the build and the tests need: OpenBLAS (loaded at run time by Sources/CBLAS)
# and ICU (Unicode normalization for tokenization).
DEB_PACKAGES := libopenblas-dev libicu-dev
# apt-get needs root: use sudo only when we are not root and sudo exists.
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo)

.PHONY: deps build test demo bench peers clean

deps:
	@dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y $(DEB_PACKAGES))

build: deps
	$(SWIFT) build -c release --product zoo

test: deps
	$(SWIFT) test

demo: build
	$(ZOO) demo

bench: build
	$(ZOO) bench all

# PyTorch on the same shapes as `zoo bench` (see BENCHMARKS.md); installs torch from PyPI if missing.
peers:
	@$(PYTHON) -c 'import torch' 2>/dev/null || $(PYTHON) -m pip install torch
	$(PYTHON) Benchmarks/peers/torch_peers.py

clean:
	rm -rf .build
