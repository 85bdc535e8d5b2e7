/*
 * The framebuffer console: text on a linear framebuffer (32 or 24 bits a
 * pixel), for machines without VGA text mode. kern/console.c calls it next to
 * the serial port. Glyphs come from font8x8.c, each row drawn twice, so a
 * character cell is 8x16 pixels. Light grey on black: both colours have equal
 * channels, so the pixel's channel order does not matter.
 *
 * The framebuffer is mapped uncached, where reads are very slow, so the
 * console never reads it back: it keeps the text in shadow[] and, to scroll,
 * redraws from there. It scrolls a quarter screen at a time to pay for a
 * redraw only every few lines.
 */
#include <stdint.h>
#include <stddef.h>
#include "fbcon.h"
#include "font8x8.h"

void *pmap_map_device(uint32_t phys, uint32_t size);

#define CELL_W   8
#define CELL_H   16
#define MAX_COLS 256		/* 2048 pixels wide */
#define MAX_ROWS 128		/* 2048 pixels high */
#define FG       0xAAAAAAu
#define BG       0x000000u
#define TAB      8

/* Callers serialize (console_lock), so none of this needs its own lock. */
static uint8_t *fb;		/* NULL until fbcon_init succeeds */
static uint32_t pitch, bytes_pp, cols, rows;
static uint32_t cur_col, cur_row;
static char shadow[MAX_ROWS][MAX_COLS];	/* what each cell should show */

static void
put_pixel(uint8_t *p, uint32_t rgb)
{
	if (bytes_pp == 4) {
		*(volatile uint32_t *)p = rgb;
	} else {
		((volatile uint8_t *)p)[0] = rgb & 0xFF;
		((volatile uint8_t *)p)[1] = (rgb >> 8) & 0xFF;
		((volatile uint8_t *)p)[2] = (rgb >> 16) & 0xFF;
	}
}

static void
draw_cell(uint32_t col, uint32_t row, char c)
{
	const uint8_t *glyph = font8x8['?' - FONT_FIRST];
	uint8_t *line = fb + row * CELL_H * pitch + col * CELL_W * bytes_pp;

	if (c >= FONT_FIRST && c <= FONT_LAST)
		glyph = font8x8[c - FONT_FIRST];
	else if (c == ' ' || c == '\0')
		glyph = font8x8[0];
	for (uint32_t y = 0; y < CELL_H; y++, line += pitch) {
		uint8_t bits = glyph[y / 2];

		for (uint32_t x = 0; x < CELL_W; x++)
			put_pixel(line + x * bytes_pp, (bits & (0x80 >> x)) ? FG : BG);
	}
}

static void
set_cell(uint32_t col, uint32_t row, char c)
{
	shadow[row][col] = c;
	draw_cell(col, row, c);
}

/*
 * Moves the text up by n rows. Only cells whose character changes are drawn
 * again, so blank areas and repeated text cost nothing.
 */
static void
scroll(uint32_t n)
{
	for (uint32_t r = 0; r < rows; r++) {
		for (uint32_t c = 0; c < cols; c++) {
			char want = r + n < rows ? shadow[r + n][c] : ' ';

			if (shadow[r][c] != want)
				set_cell(c, r, want);
		}
	}
	cur_row -= n;
}

static void
newline(void)
{
	cur_col = 0;
	if (++cur_row == rows)
		scroll(rows >= 8 ? rows / 4 : 1);
}

void
fbcon_init(uint32_t phys, uint32_t fb_pitch, uint32_t width, uint32_t height, uint32_t bpp)
{
	if ((bpp != 32 && bpp != 24) || width < CELL_W || height < CELL_H ||
	    fb_pitch < width * (bpp / 8))
		return;
	bytes_pp = bpp / 8;
	pitch = fb_pitch;
	cols = width / CELL_W;
	rows = height / CELL_H;
	if (cols > MAX_COLS)
		cols = MAX_COLS;
	if (rows > MAX_ROWS)
		rows = MAX_ROWS;
	fb = pmap_map_device(phys, fb_pitch * height);
	if (!fb)
		return;
	cur_col = cur_row = 0;
	/* Clear the text area; whatever the firmware drew there is stale. */
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t c = 0; c < cols; c++)
			set_cell(c, r, ' ');
}

void
fbcon_putc(char c)
{
	if (!fb)
		return;
	switch (c) {
	case '\n':
		newline();
		return;
	case '\r':
		cur_col = 0;
		return;
	case '\t':
		do
			fbcon_putc(' ');
		while (cur_col % TAB != 0);
		return;
	case '\b':
		if (cur_col > 0)
			cur_col--;
		return;
	}
	if (cur_col == cols)
		newline();
	set_cell(cur_col++, cur_row, c);
}
