package dev.landscape.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Reconciliation settings ({@code landscape.reconcile.*}). */
@ConfigMapping(prefix = "landscape.reconcile")
public interface ReconcileConfig {

    /**
     * How often a probe is re-evaluated without any event. A hang shows as the absence of events, so this bounds
     * how late StaleCheckpoints and window expiries are noticed; every pass reads only informer caches.
     */
    @WithDefault("30s")
    Duration rescanInterval();
}
