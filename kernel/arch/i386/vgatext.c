/*
 * The VGA text screen (80x25 at 0xB8000), an optional second console on BIOS
 * machines. UEFI machines have none; they get fbcon instead.
 */
#include <stdint.h>
#include <kern/lib.h>
#include "layout.h"
#include "vgatext.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x0700

static volatile uint16_t *screen;
static int row, col;

void
vgatext_init(void)
{
	screen = P2V(0xB8000);
	for (int i = 0; i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
	row = col = 0;
}

static void
scroll(void)
{
	/* one block move (rep movs): the console holds interrupts off meanwhile */
	memmove((void *)screen, (const void *)(screen + COLS), COLS * (ROWS - 1) * sizeof *screen);
	for (int i = COLS * (ROWS - 1); i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
	row = ROWS - 1;
}

void
vgatext_putc(char c)
{
	if (!screen)
		return;
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\b') {
		if (col)
			col--;
	} else {
		screen[row * COLS + col] = ATTR | (uint8_t)c;
		if (++col == COLS) {
			col = 0;
			row++;
		}
	}
	if (row == ROWS)
		scroll();
}
