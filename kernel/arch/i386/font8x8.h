/*
 * The console font (font8x8.c): one 8x8 bitmap per printable ASCII character,
 * row 0 at the top, bit 7 the leftmost pixel.
 */
#ifndef FONT8X8_H
#define FONT8X8_H

#include <stdint.h>

#define FONT_FIRST  0x20
#define FONT_LAST   0x7E
#define FONT_GLYPHS (FONT_LAST - FONT_FIRST + 1)

extern const uint8_t font8x8[FONT_GLYPHS][8];

#endif
