package dev.landscape.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Report ingest settings ({@code landscape.ingest.*}). */
@ConfigMapping(prefix = "landscape.ingest")
public interface IngestConfig {

    /** Token audience the sidecar's projected service-account token must carry. */
    @WithDefault("landscape-probe")
    String audience();

    /** Reports processed at once on this replica; beyond it the answer is 429 with Retry-After. */
    @WithDefault("16")
    int maxConcurrent();

    /** Seconds a sender is asked to wait after a 429 or 503. */
    @WithDefault("2")
    int retryAfterSeconds();
}
