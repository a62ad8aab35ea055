# mkroot: see README.md. "make" builds the multi-call binary and its names.
# Four layers, each using only those below it: src/cmd (the commands),
# src/step (the build's steps), src/ctx (the build's context), src/lib (the
# library). Each layer's files are compiled seeing only its own header and
# those of the layers below (INC_layer); make layers checks the objects.
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror=implicit-function-declaration
LDLIBS = -larchive -lcurl -lcrypto -lz
NAMES = cross run clean boottest
LAYERS = lib ctx step cmd
SRCS = $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
OBJS = $(SRCS:src/%.c=obj/%.o)
LIBOBJS = $(filter-out obj/cmd/main.o,$(OBJS))
HDRS = $(foreach l,$(LAYERS),src/$(l)/$(l).h)
INC_lib = -Isrc/lib
INC_ctx = $(INC_lib) -Isrc/ctx
INC_step = $(INC_ctx) -Isrc/step
INC_cmd = $(INC_step) -Isrc/cmd
TESTS = $(patsubst tests/%.c,tests/bin/%,$(wildcard tests/*_test.c))

all: mkroot $(NAMES)

obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_$(firstword $(subst /, ,$*))) -c $< -o $@

mkroot: $(OBJS)
	$(CC) $(CFLAGS) $(OBJS) -o $@ $(LDLIBS)

$(NAMES): mkroot
	ln -sf mkroot $@

tests/bin/init_test: tests/init_test.c src/init/init.c
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) -Wno-unused-function $< -o $@

tests/bin/frame_test: tests/frame_test.c src/init/init.c $(LIBOBJS) $(HDRS)
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) $(INC_cmd) -Wno-unused-function $< $(LIBOBJS) -o $@ $(LDLIBS)

tests/bin/%_test: tests/%_test.c $(LIBOBJS) $(HDRS)
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) $(INC_cmd) $< $(LIBOBJS) -o $@ $(LDLIBS)

tests: $(TESTS)

deps:
	scripts/deps

deps-all:
	scripts/deps all

check: deps all tests
	tests/run

# the fast tier: everything that builds no kernel, toybox or musl
check-fast: deps all tests layers
	tests/run fast

check-all: deps-all all tests
	tests/matrix

# toybox's MODULES= for aarch64: a kernel of its own, modprobe in the guest
check-kmodules: deps all tests
	tests/kmodules.sh

# the toolchains from source, cross and native, and a guest compiling with
# the native one (an hour or more the first time)
check-toolchain: deps-all all tests
	tests/native.sh

# an aarch64 guest building GNU hello natively, with distcc to the host
# and without (the native image: an hour or more the first time)
check-native: deps-all all tests
	tests/guest_build.sh

demo: deps all
	scripts/demo

bench: deps all
	bench/run

testroot: deps all
	tests/toybox_suite.sh

# each layer uses only those below it, each library file only those lib.h
# lists above it
layers: all
	scripts/layers

# the README's lists from mkroot's tables
doc: all
	scripts/doc

clean-build:
	rm -rf obj tests/bin mkroot $(NAMES)

.PHONY: all deps deps-all check check-fast check-all check-kmodules check-toolchain check-native demo bench tests layers doc clean-build
