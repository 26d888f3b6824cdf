package dev.landscape.operator.alert;

import dev.landscape.operator.config.MetricsConfig;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.ingest.IngestCounters;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's OpenTelemetry metrics ({@code landscape.*}), for alerting: active findings by reason and
 * severity, each rank's edge-of-stability ratio, divergence, restarts and OOM kills per probe, reconcile errors
 * and report ingest outcomes. Values are read from the last status each probe was reconciled to, so the metrics
 * never disagree with {@code kubectl get lp}. Exported on a Prometheus endpoint and, when configured, by OTLP.
 */
@ApplicationScoped
public class OperatorMetrics {

    private static final Logger LOG = Logger.getLogger(OperatorMetrics.class);
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("k8s.namespace.name");
    static final AttributeKey<String> PROBE = AttributeKey.stringKey("landscape.probe");
    static final AttributeKey<String> RANK = AttributeKey.stringKey("landscape.rank");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("landscape.reason");
    static final AttributeKey<String> SEVERITY = AttributeKey.stringKey("landscape.severity");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("landscape.outcome");
    static final AttributeKey<String> POD = AttributeKey.stringKey("k8s.pod.name");

    private final MetricsConfig config;
    private final IngestCounters ingest;
    private final Map<String, LandscapeProbe> latest = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Double>> rankEos = new ConcurrentHashMap<>();
    private SdkMeterProvider provider;
    private PrometheusHttpServer prometheus;
    private int port = -1;
    private LongCounter reconcileErrors;
    private final java.util.concurrent.atomic.LongAdder reconciles = new java.util.concurrent.atomic.LongAdder();

    @Inject
    public OperatorMetrics(MetricsConfig config, IngestCounters ingest) {
        this.config = config;
        this.ingest = ingest;
    }

    void start(@Observes StartupEvent e) {
        SdkMeterProviderBuilder b = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "landscape-operator"))));
        if (config.prometheusPort() >= 0) {
            port = config.prometheusPort() == 0 ? freePort() : config.prometheusPort();
            prometheus = PrometheusHttpServer.builder().setPort(port).build();
            b.registerMetricReader(prometheus);
        }
        config.otlpEndpoint().ifPresent(endpoint -> b.registerMetricReader(PeriodicMetricReader
                .builder(OtlpHttpMetricExporter.builder().setEndpoint(endpoint).build())
                .setInterval(Duration.ofSeconds(config.otlpIntervalSeconds())).build()));
        provider = b.build();
        register(provider.get("dev.landscape.operator"));
        LOG.infof("metrics: Prometheus endpoint %s, OTLP %s",
                prometheus == null ? "disabled" : "on port " + port,
                config.otlpEndpoint().orElse("disabled"));
    }

    void stop(@Observes ShutdownEvent e) {
        if (provider != null) {
            provider.close();
        }
    }

    /** The Prometheus endpoint's port (useful when configured as 0), or -1 when disabled. */
    public int prometheusPort() {
        return prometheus == null ? -1 : port;
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port for the metrics endpoint", e);
        }
    }

    /** Reconciles completed on this replica since start. */
    public long reconciles() {
        return reconciles.sum();
    }

    /** Records the status a probe was just reconciled to. */
    public void observed(LandscapeProbe probe, Map<Integer, Double> eosByRank) {
        reconciles.increment();
        String key = probe.getMetadata().getNamespace() + "/" + probe.getMetadata().getName();
        latest.put(key, probe);
        rankEos.put(key, new TreeMap<>(eosByRank));
    }

    public void forget(String namespace, String name) {
        latest.remove(namespace + "/" + name);
        rankEos.remove(namespace + "/" + name);
    }

    public void reconcileError(LandscapeProbe probe) {
        if (reconcileErrors != null) {
            reconcileErrors.add(1, probeAttributes(probe));
        }
    }

    private void register(Meter meter) {
        reconcileErrors = meter.counterBuilder("landscape.operator.reconcile.errors")
                .setDescription("Reconciles that failed and will be retried").build();
        meter.counterBuilder("landscape.operator.reconciles").setDescription("Reconciles completed")
                .buildWithCallback(m -> m.record(reconciles.sum()));
        meter.gaugeBuilder("landscape.findings.active").ofLongs()
                .setDescription("Active findings: 1 per finding, labelled with reason, severity, rank and pod")
                .buildWithCallback(m -> {
                    for (LandscapeProbe p : latest.values()) {
                        LandscapeProbeStatus s = p.getStatus();
                        if (s == null) {
                            continue;
                        }
                        for (FindingStatus f : s.getFindings()) {
                            m.record(1, probeAttributes(p).toBuilder()
                                    .put(REASON, f.getReason())
                                    .put(SEVERITY, f.getSeverity() == null ? "warning" : f.getSeverity().name().toLowerCase(java.util.Locale.ROOT))
                                    .put(RANK, f.getRank() == null ? "" : Integer.toString(f.getRank()))
                                    .put(POD, f.getPod() == null ? "" : f.getPod())
                                    .build());
                        }
                    }
                });
        meter.gaugeBuilder("landscape.rank.eos_ratio").setDescription("Sharpness / edge-of-stability threshold at the rank's latest checkpoint")
                .buildWithCallback(m -> rankEos.forEach((key, ranks) -> {
                    LandscapeProbe p = latest.get(key);
                    if (p != null) {
                        ranks.forEach((rank, v) -> m.record(v, probeAttributes(p).toBuilder().put(RANK, Integer.toString(rank)).build()));
                    }
                }));
        meter.gaugeBuilder("landscape.divergence").setDescription("Largest relative distance of a replicated tensor across ranks")
                .buildWithCallback(m -> latest.values().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getMaxDivergence() != null) {
                        m.record(p.getStatus().getMaxDivergence(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.restarts").setDescription("Trainer container restarts of the selected pods")
                .buildWithCallback(m -> latest.values().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getRestarts() != null) {
                        m.record(p.getStatus().getRestarts(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.oom_kills").setDescription("OOM kills of the selected pods")
                .buildWithCallback(m -> latest.values().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getOomKills() != null) {
                        m.record(p.getStatus().getOomKills(), probeAttributes(p));
                    }
                }));
        meter.gaugeBuilder("landscape.latest_step").ofLongs().setDescription("Highest step reported by any rank")
                .buildWithCallback(m -> latest.values().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getLatestStep() != null) {
                        m.record(p.getStatus().getLatestStep(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.operator.reports").setDescription("Reports received by outcome on this replica")
                .buildWithCallback(m -> ingest.snapshot().forEach((outcome, n) -> m.record(n, Attributes.of(OUTCOME, outcome))));
    }

    private static Attributes probeAttributes(LandscapeProbe p) {
        return Attributes.of(NAMESPACE, p.getMetadata().getNamespace(), PROBE, p.getMetadata().getName());
    }
}
