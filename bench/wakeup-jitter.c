/*
 * How late this machine wakes a thread that sleeps until a deadline, N times a second: the scheduling noise under
 * any latency figure measured here (WebhookLatencyBench's "send-lag" column is the same thing seen from the JVM).
 *   cc -O2 -o /tmp/wakeup-jitter bench/wakeup-jitter.c && /tmp/wakeup-jitter 200 20
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

static long nanos(struct timespec t) {
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char **argv) {
    int hz = argc > 1 ? atoi(argv[1]) : 200;
    int seconds = argc > 2 ? atoi(argv[2]) : 30;
    int n = hz * seconds;
    long period = 1000000000L / hz;
    long *lag = malloc(n * sizeof(long));
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < n; i++) {
        long due = nanos(start) + (long) (i + 1) * period;
        struct timespec deadline = {due / 1000000000L, due % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        lag[i] = nanos(now) - due;
    }
    qsort(lag, n, sizeof(long), compare);
    printf("wake-up lag at %d Hz for %d s: p50=%.3fms p90=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms\n", hz, seconds,
           lag[n / 2] / 1e6, lag[n * 9 / 10] / 1e6, lag[n * 99 / 100] / 1e6, lag[n * 999 / 1000] / 1e6, lag[n - 1] / 1e6);
    free(lag);
    return 0;
}
