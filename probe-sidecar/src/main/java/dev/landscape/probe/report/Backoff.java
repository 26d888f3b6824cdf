package dev.landscape.probe.report;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): the n-th retry
 * waits a uniform random time in [0, min(cap, base·2ⁿ)], never less than what the server asked for with
 * Retry-After. Jitter keeps the sidecars of a thousand-GPU job from retrying in lock-step after an operator
 * restart.
 */
public final class Backoff {

    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** The wait before the next attempt, after one more failure. */
    public Duration next(Duration serverAsked) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(failures, 20));
        failures++;
        long wait = (long) (random.nextDouble() * ceiling);
        return Duration.ofMillis(Math.max(wait, serverAsked == null ? 0 : serverAsked.toMillis()));
    }

    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
