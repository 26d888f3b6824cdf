package dev.landscape.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Metrics export settings ({@code landscape.metrics.*}). */
@ConfigMapping(prefix = "landscape.metrics")
public interface MetricsConfig {

    /** Port of the Prometheus scrape endpoint ({@code /metrics}); 0 picks a free port, -1 disables it. */
    @WithDefault("9464")
    int prometheusPort();

    /** OTLP/HTTP metrics endpoint, e.g. {@code http://otel-collector:4318/v1/metrics}; unset disables OTLP export. */
    Optional<String> otlpEndpoint();

    /** OTLP export interval in seconds. */
    @WithDefault("30")
    int otlpIntervalSeconds();
}
