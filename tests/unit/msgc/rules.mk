# Host tests of msgc (suite msgc), of its kernel client target (suite msgc-kuser) and
# its fuzz run (suite msgc-fuzz). Included from tools/msgc/rules.mk. kinds.defs (every
# argument kind) is compiled into the tests and the fuzzer; echo.defs is the
# golden-file interface.
#   make check-msgc            parser, golden, round-trip and malformed-message cases
#   make check-msgc-kuser      kreq_/kreply_ (msgc -K) against the user stubs and demux
#   make check-msgc-fuzz       libFuzzer on the kinds demux for MSGC_FUZZ_SECONDS
#   make msgc-golden-update    rewrite golden/ after an intended generator change

MSGC_T    := tests/unit/msgc
MSGC_TB   := $(B)/tests/unit/msgc
MSGC_TGEN := $(B)/gen/tests/msgc
MSGC_KINDS := $(addprefix $(MSGC_TGEN)/kinds_,types.h client.h client.c server.h server.c)
MSGC_TEST_INC := -Ikernel/include/abi -Ilibmsg/include -Itools/msgc -I$(MSGC_TGEN) -I$(MSGC_T)
MSGC_FUZZ_SECONDS ?= 25

MSGC_TEST_OBJS := \
	$(patsubst tools/msgc/%.c,$(MSGC_TB)/tool/%.o,$(MSGC_SRCS)) \
	$(patsubst $(MSGC_T)/%.c,$(MSGC_TB)/test/%.o, \
		$(filter-out %/fuzz_demux.c %/test_kuser.c,$(wildcard $(MSGC_T)/*.c))) \
	$(MSGC_TB)/gen/kinds_client.o $(MSGC_TB)/gen/kinds_server.o

# Generated code must also build for the guest: 32-bit, freestanding, only the
# compiler's own headers, every warning an error (unused parameters included).
MSGC_FREESTANDING_CFLAGS := -m32 -march=i686 -std=c11 -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -fno-pic -fno-stack-protector \
	-O2 -Wall -Wextra -Werror -MMD -MP -Ikernel/include/abi -Ilibmsg/include
MSGC_FREESTANDING_OBJS := \
	$(MSGC_TB)/freestanding/kinds_client.o $(MSGC_TB)/freestanding/kinds_server.o \
	$(MSGC_TB)/freestanding/echo_client.o $(MSGC_TB)/freestanding/echo_server.o \
	$(MSGC_TB)/freestanding/echo_kserver.o $(MSGC_TB)/freestanding/echo_kuser.o
# The kernel targets' golden files build against the kernel's headers.
MSGC_KERNEL_INC := -Ikernel/include -Ikernel/arch/i386

# The kuser test is a 32-bit host program, so that a struct kmsg holds pointers as
# the kernel's does; msgc -K writes into a folder of its own (its kinds_types.h is
# the same file again).
MSGC_TGEN_K := $(MSGC_TGEN)/kuser
MSGC_KUSER_GEN := $(MSGC_TGEN_K)/kinds_kuser.h $(MSGC_TGEN_K)/kinds_kuser.c
MSGC_KUSER_CFLAGS := $(HOST_CFLAGS) -m32 $(MSGC_KERNEL_INC) $(MSGC_TEST_INC) -I$(MSGC_TGEN_K)
MSGC_KUSER_OBJS := $(addprefix $(MSGC_TB)/kuser/,test_kuser.o kinds_kuser.o kinds_client.o \
	kinds_server.o kinds_handlers.o ool_table.o)

CHECK_SUITES += msgc msgc-kuser msgc-fuzz
CHECK_PREREQS += $(MSGC_TB)/msgc_test $(MSGC_TB)/kuser_test $(MSGC_TB)/fuzz_demux \
	$(MSGC_TB)/fuzz-seeds/.stamp
.PHONY: check-msgc check-msgc-kuser check-msgc-fuzz msgc-golden-update

$(MSGC_KINDS) &: $(MSGC_T)/kinds.defs $(MSGC)
	$(call msg,MSGC,$<)
	@mkdir -p $(MSGC_TGEN)
	$(Q)$(MSGC) -o $(MSGC_TGEN) $<

$(MSGC_TB)/tool/%.o: tools/msgc/%.c
	$(call msg,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) $(MSGC_TEST_INC) -c $< -o $@

$(MSGC_TB)/test/%.o: $(MSGC_T)/%.c | $(MSGC_KINDS)
	$(call msg,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) $(MSGC_TEST_INC) -c $< -o $@

$(MSGC_TB)/gen/%.o: $(MSGC_TGEN)/%.c | $(MSGC_KINDS)
	$(call msg,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) $(MSGC_TEST_INC) -c $< -o $@

$(MSGC_TB)/freestanding/kinds_%.o: $(MSGC_TGEN)/kinds_%.c | $(MSGC_KINDS)
	$(call msg,CC32,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_FREESTANDING_CFLAGS) -I$(MSGC_T) -c $< -o $@

$(MSGC_TB)/freestanding/echo_%.o: $(MSGC_T)/golden/echo_%.c
	$(call msg,CC32,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_FREESTANDING_CFLAGS) $(MSGC_KERNEL_INC) -c $< -o $@

$(MSGC_KUSER_GEN) &: $(MSGC_T)/kinds.defs $(MSGC)
	$(call msg,MSGC-K,$<)
	@mkdir -p $(MSGC_TGEN_K)
	$(Q)$(MSGC) -K -o $(MSGC_TGEN_K) $<

$(MSGC_TB)/kuser/kinds_kuser.o: $(MSGC_TGEN_K)/kinds_kuser.c
	$(call msg,HOSTCC32,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_KUSER_CFLAGS) -c $< -o $@

$(MSGC_TB)/kuser/kinds_%.o: $(MSGC_TGEN)/kinds_%.c | $(MSGC_KINDS)
	$(call msg,HOSTCC32,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_KUSER_CFLAGS) -c $< -o $@

$(MSGC_TB)/kuser/%.o: $(MSGC_T)/%.c | $(MSGC_KINDS) $(MSGC_KUSER_GEN)
	$(call msg,HOSTCC32,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_KUSER_CFLAGS) -c $< -o $@

$(MSGC_TB)/kuser_test: $(MSGC_KUSER_OBJS)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -m32 $^ -o $@

check-msgc-kuser: $(MSGC_TB)/kuser_test
	$(Q)$(MSGC_TB)/kuser_test

$(MSGC_TB)/msgc_test: $(MSGC_TEST_OBJS)
	$(call msg,HOSTLD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -o $@

check-msgc: $(MSGC_TB)/msgc_test $(MSGC_FREESTANDING_OBJS)
	@rm -rf $(MSGC_TB)/golden-out && mkdir -p $(MSGC_TB)/golden-out
	$(Q)$(MSGC_TB)/msgc_test $(MSGC_T)/golden $(MSGC_TB)/golden-out

msgc-golden-update: $(MSGC)
	$(MSGC) -o $(MSGC_T)/golden $(MSGC_T)/echo.defs
	$(MSGC) -k 'void *' -o $(MSGC_T)/golden $(MSGC_T)/echo.defs
	$(MSGC) -K -o $(MSGC_T)/golden $(MSGC_T)/echo.defs

# The fuzzer: clang's libFuzzer with ASan and UBSan. Seeds are valid requests that
# the generated client stubs write (msgc_test --seeds); the corpus grows in build/.
# fuzz-regressions/ holds every input that once failed a run, so each run tries them
# first (libFuzzer reads all corpus folders given after the first, writes only to it).
MSGC_FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror $(MSGC_TEST_INC)
MSGC_FUZZ_SRCS := $(MSGC_T)/fuzz_demux.c $(MSGC_T)/kinds_handlers.c $(MSGC_T)/ool_table.c \
	$(MSGC_TGEN)/kinds_server.c

$(MSGC_TB)/fuzz_demux: $(MSGC_FUZZ_SRCS) $(wildcard $(MSGC_T)/*.h) \
		libmsg/include/msgc_runtime.h $(wildcard kernel/include/abi/mach/*.h) | $(MSGC_KINDS)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(dir $@)
	$(Q)clang $(MSGC_FUZZ_CFLAGS) $(MSGC_FUZZ_SRCS) -o $@

$(MSGC_TB)/fuzz-seeds/.stamp: $(MSGC_TB)/msgc_test
	$(call msg,SEEDS,$(dir $@))
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(Q)$(MSGC_TB)/msgc_test --seeds $(dir $@)
	@touch $@

check-msgc-fuzz: $(MSGC_TB)/fuzz_demux $(MSGC_TB)/fuzz-seeds/.stamp \
		$(wildcard $(MSGC_T)/fuzz-regressions/*)
	@mkdir -p $(MSGC_TB)/fuzz-corpus $(MSGC_TB)/fuzz-artifacts
	@if $(MSGC_TB)/fuzz_demux -max_total_time=$(MSGC_FUZZ_SECONDS) \
		-artifact_prefix=$(MSGC_TB)/fuzz-artifacts/ \
		$(MSGC_TB)/fuzz-corpus $(MSGC_TB)/fuzz-seeds $(MSGC_T)/fuzz-regressions >$(MSGC_TB)/fuzz.log 2>&1; then \
		echo "# $$(grep -E '^Done|^#[0-9]+' $(MSGC_TB)/fuzz.log | tail -1)"; \
		echo "ok 1 - fuzz_demux_survives_$(MSGC_FUZZ_SECONDS)s_of_random_requests"; \
		echo "msgc-fuzz: 1 passed, 0 failed"; \
	else \
		tail -n 60 $(MSGC_TB)/fuzz.log; \
		echo "not ok 1 - fuzz_demux_survives_$(MSGC_FUZZ_SECONDS)s_of_random_requests"; \
		echo "msgc-fuzz: 0 passed, 1 failed"; \
		exit 1; \
	fi
