/*
 * ACPI's description tables (acpi.c), read to find devices: nothing here
 * evaluates AML or changes the machine's state.
 */
#ifndef ACPI_H
#define ACPI_H
#include <stdbool.h>
#include <stdint.h>
/* The table whose signature is sig, checksum good, and its length; false if the firmware gave none. */
bool acpi_find(const char sig[4], const uint8_t **table, uint32_t *len);
/* The HPET's register block as the HPET table gives it (memory space, 1 KiB aligned); false if none. */
bool acpi_hpet_base(uint32_t *phys);
#endif
