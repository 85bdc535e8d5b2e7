/*
 * The framebuffer console for machines without VGA text mode (UEFI): draws the
 * console's characters into a linear framebuffer with a built-in font.
 */
#ifndef FBCON_H
#define FBCON_H

#include <stdint.h>

void fbcon_init(uint32_t phys, uint32_t pitch, uint32_t width, uint32_t height, uint32_t bpp);
void fbcon_putc(char c);

#endif
