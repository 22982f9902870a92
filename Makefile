# Makefile: the only build file of coresieve (probes, objects, tests, demo, install).
#
#   make                 build/coresieve and build/mkvmcore
#   make check           install missing packages, build, run every test tier this machine can run
#   make demo            install missing build packages, build, dump a generated vmcore
#   make deps            install every package (build, test, developer tools)
#   make fresh-root      the first-contact test alone (tests/fresh/test_fresh_root.sh)
#   make static          build/coresieve-static (for a capture initramfs)
#   make install         PREFIX=/usr/local DESTDIR= : binary and man page
#   make SANITIZE=address,undefined   (or thread) instrumented build in build/san-*/
#   make bench BENCH_INPUT=...        see bench/run.sh

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
SANITIZE ?=
OPT ?= -O2 -g

ifeq ($(SANITIZE),)
BUILD ?= build
else
BUILD ?= build/san-$(subst $(comma),-,$(SANITIZE))
endif
comma := ,
OBJDIR := $(BUILD)/obj

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

# ---------------------------------------------------------------------------
# Library probes: pkg-config first, then a test link. A library asked for
# explicitly (WITH_X=1) but missing stops the build instead of silently
# dropping the feature (as zstd's programs/Makefile does).
probe = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo yes || \
	(printf 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null $(2) 2>/dev/null && echo yes))
libs_of = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))

HAVE_LIBELF := $(call probe,libelf,-lelf)
HAVE_LIBDW := $(call probe,libdw,-ldw -lelf)
HAVE_ZLIB := $(call probe,zlib,-lz)
HAVE_LZO := $(call probe,lzo2,-llzo2)
HAVE_SNAPPY := $(call probe,snappy,-lsnappy)
HAVE_ZSTD := $(call probe,libzstd,-lzstd)
HAVE_LIBDEFLATE := $(call probe,libdeflate,-ldeflate)

# `make check` and `make demo` install the packages first (scripts/install-deps) and build in
# sub-makes, which probe again: a missing library stops only a make that is about to compile.
NO_BUILD_GOALS := deps check demo clean fresh-root
BUILD_GOALS := $(filter-out $(NO_BUILD_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(BUILD_GOALS),)
ifneq ($(HAVE_LIBELF),yes)
$(error libelf is required (Debian: apt-get install libelf-dev, or run scripts/install-deps))
endif
endif

FEATURE_CFLAGS :=
LIBS := -lpthread
ifeq ($(HAVE_LIBDW),yes)
FEATURE_CFLAGS += -DHAVE_LIBDW=1
LIBS += $(call libs_of,libdw,-ldw)
endif
LIBS += $(call libs_of,libelf,-lelf)
ifeq ($(HAVE_ZLIB),yes)
FEATURE_CFLAGS += -DHAVE_ZLIB=1
LIBS += $(call libs_of,zlib,-lz)
else ifeq ($(WITH_ZLIB),1)
$(error WITH_ZLIB=1 but zlib is missing)
endif
ifeq ($(HAVE_LZO),yes)
FEATURE_CFLAGS += -DHAVE_LZO=1
LIBS += -llzo2
else ifeq ($(WITH_LZO),1)
$(error WITH_LZO=1 but lzo2 is missing)
endif
ifeq ($(HAVE_SNAPPY),yes)
FEATURE_CFLAGS += -DHAVE_SNAPPY=1
LIBS += -lsnappy
else ifeq ($(WITH_SNAPPY),1)
$(error WITH_SNAPPY=1 but snappy is missing)
endif
ifeq ($(HAVE_ZSTD),yes)
FEATURE_CFLAGS += -DHAVE_ZSTD=1
LIBS += $(call libs_of,libzstd,-lzstd)
else ifeq ($(WITH_ZSTD),1)
$(error WITH_ZSTD=1 but zstd is missing)
endif
ifeq ($(HAVE_LIBDEFLATE),yes)
FEATURE_CFLAGS += -DHAVE_LIBDEFLATE=1
LIBS += -ldeflate
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -DCS_VERSION=\"$(VERSION)\" $(OPT) $(WARN) -I. \
	$(FEATURE_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS)
ifneq ($(SANITIZE),)
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_ALL += -fsanitize=$(SANITIZE)
endif
DEPFLAGS = -MMD -MP

# ---------------------------------------------------------------------------
# Sources: every .c in the engine rooms; cli/ is the thin main.
ENGINE_SRC := $(sort $(shell find core filters compress formats engine -name '*.c' 2>/dev/null))
CLI_SRC := $(sort $(wildcard cli/*.c))
GEN_SRC := $(sort $(wildcard tests/gen/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(OBJDIR)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(OBJDIR)/%.o)
GEN_OBJ := $(GEN_SRC:%.c=$(OBJDIR)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
ENGINE_LIB := $(BUILD)/libcoresieve.a

all: $(BUILD)/coresieve $(BUILD)/mkvmcore

# Rebuild everything when the flags change (git's GIT-CFLAGS idea).
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $(LIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then echo '$(FLAGS_NOW)' > $@; fi

$(OBJDIR)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c $< -o $@

$(ENGINE_LIB): $(ENGINE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/coresieve: $(CLI_OBJ) $(ENGINE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(ENGINE_LIB) $(LIBS)

$(BUILD)/mkvmcore: $(GEN_OBJ) $(ENGINE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(GEN_OBJ) $(ENGINE_LIB) $(LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(ENGINE_LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) $(LDFLAGS_ALL) -o $@ $< $(ENGINE_LIB) $(LIBS)

unit-tests: $(UNIT_BIN)

# Static binary for a capture initramfs: libdw is left out (it drags in
# libdebuginfod and friends statically, makedumpfile#4); -x is not needed there.
STATIC_LIBS := -Wl,-Bstatic -lelf -lz $(if $(filter yes,$(HAVE_ZSTD)),-lzstd) \
	$(if $(filter yes,$(HAVE_LZO)),-llzo2) $(if $(filter yes,$(HAVE_SNAPPY)),-lsnappy -lstdc++) \
	$(if $(filter yes,$(HAVE_LIBDEFLATE)),-ldeflate) -lpthread -lm
static:
	$(MAKE) BUILD=build/static HAVE_LIBDW=no build/static/coresieve-link
	cp build/static/coresieve build/coresieve-static
	@echo "built build/coresieve-static"
build/static/coresieve-link: $(CLI_OBJ) $(ENGINE_LIB)
	$(CC) -static $(LDFLAGS_ALL) -o build/static/coresieve $(CLI_OBJ) $(ENGINE_LIB) $(STATIC_LIBS)

# ---------------------------------------------------------------------------
# Fuzzing (tests/fuzz/, docs/robustness.md). `make fuzz FUZZ_SECONDS=N` builds the
# libFuzzer targets with clang (ASan+UBSan) under build/fuzz/ and runs each for N
# seconds, growing tests/fuzz/corpus/; `make fuzz-replay` replays every corpus file
# through ASan+UBSan builds of the same targets made without libFuzzer.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_MAIN ?= tests/fuzz/regression_driver.c
$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) tests/fuzz/regression_driver.c $(ENGINE_LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(FUZZ_MAIN) $(ENGINE_LIB) $(LIBS)
fuzz-bins: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
fuzz:
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=build/fuzz SANITIZE=address,undefined \
		OPT="-O1 -g" CFLAGS=-fsanitize=fuzzer-no-link FUZZ_MAIN=-fsanitize=fuzzer fuzz-bins
	@tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_SECONDS)
fuzz-replay:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined fuzz-bins
	@tests/fuzz/replay.sh build/san-address-undefined/fuzz

# ---------------------------------------------------------------------------
# Each goal installs its own set in its recipe (not through a shared `deps` prerequisite,
# which make would run once, with whichever set came first).
deps:
	@scripts/install-deps all

check:
	@scripts/install-deps check
	@$(MAKE) --no-print-directory all unit-tests
	@$(MAKE) --no-print-directory static
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all unit-tests
	@$(MAKE) --no-print-directory SANITIZE=thread build/san-thread/unit/test_pipeline build/san-thread/unit/test_proc_windows build/san-thread/unit/test_memmap
	@tests/run-all.sh

demo:
	@scripts/install-deps build
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

fresh-root:
	@tests/fresh/test_fresh_root.sh

bench: all
	bench/run.sh $(BENCH_INPUT)

install: $(BUILD)/coresieve
	install -D -m 0755 $(BUILD)/coresieve $(DESTDIR)$(PREFIX)/sbin/coresieve
	install -D -m 0644 docs/coresieve.8 $(DESTDIR)$(PREFIX)/share/man/man8/coresieve.8

clean:
	rm -rf build

.PHONY: all check demo deps fresh-root bench install clean unit-tests static FORCE fuzz fuzz-bins fuzz-replay
FORCE:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
