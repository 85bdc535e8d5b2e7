#ifndef UART_H
#define UART_H
void uart_init(void);
void uart_putc(char c);
#endif
