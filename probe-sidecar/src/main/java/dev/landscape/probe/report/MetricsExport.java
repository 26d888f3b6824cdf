package dev.landscape.probe.report;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the sidecar's metrics go: a Prometheus scrape endpoint on {@code port} ({@code /metrics}; -1 disables it)
 * and OTLP/HTTP when an endpoint is configured (the standard {@code OTEL_EXPORTER_OTLP_METRICS_ENDPOINT}).
 */
public final class MetricsExport implements AutoCloseable {

    private final SdkMeterProvider provider;

    public MetricsExport(int prometheusPort, Optional<String> otlpEndpoint, Duration otlpInterval) {
        SdkMeterProviderBuilder b = SdkMeterProvider.builder().setResource(Resource.getDefault()
                .merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "landscape-probe-sidecar"))));
        if (prometheusPort >= 0) {
            b.registerMetricReader(PrometheusHttpServer.builder().setHost("0.0.0.0").setPort(prometheusPort).build());
        }
        otlpEndpoint.filter(e -> !e.isBlank()).ifPresent(endpoint -> b.registerMetricReader(PeriodicMetricReader
                .builder(OtlpHttpMetricExporter.builder().setEndpoint(endpoint).build()).setInterval(otlpInterval).build()));
        provider = b.build();
    }

    public SdkMeterProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        provider.close();
    }
}
