/*
 * hello: the smallest Manifold program, with newlib's printf on the kernel's
 * debug console. `make run` starts it through the bootstrap task.
 */
#include <stdio.h>
#include <manifold/trap.h>

int
main(int argc, char **argv)
{
	uint32_t id = 0;
	uint64_t ns = 0;

	trap_task_self_id(&id);
	trap_clock_uptime(&ns);
	printf("hello: task %u running at %u ms after boot with %d argument%s:", id,
	       (unsigned)(ns / 1000000), argc, argc == 1 ? "" : "s");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return 0;
}
