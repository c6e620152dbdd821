# camp -- marketing automation as code.
#
#   make            build build/camp (installs missing build dependencies)
#   make demo       the demo: a simulated month of the example campaigns
#   make demo-oro   Oro's toolset: lists, a manual and a deferred mailing, an initiative, a simulated March
#   make demo-web   a website's visits driving a campaign (on visit), its visits and reports, a simulated June week
#   make test       every test (unit, golden, examples, scenarios, fuzz smoke)
#   make san        the same suite under -fsanitize=address,undefined
#   make man        the man pages camp(1) and camp-language(5) in $(BUILD)/man/
#   make install PREFIX=/usr/local DESTDIR=    the binary, man pages, completions, examples
#   make uninstall  removes exactly what install installed
#
# Generated C (re2c, lemon) is written to $(BUILD) only.

VERSION  = 0.10.0
# build on every core (the suites of make test still run one at a time)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
SAN     ?=
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wpointer-arith -Wformat=2
CPPFLAGS = -std=c11 -D_GNU_SOURCE -I. -I$(BUILD) -MMD -MP
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# GMime (MIME parsing for camp ingest) only through pkg-config, expanded when
# a recipe runs: after the dependencies are installed.
# libxml2 (the HTML parser behind the plain part, runtime/compose.c) likewise.
GMIME_CFLAGS = $(shell pkg-config --cflags gmime-3.0)
XML_CFLAGS   = $(shell pkg-config --cflags libxml-2.0)
# libpq (the PostgreSQL store) likewise, for every object: which files include
# libpq-fe.h is the runtime's business; expanded once, on first use.
PQ_CFLAGS    = $(eval PQ_CFLAGS := $(shell pkg-config --cflags libpq))$(PQ_CFLAGS)
CPPFLAGS    += $(PQ_CFLAGS)
# libgit2 (the unified diff of bodies in `camp plan`, runtime/plan.c) likewise.
LDLIBS   = -lsqlite3 -lcurl -ljansson -lmicrohttpd -lcrypto -lm -lpthread $(shell pkg-config --libs gmime-3.0 libxml-2.0 libgit2 libpq)

# Debian packages: to build, and (in addition) to run the test suite.  tzdata: the
# IANA zones GLib reads (time zones in campaigns, docs/RUNTIME.md).
BUILD_PKGS = re2c lemon libsqlite3-dev libcurl4-openssl-dev libjansson-dev \
             libmicrohttpd-dev libssl-dev libgmime-3.0-dev libxml2-dev libgit2-dev libpq-dev pkg-config scdoc tzdata
# Only what tests use; the benchmarks install their own tools (bench/*.sh).
# postgresql: the server (15 on Debian 12) of the throwaway clusters tests/pg.sh
# starts (pg_stat_statements is in it).
TEST_PKGS  = clang libclang-rt-14-dev sqlite3 curl openssl python3-aiosmtpd python3-jsonschema graphviz \
             chromium chromium-driver dovecot-imapd zsh man-db postgresql

GEN      = $(BUILD)/lexer.c $(BUILD)/parser.c
LIB_SRC  = $(wildcard compiler/*.c runtime/*.c stdlib/*.c) $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ  = $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/lexer.o $(BUILD)/camp_js.o
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps test-deps test san demo demo-oro demo-web man install uninstall clean golden-update bench fuzz fuzz-corpus names

all: $(BUILD)/camp

# --- dependencies -----------------------------------------------------------
define need_pkgs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:" $$missing; export DEBIAN_FRONTEND=noninteractive; \
	    (apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing)) >/dev/null || exit 1; \
	  else \
	    echo "missing packages; run: sudo apt-get install -y" $$missing; exit 1; \
	  fi; \
	fi
endef

$(BUILD)/.deps: Makefile
	$(call need_pkgs,$(BUILD_PKGS))
	@mkdir -p $(@D) && touch $@
deps: $(BUILD)/.deps

$(BUILD)/.test-deps: Makefile
	$(call need_pkgs,$(TEST_PKGS))
	@mkdir -p $(@D) && touch $@
test-deps: $(BUILD)/.test-deps

# --- generated front end ----------------------------------------------------
$(BUILD)/parser.c $(BUILD)/parser.h: grammar/parser.y | $(BUILD)/.deps
	@mkdir -p $(BUILD)
	cp grammar/parser.y $(BUILD)/parser.y
	cd $(BUILD) && lemon -q -s parser.y >/dev/null || (cd $(BUILD) && lemon parser.y; exit 1)

$(BUILD)/lexer.c: grammar/lexer.re $(BUILD)/parser.h | $(BUILD)/.deps
	re2c -W --no-generation-date -o $@ $<

$(BUILD)/lexer.o: $(BUILD)/lexer.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-const-variable -c -o $@ $<
# parser.c is #included by compiler/parse.c (see there why).

# camp.js, the website tracker `camp serve` answers /camp.js with
# (runtime/serve_site.c), as the bytes of a C array.
$(BUILD)/camp_js.c: runtime/camp.js
	@mkdir -p $(@D)
	{ echo '/* generated from runtime/camp.js by the Makefile: do not edit */'; \
	  echo 'const unsigned char campServeSiteJs[] = {'; od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0 };'; \
	  echo 'const unsigned long campServeSiteJsSize = sizeof campServeSiteJs - 1;'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/camp_js.o: $(BUILD)/camp_js.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# --- objects ------------------------------------------------------------------
$(BUILD)/runtime/ingest.o: CPPFLAGS += $(GMIME_CFLAGS)
$(BUILD)/runtime/natives.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/compiler/resolve_timing.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/runtime/sync_import.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/runtime/compose.o $(BUILD)/cli/test.o: CPPFLAGS += $(XML_CFLAGS)
$(BUILD)/runtime/sync_deliver.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/runtime/plan.o: CPPFLAGS += $(shell pkg-config --cflags libgit2)
$(BUILD)/runtime/sync.o $(BUILD)/runtime/sync_members.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/runtime/clock_zone.o: CPPFLAGS += $(shell pkg-config --cflags glib-2.0)
$(BUILD)/cli/help.o: CPPFLAGS += $(GMIME_CFLAGS) $(XML_CFLAGS) $(shell pkg-config --cflags libgit2) -DCAMP_VERSION='"$(VERSION)"'

$(BUILD)/%.o: %.c | $(BUILD)/.deps $(BUILD)/parser.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libcamp.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/camp: $(BUILD)/cli/main.o $(BUILD)/libcamp.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcamp.a | $(BUILD)/parser.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(BUILD)/libcamp.a $(LDLIBS)

# runtime/db.h on a real database, SQLite and PostgreSQL (tests/suite_db.sh)
$(BUILD)/db/dbcheck: tests/db/dbcheck.c $(BUILD)/libcamp.a | $(BUILD)/parser.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(BUILD)/libcamp.a $(LDLIBS)

# --- commands -------------------------------------------------------------------
test: $(BUILD)/camp $(UNIT_BIN) $(BUILD)/db/dbcheck names | $(BUILD)/.test-deps $(BUILD)/npm/.installed $(BUILD)/npm-website/.installed $(BUILD)/npm-esp/.installed
	@BUILD=$(BUILD) sh tests/run.sh

# VS Code's TextMate engine for tests/suite_editors.sh, at the versions
# tests/editors/package-lock.json pins, under $(BUILD)/npm only.
TEST_PKGS += vim nodejs
NPM_CI = npm ci --prefix $(BUILD)/npm --no-audit --no-fund
$(BUILD)/npm/.installed: tests/editors/package.json tests/editors/package-lock.json | $(BUILD)/.test-deps
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install -y npm), then run:"; \
	  echo "  mkdir -p $(@D) && cp tests/editors/package.json tests/editors/package-lock.json $(@D)/ && $(NPM_CI)"; exit 1; }
	@mkdir -p $(@D) && cp tests/editors/package.json tests/editors/package-lock.json $(@D)/
	$(NPM_CI)
	@touch $@

# The Matomo tracker from npm that tests/suite_website.sh drives beside
# camp's snippet, at the version tests/website/package-lock.json pins,
# under $(BUILD)/npm-website only (test-only: never installed, never in git).
$(BUILD)/npm-website/.installed: tests/website/package.json tests/website/package-lock.json | $(BUILD)/.test-deps
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install -y npm)"; exit 1; }
	@mkdir -p $(@D) && cp tests/website/package.json tests/website/package-lock.json $(@D)/
	npm ci --prefix $(@D) --no-audit --no-fund
	@touch $@

# Mailchimp's official Node client that tests/suite_esp_mailchimp.sh drives
# against tests/esp/mailchimp_fake.py, at the version tests/esp/package-lock.json
# pins, under $(BUILD)/npm-esp only (test-only: never installed, never in git).
$(BUILD)/npm-esp/.installed: tests/esp/package.json tests/esp/package-lock.json | $(BUILD)/.test-deps
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install -y npm)"; exit 1; }
	@mkdir -p $(@D) && cp tests/esp/package.json tests/esp/package-lock.json $(@D)/
	npm ci --prefix $(@D) --no-audit --no-fund
	@touch $@

# under the sanitizers: every suite once on its first store (the suites that
# run only on PostgreSQL -- db, pgstore, move, workers -- included; workers
# with 2,000 contacts), not the PostgreSQL reruns of the SQLite ones, nor
# suite_fuzz (the same libFuzzer targets, sanitized, as in make test)
san:
	CAMP_TEST_RERUN=no CAMP_TEST_SKIP=suite_fuzz NW=2000 $(MAKE) test BUILD=build/san SAN=1 OPT=-O1

demo: $(BUILD)/camp
	@sh examples/demo.sh $(BUILD)/camp

demo-oro: $(BUILD)/camp
	@sh examples/demo_oro.sh $(BUILD)/camp

demo-web: $(BUILD)/camp
	@sh examples/demo_web.sh $(BUILD)/camp

golden-update: $(BUILD)/camp
	@BUILD=$(BUILD) UPDATE=1 sh tests/golden.sh

bench: $(BUILD)/camp
	sh bench/compile.sh

# --- fuzzing (docs/FUZZING.md) -------------------------------------------------
# Seed images for the image targets, compiled from examples/ into build/
# (generated, never committed); tests/suite_fuzz.sh makes them too.
FUZZ_SEEDS = $(patsubst examples/%.camp,$(BUILD)/fuzz/corpus_image/%.campc,$(wildcard examples/*.camp))
$(BUILD)/fuzz/corpus_image/%.campc: examples/%.camp $(BUILD)/camp
	@mkdir -p $(@D)
	$(BUILD)/camp compile $< -o $@
fuzz-corpus: $(FUZZ_SEEDS)
# A longer run than the test suite's smoke: FUZZ_SECONDS per target (default 300).
fuzz: $(BUILD)/camp fuzz-corpus
	BUILD=$(BUILD) FUZZ_SECONDS=$${FUZZ_SECONDS:-300} FUZZ_RUNS=$${FUZZ_RUNS:-100000000} sh tests/suite_fuzz.sh

# Every global symbol starts with camp (STYLE.md).
names: $(BUILD)/libcamp.a
	@bad=$$(nm -g --defined-only $(BUILD)/libcamp.a | awk 'NF==3 && $$2 ~ /[TDBR]/ {print $$3}' | grep -v -e '^camp' -e '^__odr_asan' || true); \
	if [ -n "$$bad" ]; then echo "globals without the camp prefix:" $$bad; exit 1; fi

# --- man pages and installation -----------------------------------------------------
# camp(1) is written in scdoc (docs/camp.1.scd); camp-language(5) is made from
# docs/LANGUAGE.md (tools/md2scd.py), so the reference has one text.
MAN = $(BUILD)/man/camp.1 $(BUILD)/man/camp-language.5
man: $(MAN)

$(BUILD)/man/camp.1: docs/camp.1.scd | $(BUILD)/.deps
	@mkdir -p $(@D)
	sed 's/"camp VERSION"/"camp $(VERSION)"/' $< | scdoc > $@.tmp && mv $@.tmp $@

$(BUILD)/man/camp-language.5.scd: docs/LANGUAGE.md tools/md2scd.py
	@mkdir -p $(@D)
	/usr/bin/python3 tools/md2scd.py camp-language 5 $(VERSION) < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/man/camp-language.5: $(BUILD)/man/camp-language.5.scd | $(BUILD)/.deps
	scdoc < $< > $@.tmp && mv $@.tmp $@

# Every file install writes, relative to $(DESTDIR)$(PREFIX); uninstall removes these.
# The examples: campaign files, the body files they embed, sample data (demo.sh is the repository's).
EXAMPLES  = $(wildcard examples/*.camp examples/*/*.html examples/*/*.txt examples/*/*.md examples/data/*.csv)
DOCDIR    = share/doc/camp
# Editor support: the Vim files where Vim looks for packaged ones
# (share/vim/vimfiles, on Debian's runtime path for PREFIX=/usr), and the whole
# editors/ directory (TextMate grammar, VS Code extension) beside the docs.
VIMFILES  = $(wildcard editors/vim/*/camp.vim)
EDITORS   = $(wildcard editors/*.* editors/*/*.* editors/*/*/*.*)
INSTALLED = bin/camp share/man/man1/camp.1 share/man/man5/camp-language.5 \
            share/bash-completion/completions/camp share/zsh/site-functions/_camp \
            $(DOCDIR)/README.md $(DOCDIR)/import.md $(patsubst examples/%,$(DOCDIR)/examples/%,$(EXAMPLES)) \
            $(patsubst editors/vim/%,share/vim/vimfiles/%,$(VIMFILES)) $(addprefix $(DOCDIR)/,$(EDITORS))

install: $(BUILD)/camp $(MAN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/$(DOCDIR)/examples
	install -m 755 $(BUILD)/camp $(DESTDIR)$(PREFIX)/bin/camp
	install -m 644 $(BUILD)/man/camp.1 $(DESTDIR)$(PREFIX)/share/man/man1/camp.1
	install -m 644 $(BUILD)/man/camp-language.5 $(DESTDIR)$(PREFIX)/share/man/man5/camp-language.5
	install -m 644 completions/camp.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/camp
	install -m 644 completions/_camp $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_camp
	install -m 644 README.md docs/import.md $(DESTDIR)$(PREFIX)/$(DOCDIR)/
	for f in $(EXAMPLES) $(EDITORS); do install -D -m 644 $$f $(DESTDIR)$(PREFIX)/$(DOCDIR)/$$f || exit 1; done
	for f in $(VIMFILES); do install -D -m 644 $$f $(DESTDIR)$(PREFIX)/share/vim/vimfiles/$${f#editors/vim/} || exit 1; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	-[ ! -d $(DESTDIR)$(PREFIX)/$(DOCDIR) ] || find $(DESTDIR)$(PREFIX)/$(DOCDIR) -depth -type d -empty -delete

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
