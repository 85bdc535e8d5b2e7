#ifndef VGATEXT_H
#define VGATEXT_H
void vgatext_init(void);
void vgatext_putc(char c);
#endif
