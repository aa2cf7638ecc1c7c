# icm: one static binary.  ./build.sh installs the build packages and runs
# `make`; `make test` runs the unit tests (prove) and the end-to-end tests.
#
#   make            build the dependencies (once) and build/icm
#   make test       unit + end-to-end tests
#   make DEV=1 ...  build with the host's gcc and -dev packages (quick
#                   iteration before the musl sysroot exists; not a release)
#   make ARCH=arm64 cross-build build/arm64/icm (aarch64, with Debian's
#                   gcc-aarch64-linux-gnu) on build/arm64/sysroot;
#                   `make ARCH=arm64 arm64-tests` adds its unit tests and
#                   ssh-probe (build/arm64/tests/), which e2e 81 runs
#                   under qemu-aarch64-static
#   make clean      remove icm's objects (keeps the dependency build)

# The target architecture: the machine's own by default (its build goes to
# build/), or a cross one (arm64 on amd64: build/arm64/). uname -m names are
# taken too (x86_64, aarch64).
arch_name = $(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(1)))
NATIVE_ARCH := $(call arch_name,$(shell uname -m))
ARCH ?= $(NATIVE_ARCH)
override ARCH := $(call arch_name,$(ARCH))
ifeq ($(ARCH),$(NATIVE_ARCH))
  ARCH_DIR := build
  CROSS :=
  DEPS_ARGS :=
else ifeq ($(ARCH)-$(NATIVE_ARCH),arm64-amd64)
  ARCH_DIR := build/arm64
  CROSS := aarch64-linux-gnu-
  DEPS_ARGS := --arch arm64
  ifeq ($(DEV),1)
    $(error DEV=1 builds for the machine's own arch only, not ARCH=$(ARCH))
  endif
else
  $(error ARCH=$(ARCH): cross builds on $(NATIVE_ARCH) are for arm64 on amd64 only)
endif
STRIP := $(CROSS)strip
# No build path in anything compiled (__FILE__, debug info): two trees give
# the same binary.
REPRO_FLAGS := -ffile-prefix-map=$(CURDIR)=.

SYSROOT := $(ARCH_DIR)/sysroot
ifeq ($(DEV),1)
  CC := gcc
  OUT := build/dev
  DEPS_STAMP :=
  LIBS := -lcjson -lcurl -lpthread
  LDFLAGS :=
  CPPFLAGS_SYS := -DICM_DEV_BUILD
else
  CC := $(SYSROOT)/bin/musl-gcc
  OUT := $(ARCH_DIR)
  DEPS_STAMP := $(SYSROOT)/.deps-done
  LIBS := -lcurl -lbearssl -lcjson -lpthread
  LDFLAGS := -static -L$(SYSROOT)/lib -Wl,--gc-sections
  CPPFLAGS_SYS := -isystem $(SYSROOT)/include -DCURL_STATICLIB
endif

CFLAGS ?= -Os -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow \
	  -Wstrict-prototypes -Wmissing-prototypes -Werror=implicit-function-declaration \
	  -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	  $(REPRO_FLAGS)
CPPFLAGS := $(CPPFLAGS_SYS) -Isrc -I$(OUT)/gen -MMD -MP

SRCS := $(shell find src -name '*.c' | sort)
OBJS := $(SRCS:src/%.c=$(OUT)/obj/%.o) $(OUT)/obj/gen/embedded.o
LIBOBJS := $(filter-out $(OUT)/obj/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/t-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(OUT)/tests/%)
EMBED_INPUTS := $(shell find embedded samples -type f 2>/dev/null | sort)

.PHONY: all deps test unit e2e clean distclean
all: $(OUT)/icm

deps: $(DEPS_STAMP)
$(SYSROOT)/.deps-done: vendor/MANIFEST $(wildcard vendor/*.sh vendor/patches/*/*)
	vendor/deps.sh $(DEPS_ARGS)
	touch $@

$(OUT)/icm: $(OBJS)
	$(CC) $(LDFLAGS) -o $@.unstripped $^ $(LIBS)
	$(STRIP) -o $@ $@.unstripped

$(OUT)/obj/%.o: src/%.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Versions of the libraries that have no version call (musl, BearSSL),
# from vendor/MANIFEST; a DEV build says so instead.
$(OUT)/gen/versions.h: vendor/MANIFEST
	@mkdir -p $(dir $@)
	@if [ "$(DEV)" = 1 ]; then \
	  printf '#define ICM_MUSL_VERSION "(host libc: development build)"\n#define ICM_BEARSSL_VERSION "(not linked: development build)"\n'; \
	else \
	  awk '$$1=="musl"{m=$$2} $$1=="bearssl"{b=$$2} END{sub(/\+.*/,"",b); printf "#define ICM_MUSL_VERSION \"%s\"\n#define ICM_BEARSSL_VERSION \"%s\"\n", m, b}' vendor/MANIFEST; \
	fi > $@.tmp && mv $@.tmp $@

$(OUT)/obj/cmd/version.o: $(OUT)/gen/versions.h

# Everything under embedded/ and samples/ is compiled into the binary.
$(OUT)/gen/embedded.c: tools/embed.sh $(EMBED_INPUTS) $(wildcard $(SYSROOT)/share/ca-bundle.pem) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	tools/embed.sh $(SYSROOT) $@ embedded samples

$(OUT)/obj/gen/embedded.o: $(OUT)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OUT)/tests/%: tests/unit/%.c tests/unit/tap.h tests/unit/testutil.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

E2E := $(sort $(wildcard tests/e2e/[0-9]*.sh))

# What tests/e2e/81-arm64.sh runs under qemu-aarch64-static: the arm64
# binary, its unit tests and ssh-probe (from any ARCH).  Once the arm64
# sysroot exists (./build.sh --arch arm64, make ARCH=arm64), make test
# builds them too, so that e2e 81 never tests a stale arm64 build.
.PHONY: arm64-tests
ifeq ($(ARCH),arm64)
arm64-tests: $(OUT)/icm $(UNIT_BINS) $(OUT)/tests/ssh-probe
else
arm64-tests:
	$(MAKE) ARCH=arm64 arm64-tests
ifneq ($(wildcard build/arm64/sysroot/.deps-done),)
test: arm64-tests
endif
endif

unit: $(UNIT_BINS)
	prove -f $(UNIT_BINS)

e2e: $(OUT)/icm
	ICM=$(abspath $(OUT)/icm) prove -f $(E2E)

# One prove run: the C unit tests and the end-to-end scenarios (TAP).
test: $(OUT)/icm $(UNIT_BINS)
	ICM=$(abspath $(OUT)/icm) prove -f --timer $(UNIT_BINS) $(E2E) \
		tests/fuzz/regress.sh

clean:
	rm -rf $(OUT)/obj $(OUT)/gen $(OUT)/tests $(OUT)/icm $(OUT)/icm.unstripped build/dev

-include $(OBJS:.o=.d)

# ---------------------------------------------------------------------------
# SSH layer (src/node/ssh*.c, known_hosts.c) links libssh2 (and BearSSL for
# hashes); tests/ssh/ssh-probe is the program the interop test
# (tests/e2e/32-ssh-interop.sh) and bench/ssh-handshake drive.
ifeq ($(DEV),1)
  LIBS += -lssh2 -lbearssl
else
  LIBS := -lssh2 $(LIBS)
endif

$(OUT)/tests/ssh-probe: tests/ssh/ssh-probe.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/ssh-probe

# Peer comparisons that print ratios (not timed tests; run on demand).
.PHONY: bench
bench: $(OUT)/tests/ssh-probe $(OUT)/icm
	bench/ssh-handshake $(OUT)/tests/ssh-probe
	bench/fanout $(OUT)/icm

# ---------------------------------------------------------------------------
# t-ssh-crypto: known-answer tests for libssh2's BearSSL backend, through
# libssh2's internal _libssh2_* functions, so it is compiled against
# libssh2's private headers as vendor/deps.sh prepared them
# (build/work/libssh2/src). A DEV build has the host's libssh2, not ours:
# there the test is a skip. `make ssh-crypto-asan` runs it on the
# sanitizer build (vendor/deps.sh asan).
SSH_PRIV_CPPFLAGS := -DLIBSSH2_BEARSSL -I$(ARCH_DIR)/work/libssh2/src \
	-I$(ARCH_DIR)/work/libssh2/include
ifeq ($(DEV),1)
$(OUT)/tests/t-ssh-crypto: tests/unit/t-ssh-crypto.c
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\necho "1..0 # SKIP DEV build: libssh2 is not on BearSSL"\n' >$@
	chmod +x $@
else
$(OUT)/tests/t-ssh-crypto: tests/unit/t-ssh-crypto.c tests/unit/tap.h $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SSH_PRIV_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		-lssh2 -lbearssl
endif

.PHONY: ssh-crypto-asan
ssh-crypto-asan: tests/unit/t-ssh-crypto.c tests/unit/tap.h
	vendor/deps.sh asan
	@mkdir -p build/asan/tests
	gcc -std=gnu11 -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1 \
		$(SSH_PRIV_CPPFLAGS) -Itests/unit -Ibuild/asan/include \
		-o build/asan/tests/t-ssh-crypto $< -Lbuild/asan/lib -lssh2 -lbearssl
	build/asan/tests/t-ssh-crypto

# ---------------------------------------------------------------------------
# make asan: the crypto and SSH tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (on demand, not part of `make test`): BearSSL and
# libssh2 with our backend rebuilt with the sanitizers by vendor/deps.sh asan
# (build/asan), the known-answer tests (t-ssh-crypto) and the OpenSSH interop
# matrix (e2e 32) driven by an ssh-probe built the same way.
ASAN_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The SSH layer and what it needs (not the fan-out, which needs the rest).
ASAN_SRCS := $(filter-out src/node/fanout.c,$(wildcard src/node/*.c)) \
	$(wildcard src/crypto/*.c) src/state/log.c src/util/report.c \
	src/util/secret.c src/util/buf.c src/util/str.c src/util/fs.c

.PHONY: asan
asan: ssh-crypto-asan $(OUT)/icm
	gcc $(ASAN_CFLAGS) -Isrc -Ibuild/asan/include -o build/asan/tests/ssh-probe \
		tests/ssh/ssh-probe.c $(ASAN_SRCS) -Lbuild/asan/lib -lssh2 -lbearssl -lpthread
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	  SSH_PROBE=$(abspath build/asan/tests/ssh-probe) ICM=$(abspath $(OUT)/icm) \
	  prove -f tests/e2e/32-ssh-interop.sh tests/e2e/33-ssh-features.sh

# ---------------------------------------------------------------------------
# tests/docker/dapi drives each call of the Docker Engine API client
# (src/docker/api.h) for tests/e2e/34-docker-api.sh.
$(OUT)/tests/dapi: tests/docker/dapi.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/dapi

# The quick start: a local world of 2 hosts, the PreExisting sample
# provisioned on it, a container run on every node, icm ps, torn down.
.PHONY: demo
demo: $(OUT)/icm
	ICM=$(CURDIR)/$(OUT)/icm tests/demo/run
# the SSH layer's PTY sessions use the terminal helpers
ASAN_SRCS += src/util/term.c

# bench/deploy: `icm run` beside Ansible community.docker and a parallel
# docker CLI loop on 8 world hosts with the test registry (it takes the
# world lock /tmp/icm-world.lock itself).
.PHONY: bench-deploy
bench: bench-deploy
bench-deploy: $(OUT)/icm
	bench/deploy $(OUT)/icm

# tests/cloud/tf-write writes the Terraform templates and tfvars of a
# configuration (src/provider/aws/tf.h, src/provider/vsphere/tf.h,
# src/provider/gcp/tf.h, src/provider/azure/tf.h) for tests/e2e/63-terraform.sh
# (terraform validate on AWS's), tests/e2e/87-vsphere-tf.sh,
# tests/e2e/92-gcp-tf.sh and tests/e2e/96-azure-tf.sh.
$(OUT)/tests/tf-write: tests/cloud/tf-write.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/tf-write

# tests/vsphere/build.sh builds the vCenter simulator harness of the vSphere
# tests (vcsim, vcprops) with Go, offline, where e2e's vcsim_up looks for it
# (a host tool: the same dir for every ARCH and DEV).  It is a no-op when up
# to date, and exits 77 without Go or govmomi: then e2e 86 skips.
VCSIM := build/tests/vcsim
.PHONY: $(VCSIM)
$(VCSIM):
	tests/vsphere/build.sh $@ || [ $$? = 77 ]

test e2e: $(VCSIM)

# ---------------------------------------------------------------------------
# AWS request layer (src/cloud/sigv4, src/provider/aws/ec2): tests/cloud/sigv4-sign signs
# icm's own EC2/ELB requests for the botocore cross-check
# (tests/e2e/60-sigv4-botocore.sh); tests/cloud/ec2-call drives ec2_call()
# against moto (tests/e2e/61-ec2-moto.sh); tests/cloud/s3-check drives the
# S3 client (src/cloud/s3) against moto (tests/e2e/99-s3-client.sh).
$(OUT)/tests/sigv4-sign $(OUT)/tests/ec2-call $(OUT)/tests/s3-check: $(OUT)/tests/%: tests/cloud/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/sigv4-sign $(OUT)/tests/ec2-call $(OUT)/tests/s3-check

# tests/cloud/gcp-jwt prints the JWT icm signs for a service-account key
# at a fixed clock (src/provider/gcp/auth.h), for the google-auth and
# openssl cross-check (tests/e2e/91-gcp-jwt.sh).
$(OUT)/tests/gcp-jwt: tests/cloud/gcp-jwt.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/gcp-jwt

# tests/cloud/tc3-sign prints the TC3-HMAC-SHA256 signatures icm makes
# (src/provider/tencent/tc3.h) for fixed requests and times, for the npm
# SDK's cross-check (tests/e2e/98-tc3-sdk.sh).
$(OUT)/tests/tc3-sign: tests/cloud/tc3-sign.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

test e2e: $(OUT)/tests/tc3-sign

# bench/aws-calls: EC2/ELB calls per node for 10 and 100 nodes (moto).
.PHONY: bench-aws
bench: bench-aws
bench-aws: $(OUT)/icm
	bench/aws-calls $(OUT)/icm

# ---------------------------------------------------------------------------
# make fuzz: libFuzzer targets (tests/fuzz/fuzz-*.c), one per parser of
# outside input, built with the host's clang under AddressSanitizer and
# UndefinedBehaviorSanitizer; each runs FUZZ_SECONDS (two at a time) from
# its committed corpus tests/fuzz/corpus/<target>/ (read only: what it
# finds goes to build/fuzz/corpus/<target>/), with tests/fuzz/<target>.dict
# when there is one.  A crash, leak, UBSan report or an input that takes
# over 2 s is written to build/fuzz/crashes/<target>/ and the run fails;
# the whole output is in build/fuzz/logs/<target>.log.  `make fuzz-build`
# only builds.  `make test` runs every target once over its corpus
# (tests/fuzz/regress.sh).  BearSSL and cJSON are compiled again with the
# same sanitizers from the sources vendor/deps.sh prepared (build/work);
# each target links only the objects it reaches, never libcurl or libssh2.
FUZZ_CC := clang
FUZZ := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow \
	-Wmissing-prototypes -Werror=implicit-function-declaration
FUZZ_CPPFLAGS := -Isrc -I$(FUZZ)/include -Ibuild/work/bearssl/inc -MMD -MP
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ)/%)
# The parsers and the modules they call (whole directories, so a new
# helper is there; none of these includes libcurl's or libssh2's headers).
FUZZ_SRCS := $(wildcard src/config/*.c src/crypto/*.c src/util/*.c \
	src/iris/*.c src/state/*.c) src/cloud/xml.c src/cloud/xml_lex.c \
	src/cloud/xml_arena.c src/cloud/soap_msg.c src/cloud/err.c \
	src/cloud/awscreds.c \
	src/provider/aws/awserr.c src/docker/names.c src/docker/tar.c \
	src/docker/tar_write.c src/docker/runopts.c \
	src/node/authkey.c src/node/known_hosts.c src/provider/gcp/auth.c \
	src/cloud/oauth_answer.c src/provider/azure/words.c \
	src/provider/azure/armerr.c src/provider/gcp/gceerr.c \
	src/provider/tencent/tcerr.c
FUZZ_OBJS := $(FUZZ_SRCS:src/%.c=$(FUZZ)/obj/%.o)
FUZZ_BEARSSL := build/work/bearssl
FUZZ_BEARSSL_SRCS := $(shell find $(FUZZ_BEARSSL)/src -name '*.c' 2>/dev/null | sort)
FUZZ_BEARSSL_OBJS := $(FUZZ_BEARSSL_SRCS:$(FUZZ_BEARSSL)/src/%.c=$(FUZZ)/bearssl/%.o)
# Longest input per target (bytes); 4096 unless named here.  fuzz-key
# keeps 4096: its seeds (RSA up to 4096 bits) fit, and an RSA key of 8192
# bits, which key_from_pem() proves by signing (over 2 s under ASan),
# does not.
FUZZ_MAXLEN_fuzz-config := 16384
FUZZ_MAXLEN_fuzz-instances := 16384
FUZZ_MAXLEN_fuzz-tar := 16384
FUZZ_MAXLEN_fuzz-xml := 16384
FUZZ_MAXLEN_fuzz-x509 := 8192
FUZZ_OPTS = -timeout=2 -rss_limit_mb=2048 -close_fd_mask=3 \
	-max_len=$(or $(FUZZ_MAXLEN_$*),4096) \
	-artifact_prefix=$(FUZZ)/crashes/$*/ \
	$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict)

.PHONY: fuzz fuzz-build $(FUZZ_TARGETS:%=fuzz-run-%)
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(MAKE) -j2 -k $(FUZZ_TARGETS:%=fuzz-run-%)

# One target's run; its log is kept, its summary printed.
$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: $(FUZZ)/%
	@mkdir -p $(FUZZ)/corpus/$* $(FUZZ)/crashes/$* $(FUZZ)/logs
	@if $< $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	    $(FUZZ)/corpus/$* tests/fuzz/corpus/$* >$(FUZZ)/logs/$*.log 2>&1; \
	then echo "$*: clean ($$(grep -o 'Done [0-9]* runs' $(FUZZ)/logs/$*.log | tail -1 | cut -d' ' -f2) runs in $(FUZZ_SECONDS) s)"; \
	else tail -40 $(FUZZ)/logs/$*.log; \
	  echo "$*: FAILED; input in $(FUZZ)/crashes/$*/, log $(FUZZ)/logs/$*.log"; exit 1; fi

$(FUZZ_BINS): $(FUZZ)/%: tests/fuzz/%.c $(FUZZ)/fuzz.o $(FUZZ)/libicm.a $(FUZZ)/libbearssl.a $(FUZZ)/cJSON.o
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_WARN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ)/fuzz.o $(FUZZ)/cJSON.o $(FUZZ)/libicm.a $(FUZZ)/libbearssl.a -lpthread

$(FUZZ)/fuzz.o: tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(FUZZ)/include/cjson/cJSON.h
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_WARN) -c -o $@ $<

$(FUZZ)/libicm.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ)/obj/%.o: src/%.c $(FUZZ)/include/cjson/cJSON.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_WARN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ)/libbearssl.a: $(FUZZ_BEARSSL_OBJS)
	@test -n "$^" || { echo "make fuzz: no BearSSL sources in $(FUZZ_BEARSSL)/src; run make first (vendor/deps.sh prepares them)"; exit 1; }
	rm -f $@ && ar rcs $@ $^

# BearSSL's encoders copy zero bytes from a NULL pointer on purpose
# (br_asn1_uint_prepare(NULL, 0) for a version 0, asn1enc.c), which UBSan's
# nonnull-attribute check reports on every RSA key written; vendor code is
# not ours to change, so that one check is off for BearSSL alone.
$(FUZZ)/bearssl/%.o: $(FUZZ_BEARSSL)/src/%.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -I$(FUZZ_BEARSSL)/inc -I$(FUZZ_BEARSSL)/src $(FUZZ_CFLAGS) \
		-fno-sanitize=nonnull-attribute -fsanitize=fuzzer-no-link -c -o $@ $<

# cJSON as deps.sh patched it; its header where icm's sources look.
$(FUZZ)/include/cjson/cJSON.h: build/work/cjson/cJSON.h
	@mkdir -p $(dir $@)
	cp $< $@

$(FUZZ)/cJSON.o: build/work/cjson/cJSON.c build/work/cjson/cJSON.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

-include $(FUZZ_OBJS:.o=.d) $(FUZZ)/fuzz.d $(FUZZ_BINS:=.d)

# make test runs each target over its corpus once, when the host has
# clang's libFuzzer runtime (else tests/fuzz/regress.sh says it skips).
FUZZ_RT := $(shell $(FUZZ_CC) -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(shell uname -m).a
ifneq ($(wildcard $(FUZZ_RT)),)
test: $(FUZZ_BINS)
endif

# ---------------------------------------------------------------------------
# make release: release/out/ (git-ignored) with both architectures' tarballs,
# the SBOM, the ICM image archives and SHA256SUMS; see release/release.sh.
# Needs the arm64 cross toolchain: ./build.sh --arch arm64 installs it.
.PHONY: release
release:
	release/release.sh

# ---------------------------------------------------------------------------
# make doc: the man page and the bash and zsh completion (build/doc/icm.1,
# icm.bash, _icm), written by tools/gendoc from the tables the binary is
# built from (it links them: $(LIBOBJS)) and the fixed text of
# release/icm.1.in; SOURCE_DATE_EPOCH, when set, dates the man page.  The
# generator runs on the build machine, so it is built for it (not for
# ARCH=arm64: the tables are the same).  tests/e2e/82-doc.sh checks the
# files against `icm help` and the source tables.
GENDOC := $(OUT)/tools/gendoc
GENDOC_OBJS := $(patsubst tools/%.c,$(OUT)/obj/tools/%.o,$(sort $(wildcard tools/gendoc/*.c)))
DOC_FILES := build/doc/icm.1 build/doc/icm.bash build/doc/_icm

.PHONY: doc doc-clean
doc: $(DOC_FILES)

$(DOC_FILES) &: $(GENDOC) release/icm.1.in build/doc/.source-date
	$(GENDOC) release/icm.1.in build/doc

# The SOURCE_DATE_EPOCH the man page was dated with: a new value (or none)
# writes the files again.
build/doc/.source-date: doc-date-check
	@:
.PHONY: doc-date-check
doc-date-check:
	@mkdir -p build/doc
	@echo '$(SOURCE_DATE_EPOCH)' | cmp -s - build/doc/.source-date || \
		echo '$(SOURCE_DATE_EPOCH)' >build/doc/.source-date

$(GENDOC): $(GENDOC_OBJS) $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(GENDOC_OBJS) $(LIBOBJS) $(LIBS)

$(OUT)/obj/tools/%.o: tools/%.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

-include $(GENDOC_OBJS:.o=.d)

test e2e: doc
clean: doc-clean
doc-clean:
	rm -rf build/doc $(OUT)/tools
