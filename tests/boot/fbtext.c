/*
 * Reads text back from a screenshot of the framebuffer console: takes a
 * binary PPM (QEMU's `screendump`) and prints each 8x16 cell as the character
 * whose glyph (kernel/arch/i386/font8x8.c, rows doubled, as fbcon.c draws
 * them) matches it exactly, '?' where none does. Trailing blanks are cut.
 * The boot suite greps the output for the kernel's banner.
 *
 *   fbtext SCREEN.ppm
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "font8x8.h"

#define CELL_W 8
#define CELL_H 16

static int
read_header_int(FILE *f)
{
	int c, v = 0;

	while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '#')
		if (c == '#')
			while ((c = fgetc(f)) != '\n' && c != EOF)
				;
	if (c < '0' || c > '9')
		return -1;
	for (; c >= '0' && c <= '9'; c = fgetc(f))
		v = v * 10 + (c - '0');
	return v;	/* the one whitespace byte after the number is consumed */
}

int
main(int argc, char **argv)
{
	FILE *f;
	int w, h, maxval;
	uint8_t *px;

	if (argc != 2) {
		fprintf(stderr, "usage: fbtext SCREEN.ppm\n");
		return 2;
	}
	if (!(f = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 2;
	}
	if (fgetc(f) != 'P' || fgetc(f) != '6') {
		fprintf(stderr, "fbtext: %s is not a binary PPM (P6)\n", argv[1]);
		return 2;
	}
	w = read_header_int(f);
	h = read_header_int(f);
	maxval = read_header_int(f);
	if (w <= 0 || h <= 0 || maxval != 255) {
		fprintf(stderr, "fbtext: %s: unsupported PPM header\n", argv[1]);
		return 2;
	}
	px = malloc((size_t)w * h * 3);
	if (!px || fread(px, 3, (size_t)w * h, f) != (size_t)w * h) {
		fprintf(stderr, "fbtext: %s: short pixel data\n", argv[1]);
		return 2;
	}
	fclose(f);

	for (int row = 0; row < h / CELL_H; row++) {
		char line[1024];
		int n = 0, last = -1;

		for (int col = 0; col < w / CELL_W && n < (int)sizeof line - 1; col++) {
			uint8_t cell[CELL_H] = {0};
			char ch = '?';

			for (int y = 0; y < CELL_H; y++)
				for (int x = 0; x < CELL_W; x++) {
					uint8_t *p = px + (((size_t)row * CELL_H + y) * w +
							   col * CELL_W + x) * 3;

					if (p[0] + p[1] + p[2] > 3 * 0x55)	/* lit */
						cell[y] |= 0x80 >> x;
				}
			for (int g = 0; g < FONT_GLYPHS; g++) {
				int y;

				for (y = 0; y < CELL_H && font8x8[g][y / 2] == cell[y]; y++)
					;
				if (y == CELL_H) {
					ch = (char)(FONT_FIRST + g);
					break;
				}
			}
			line[n++] = ch;
			if (ch != ' ')
				last = n - 1;
		}
		line[last + 1] = '\0';
		puts(line);
	}
	free(px);
	return 0;
}
