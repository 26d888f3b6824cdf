package dev.landscape.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the operator's and the sidecar's metrics go, set up the same way for both: a Prometheus scrape endpoint
 * ({@code /metrics} on all interfaces) and, when an endpoint is configured, OTLP/HTTP pushed at an interval, with
 * {@code service.name} telling the two apart. Each process makes one and registers its instruments on
 * {@link #provider()}; closing it stops the endpoint and flushes OTLP.
 */
public final class MetricsExport implements AutoCloseable {

    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final SdkMeterProvider provider;
    private final int port;

    /**
     * @param serviceName    {@code service.name} of the resource: {@code landscape-operator} or {@code landscape-probe-sidecar}
     * @param prometheusPort port of the scrape endpoint; 0 picks a free one ({@link #prometheusPort()} says which),
     *                       -1 disables it
     * @param otlpEndpoint   OTLP/HTTP metrics URL ({@code http://collector:4318/v1/metrics}); empty or blank: no OTLP
     * @param otlpInterval   how often OTLP pushes
     */
    public MetricsExport(String serviceName, int prometheusPort, Optional<String> otlpEndpoint, Duration otlpInterval) {
        SdkMeterProviderBuilder b = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))));
        port = prometheusPort == 0 ? freePort() : prometheusPort;
        if (port > 0) {
            b.registerMetricReader(PrometheusHttpServer.builder().setHost("0.0.0.0").setPort(port).build());
        }
        otlpEndpoint.filter(e -> !e.isBlank()).ifPresent(endpoint -> b.registerMetricReader(PeriodicMetricReader
                .builder(OtlpHttpMetricExporter.builder().setEndpoint(endpoint).build()).setInterval(otlpInterval).build()));
        provider = b.build();
    }

    public SdkMeterProvider provider() {
        return provider;
    }

    /** The scrape endpoint's port (the one picked when configured as 0), or -1 when it is disabled. */
    public int prometheusPort() {
        return port > 0 ? port : -1;
    }

    @Override
    public void close() {
        provider.close();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the metrics endpoint", e);
        }
    }
}
