/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting a fixed time in userland (the daemon, the library).
 */
#ifndef CLP_TIME_H
#define CLP_TIME_H

/* Sleeps @ms milliseconds, the whole of them: a signal does not cut it
 * short (nanosleep is resumed with what is left). */
void clp_sleep_ms(long ms);

#endif
