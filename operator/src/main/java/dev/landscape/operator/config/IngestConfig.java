package dev.landscape.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Report ingest settings ({@code landscape.ingest.*}). */
@ConfigMapping(prefix = "landscape.ingest")
public interface IngestConfig {

    /** The audience reports are authenticated for when {@code landscape.ingest.audience} is not set. */
    String DEFAULT_AUDIENCE = "landscape-probe";

    /**
     * Token audience the sidecar's projected service-account token must carry. The one setting for both ends: the
     * webhook asks the kubelet for tokens of this audience in every pod it injects, and ingest accepts only them,
     * so changing it changes both (pods injected before the change keep the old audience until they are recreated).
     */
    @WithDefault(DEFAULT_AUDIENCE)
    String audience();

    /** Reports processed at once on this replica; beyond it the answer is 429 with Retry-After. */
    @WithDefault("16")
    int maxConcurrent();

    /** Seconds a sender is asked to wait after a 429 or 503. */
    @WithDefault("2")
    int retryAfterSeconds();
}
