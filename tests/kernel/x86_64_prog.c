/* A valid ELF executable for the wrong machine (x86-64): the loader must refuse it. */
void _start(void) { for (;;) ; }
