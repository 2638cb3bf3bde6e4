/*
 * clockshift: an LD_PRELOAD library that steps one process's wall clock on demand, for
 * `scripts/faults` (the clock-step run). The machine's own clock cannot be stepped on demand
 * without disturbing everything else on it, so the hub under test gets its own.
 *
 * CLOCK_REALTIME (and its coarse variant), gettimeofday and time read the real clock plus the
 * number of seconds written in the file named by $CLOCKSHIFT_FILE, re-read at most every
 * 20 ms of monotonic time. The monotonic and boot-time clocks are left alone, as a real
 * step leaves them.
 *
 *   cc -shared -fPIC -O2 -o clockshift.so clockshift.c -ldl
 *   echo 3600 > offset; CLOCKSHIFT_FILE=offset LD_PRELOAD=./clockshift.so program
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime(void) {
    static clock_gettime_fn real;
    if (!real) real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    return real;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long cached_offset_ns;
static long long next_read_ns = -1;

/* The offset in nanoseconds, from the file, re-read at most every 20 ms. */
static long long offset_ns(void) {
    struct timespec now;
    real_clock_gettime()(CLOCK_MONOTONIC, &now);
    long long mono = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    pthread_mutex_lock(&lock);
    if (mono >= next_read_ns) {
        next_read_ns = mono + 20000000LL;
        const char *path = getenv("CLOCKSHIFT_FILE");
        FILE *file = path ? fopen(path, "r") : NULL;
        if (file) {
            double seconds = 0;
            if (fscanf(file, "%lf", &seconds) == 1) cached_offset_ns = (long long)(seconds * 1e9);
            fclose(file);
        }
    }
    long long offset = cached_offset_ns;
    pthread_mutex_unlock(&lock);
    return offset;
}

static void shift(struct timespec *ts) {
    long long total = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ns();
    ts->tv_sec = (time_t)(total / 1000000000LL);
    ts->tv_nsec = (long)(total % 1000000000LL);
    if (ts->tv_nsec < 0) {
        ts->tv_nsec += 1000000000L;
        ts->tv_sec -= 1;
    }
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    int result = real_clock_gettime()(clock, ts);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
    struct timespec ts;
    int result = clock_gettime(CLOCK_REALTIME, &ts);
    if (result == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
