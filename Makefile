# make demo | test | data [CRAFT=DIR] [WSJ=DIR] | check-zoo [CRAFT=DIR] | bench | peers | build | install [PREFIX=DIR] | uninstall | fuzz [FUZZ_SECONDS=60] | deps | clean
# Every target that builds first installs what a fresh Debian machine is missing (`deps`).

SWIFT  ?= swift
PYTHON ?= python3
ZOO    := .build/release/zoo

# The project's own flags (-O in debug, -march=native, ...; Package.swift) for every build, test and
# fuzz build; without it the package builds as a dependent would, slower. Switching it rebuilds all.
export ZOO_NATIVE_BUILD := 1

# Debian packages the build and the tests need: OpenBLAS (loaded at run time by Sources/CBLAS),
# ICU (Unicode normalization for tokenization), zlib (gzip-compressed data sets), Fashion-MNIST
# (a test reads its test split), libxml2 (Foundation's XMLParser, which reads back the tree SVGs
# in the tests), Chromium (a test opens the attention page of `zoo attention` headless) and Open MPI
# (`mpirun -np N zoo run` trains data-parallel; the zoo loads libmpi only when mpirun starts it).
DEB_PACKAGES := libopenblas-dev libicu-dev zlib1g-dev dataset-fashion-mnist libxml2 chromium openmpi-bin libopenmpi-dev
# The corpora (docs/data-sources.md): SWORD Bible modules read through diatheke.
DATA_PACKAGES := diatheke sword-text-kjv sword-text-web sword-text-sparv
# apt-get needs root: use sudo only when we are not root and sudo exists.
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo)

.PHONY: deps data-deps data data-craft data-wsj build install install-files uninstall test demo check-zoo bench peers fuzz fuzz-build clean

deps:
	@dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y $(DEB_PACKAGES))

data-deps:
	@dpkg -s $(DATA_PACKAGES) >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y $(DATA_PACKAGES))

# Plain-text corpora extracted by the project's own code (data/ is not in git).
data: build data-deps data/kjv/train.txt data/bible-en-es/train.en $(if $(CRAFT),data-craft) $(if $(WSJ),data-wsj)

# The CRAFT treebank is no Debian package: the user gives a CRAFT release (or a copy of its
# treebank) as `make data CRAFT=DIR`; data/craft/{train,dev,test}.txt are its normalized trees.
data-craft: build
	@test -n "$(CRAFT)" || { echo "make data-craft needs CRAFT=DIR, a CRAFT release directory" >&2; exit 1; }
	$(ZOO) data craft --from "$(CRAFT)" --out data/craft

# The Penn Treebank-3 (LDC99T42) is licensed from the LDC: the user gives their copy (the release's
# directory, or its parsed/mrg/wsj folder) as `make data WSJ=DIR`; data/wsj/{train,dev,test}.txt
# are sections 02–21, 22 and 23, normalized.
data-wsj: build
	@test -n "$(WSJ)" || { echo "make data-wsj needs WSJ=DIR, a Penn Treebank-3 directory" >&2; exit 1; }
	$(ZOO) data wsj --from "$(WSJ)" --out data/wsj

data/kjv/train.txt:
	$(ZOO) data bible --module engKJV2006eb --out data/kjv

data/bible-en-es/train.en:
	$(ZOO) data bible-parallel --source engWEB2015eb --target spaRV1909eb --out data/bible-en-es

# The build names its commit for `zoo --version` in BuildCommit.swift, put back afterwards (kept
# in .build meanwhile) so that the tree stays clean and a plain `swift build` says "unknown".
COMMIT_FILE := Sources/zoo/BuildCommit.swift

build: deps
	@mkdir -p .build && cp $(COMMIT_FILE) .build/BuildCommit.swift.saved
	@sed -i 's/commit = "unknown"/commit = "$(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)"/' $(COMMIT_FILE)
	$(SWIFT) build -c release --product zoo; status=$$?; cp .build/BuildCommit.swift.saved $(COMMIT_FILE); exit $$status

# `zoo` in PREFIX/bin and the shipped models, tokenizers and recipes in PREFIX/share/transformer-zoo,
# where an installed zoo looks for its models (see `zoo list`); DESTDIR stages a package.
PREFIX ?= /usr/local
SHARE  := $(DESTDIR)$(PREFIX)/share/transformer-zoo
COMPLETIONS := $(DESTDIR)$(PREFIX)/share

install: build install-files

# What install copies, with the binary ZOO names (a test installs its debug build this way).
install-files:
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(SHARE)"
	install -m 755 $(ZOO) "$(DESTDIR)$(PREFIX)/bin/zoo"
	rm -rf "$(SHARE)/Zoo" "$(SHARE)/Tokenizers" "$(SHARE)/Recipes" "$(SHARE)/docs"
	cp -R Zoo Tokenizers Recipes "$(SHARE)/"
	install -d "$(SHARE)/docs" && cp -R docs/attention "$(SHARE)/docs/"   # the example pages the cards link to
	install -d "$(COMPLETIONS)/bash-completion/completions" "$(COMPLETIONS)/zsh/site-functions" "$(COMPLETIONS)/fish/vendor_completions.d"
	$(ZOO) --generate-completion-script bash > "$(COMPLETIONS)/bash-completion/completions/zoo"
	$(ZOO) --generate-completion-script zsh > "$(COMPLETIONS)/zsh/site-functions/_zoo"
	$(ZOO) --generate-completion-script fish > "$(COMPLETIONS)/fish/vendor_completions.d/zoo.fish"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/zoo"
	rm -f "$(COMPLETIONS)/bash-completion/completions/zoo" "$(COMPLETIONS)/zsh/site-functions/_zoo" \
		"$(COMPLETIONS)/fish/vendor_completions.d/zoo.fish"
	rm -rf "$(SHARE)"

# `make demo` and `make test` share one build, the debug configuration, in which this package's own
# modules are optimized as well (-O, Package.swift): the demo runs at nearly release speed and the
# tests reuse all it compiled. `make build` (release, whole-module) is for install, data and bench.
# XCTest is off: every test is a Swift Testing one, and the run ends with its one summary line.
test: deps
	$(SWIFT) test --disable-xctest

# libFuzzer on every parser a user's file reaches (Fuzz/, RELIABILITY.md): each target runs
# FUZZ_SECONDS on its seeds; crashes land in Fuzz/crashes/<target>/. libFuzzer's runtime ships with
# the Swift toolchain (lib/clang/*/lib/linux/libclang_rt.fuzzer*), so no Debian package beyond `deps`.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := $(SWIFT) build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address

fuzz-build: deps
	$(FUZZ_BUILD)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh "$$($(FUZZ_BUILD) --show-bin-path)" $(FUZZ_TARGETS)

demo: deps
	$(SWIFT) build --product zoo
	.build/debug/zoo demo

# Every shipped model re-evaluated on the split its card reports, against the card (`zoo eval
# --check`): fails on the first that does not reproduce its card. The parsers need CRAFT=DIR.
check-zoo: data
	$(ZOO) eval --model gpt-kjv --data data/kjv/valid.txt --check val
	$(ZOO) eval --model bible-en-es --src data/bible-en-es/test.en --ref data/bible-en-es/test.es --check test
	$(ZOO) eval --model bible-es-en --src data/bible-en-es/test.es --ref data/bible-en-es/test.en --check test
	$(ZOO) eval --model vit-fashion-mnist --data fashion-mnist-test --check test
	$(ZOO) eval --model gpt-kjv-int8 --data data/kjv/test.txt --check test
	$(ZOO) eval --model bible-en-es-int8 --src data/bible-en-es/test.en --ref data/bible-en-es/test.es --check test
	$(ZOO) eval --model bible-es-en-int8 --src data/bible-en-es/test.es --ref data/bible-en-es/test.en --check test
	$(ZOO) eval --model vit-fashion-mnist-int8 --data fashion-mnist-test --check test
	@test -f data/craft/test.txt || { echo "check-zoo: the parsers need data/craft: make check-zoo CRAFT=DIR" >&2; exit 1; }
	$(ZOO) eval --model parse-craft --data data/craft/test.txt --check test
	$(ZOO) eval --model parse-craft-seq2seq --data data/craft/test.txt --check test

bench: data
	$(ZOO) bench all

# PyTorch on the same shapes as `zoo bench` (see BENCHMARKS.md); installs torch from PyPI if missing.
peers: data
	@$(PYTHON) -c 'import torch' 2>/dev/null || $(PYTHON) -m pip install torch
	$(PYTHON) Benchmarks/peers/torch_peers.py
	@$(PYTHON) -c 'import sentencepiece' 2>/dev/null || $(PYTHON) -m pip install sentencepiece
	$(PYTHON) Benchmarks/peers/spm_peers.py

clean:
	rm -rf .build
