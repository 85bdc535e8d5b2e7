#ifndef PIT_H
#define PIT_H
void pit_init(void);	/* channel 0 at HZ: the clock's ticks when there is no HPET */
void timer_init(void);	/* timer.c: the HPET if there is one, else the 8254 */
#endif
