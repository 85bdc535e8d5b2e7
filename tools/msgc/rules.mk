# msgc, the interface compiler: a host program. Its unit tests and fuzz target are in
# tests/unit/msgc/rules.mk, included from here because the top Makefile only looks
# one folder deep under tests/.

MSGC      := $(B)/tools/msgc
MSGC_SRCS := $(filter-out tools/msgc/main.c,$(wildcard tools/msgc/*.c))
# Objects live apart from the binary, which is build/tools/msgc itself.
MSGC_OBJDIR := $(B)/tools/msgc-obj
MSGC_OBJS := $(patsubst tools/msgc/%.c,$(MSGC_OBJDIR)/%.o,$(MSGC_SRCS))
# The compiler proper runs without sanitizers: it is a build tool, and its library
# objects are rebuilt with them for the unit tests.
MSGC_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP

ALL += $(MSGC)

$(MSGC_OBJDIR)/%.o: tools/msgc/%.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MSGC_CFLAGS) -c $< -o $@

$(MSGC): $(MSGC_OBJS) $(MSGC_OBJDIR)/main.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(MSGC_CFLAGS) $^ -o $@

include tests/unit/msgc/rules.mk
