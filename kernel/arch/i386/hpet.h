#ifndef HPET_H
#define HPET_H
#include <stdbool.h>
#include <stdint.h>
bool hpet_init(void);		/* true: found, counting, timer 0 on IRQ 0 */
uint64_t hpet_ns(void);		/* since hpet_init */
void hpet_arm_ns(uint64_t ns);	/* timer 0's next interrupt; interrupts off */
#endif
