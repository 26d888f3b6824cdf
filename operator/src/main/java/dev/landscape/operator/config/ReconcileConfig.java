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

    /**
     * How often each probe lists the pods its selector matches, for those the webhook never labelled (created before
     * the probe, while the webhook was unavailable, or opted out): the pod informer watches labelled pods only, so
     * these are seen at the probe's first reconcile and then this often, not on each change.
     */
    @WithDefault("2m")
    Duration podListInterval();
}
