# mkroot: see README.md. "make" builds the multi-call binary and its names.
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra
LDLIBS = -larchive -lcurl -lcrypto -lz
NAMES = cross run clean boottest
SRCS = $(wildcard src/*.c)
OBJS = $(SRCS:src/%.c=obj/%.o)
LIBOBJS = $(filter-out obj/main.o,$(OBJS))
TESTS = $(patsubst tests/%.c,tests/bin/%,$(wildcard tests/*_test.c))

all: mkroot $(NAMES)

obj/%.o: src/%.c src/mkroot.h
	@mkdir -p obj
	$(CC) $(CFLAGS) -c $< -o $@

mkroot: $(OBJS)
	$(CC) $(CFLAGS) $(OBJS) -o $@ $(LDLIBS)

$(NAMES): mkroot
	ln -sf mkroot $@

tests/bin/init_test: tests/init_test.c src/init/init.c
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) -Wno-unused-function $< -o $@

tests/bin/%_test: tests/%_test.c $(LIBOBJS)
	@mkdir -p tests/bin
	$(CC) $(CFLAGS) -Isrc $< $(LIBOBJS) -o $@ $(LDLIBS)

tests: $(TESTS)

deps:
	scripts/deps

deps-all:
	scripts/deps all

check: deps all tests
	tests/run

check-all: deps-all all tests
	tests/matrix

demo: deps all
	scripts/demo

bench: deps all
	bench/run

clean-build:
	rm -rf obj tests/bin mkroot $(NAMES)

.PHONY: all deps deps-all check check-all demo bench tests clean-build
