#ifndef UART_H
#define UART_H
#define UART_IRQ 4	/* COM1 */
void uart_init(void);
void uart_putc(char c);
void uart_enable_input(void);
void uart_interrupt(void);
#endif
