/*
 * sleep.h: a pause of some milliseconds that a signal does not cut short
 * (nanosleep(2) resumed with what is left): between polls and retries.
 */
#ifndef ICM_UTIL_SLEEP_H
#define ICM_UTIL_SLEEP_H

void sleep_ms(long ms);

#endif
