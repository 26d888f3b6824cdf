package dev.landscape.operator.alert;

import dev.landscape.contract.Severity;
import dev.landscape.operator.config.MetricsConfig;
import dev.landscape.operator.config.ReconcileConfig;
import dev.landscape.contract.Reason;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.ingest.IngestCounters;
import dev.landscape.operator.observe.UninjectedCause;
import dev.landscape.telemetry.MetricsExport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The operator's OpenTelemetry metrics ({@code landscape.*}), for alerting: active findings by reason, family and
 * severity (and whether a silence covers them), each rank's edge-of-stability ratio, last report, checkpoint
 * interval and report deadline, running ranks, selected pods without the sidecar by cause, the SLO objective,
 * divergence, restarts and OOM kills per probe, reconcile errors and report ingest outcomes. Values are read from
 * the last status each probe was reconciled to (and what that reconcile observed), so the metrics never disagree
 * with {@code kubectl get lp}. Exported on a Prometheus endpoint and, when configured, by OTLP, through the
 * bootstrap the sidecar uses too ({@link MetricsExport}).
 *
 * <p>Probe metrics carry {@code k8s.namespace.name} (the probe's namespace); the alert rules copy it to
 * {@code namespace}, which would otherwise be the operator's own when Prometheus attaches target labels.
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
    static final AttributeKey<String> FAMILY = AttributeKey.stringKey("landscape.family");
    static final AttributeKey<String> CAUSE = AttributeKey.stringKey("landscape.cause");
    /** {@code "true"} while a silence covers the finding; the alert rules ignore such series. */
    static final AttributeKey<String> SILENCED = AttributeKey.stringKey("silenced");

    private final MetricsConfig config;
    private final IngestCounters ingest;
    private final Clock clock;
    private final Duration staleAfter;
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();
    private MetricsExport export;
    private LongCounter reconcileErrors;
    private final java.util.concurrent.atomic.LongAdder reconciles = new java.util.concurrent.atomic.LongAdder();

    @Inject
    public OperatorMetrics(MetricsConfig config, IngestCounters ingest, Clock clock, ReconcileConfig reconcile) {
        this.config = config;
        this.ingest = ingest;
        this.clock = clock;
        this.staleAfter = reconcile.rescanInterval().multipliedBy(STALE_RESCANS);
    }

    /**
     * A probe not reconciled for this many rescan intervals is no longer exported: it was deleted, this replica lost
     * the lease (the new leader exports it), or its reconcile keeps failing (LandscapeOperatorReconcileErrors says
     * so). Without this a deleted probe's findings would alert forever.
     */
    static final int STALE_RESCANS = 4;

    /** What one reconcile of a probe left: its status and gauges, and when. */
    private record Observed(LandscapeProbe probe, ProbeGauges gauges, Instant at) {
    }

    /** The probes reconciled recently enough to be exported; older entries are dropped. */
    private Collection<Observed> current() {
        Instant oldest = clock.instant().minus(staleAfter);
        observed.values().removeIf(o -> o.at().isBefore(oldest));
        return observed.values();
    }

    void start(@Observes StartupEvent e) {
        export = new MetricsExport("landscape-operator", config.prometheusPort(), config.otlpEndpoint(),
                Duration.ofSeconds(config.otlpIntervalSeconds()));
        register(export.provider().get("dev.landscape.operator"));
        LOG.infof("metrics: Prometheus endpoint %s, OTLP %s",
                export.prometheusPort() < 0 ? "disabled" : "on port " + export.prometheusPort(),
                config.otlpEndpoint().orElse("disabled"));
    }

    void stop(@Observes ShutdownEvent e) {
        if (export != null) {
            export.close();
        }
    }

    /** The Prometheus endpoint's port (useful when configured as 0), or -1 when disabled. */
    public int prometheusPort() {
        return export == null ? -1 : export.prometheusPort();
    }

    /** Reconciles completed on this replica since start. */
    public long reconciles() {
        return reconciles.sum();
    }

    /** Records the status a probe was just reconciled to, and what that reconcile observed. */
    public void observed(LandscapeProbe probe, ProbeGauges gauges) {
        reconciles.increment();
        observed.put(probe.getMetadata().getNamespace() + "/" + probe.getMetadata().getName(), new Observed(probe, gauges, clock.instant()));
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
                .setDescription("Active findings: 1 per finding, labelled with reason, family, severity, rank, pod and whether a silence covers it")
                .buildWithCallback(m -> {
                    Instant now = clock.instant();
                    for (LandscapeProbe p : probes()) {
                        LandscapeProbeStatus s = p.getStatus();
                        if (s == null) {
                            continue;
                        }
                        for (FindingStatus f : s.getFindings()) {
                            m.record(1, probeAttributes(p).toBuilder()
                                    .put(REASON, f.getReason())
                                    .put(FAMILY, Reason.of(f.getReason()).map(r -> r.family().name().toLowerCase(Locale.ROOT)).orElse(""))
                                    .put(SEVERITY, f.getSeverity() == null ? Severity.WARNING.label() : f.getSeverity().label())
                                    .put(RANK, f.getRank() == null ? "" : Integer.toString(f.getRank()))
                                    .put(POD, f.getPod() == null ? "" : f.getPod())
                                    .put(SILENCED, Boolean.toString(silenced(f, now)))
                                    .build());
                        }
                    }
                });
        rankGauge(meter, "landscape.rank.eos_ratio", "Sharpness / edge-of-stability threshold at the rank's latest checkpoint",
                r -> r.eosRatio());
        rankGauge(meter, "landscape.rank.last_report_timestamp_seconds", "When the rank's latest report was accepted (Unix time)",
                r -> r.lastReport() == null ? null : r.lastReport().toEpochMilli() / 1000.0);
        rankGauge(meter, "landscape.rank.checkpoint_interval_seconds", "Median time between the rank's analysed checkpoints",
                r -> r.checkpointInterval() == null ? null : r.checkpointInterval().toMillis() / 1000.0);
        rankGauge(meter, "landscape.rank.report_due_timestamp_seconds",
                "When the rank's next report is overdue (Unix time); only while its pod runs with the sidecar (ReportsNotArriving)",
                r -> r.reportDue() == null ? null : r.reportDue().toEpochMilli() / 1000.0);
        meter.gaugeBuilder("landscape.ranks.running").ofLongs().setDescription("Ranks whose current pod is running (the time the SLO counts)")
                .buildWithCallback(m -> forEachProbe((p, g) -> m.record(g.ranksRunning(), probeAttributes(p))));
        meter.gaugeBuilder("landscape.pods.uninjected").ofLongs()
                .setDescription("Unfinished selected pods without the sidecar, by cause (missed: the webhook did not inject a pod it should have)")
                .buildWithCallback(m -> forEachProbe((p, g) -> {
                    for (UninjectedCause cause : UninjectedCause.values()) {
                        m.record(g.uninjected().getOrDefault(cause, 0), probeAttributes(p).toBuilder().put(CAUSE, cause.label()).build());
                    }
                }));
        meter.gaugeBuilder("landscape.slo.objective").setDescription("The probe's stable-training objective as a ratio (spec.slo.objective / 100)")
                .buildWithCallback(m -> forEachProbe((p, g) -> m.record(g.objective(), probeAttributes(p))));
        meter.gaugeBuilder("landscape.divergence").setDescription("Largest relative distance of a replicated tensor across ranks")
                .buildWithCallback(m -> probes().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getMaxDivergence() != null) {
                        m.record(p.getStatus().getMaxDivergence(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.restarts").setDescription("Trainer container restarts of the selected pods")
                .buildWithCallback(m -> probes().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getRestarts() != null) {
                        m.record(p.getStatus().getRestarts(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.oom_kills").setDescription("OOM kills of the selected pods")
                .buildWithCallback(m -> probes().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getOomKills() != null) {
                        m.record(p.getStatus().getOomKills(), probeAttributes(p));
                    }
                }));
        meter.gaugeBuilder("landscape.latest_step").ofLongs().setDescription("Highest step reported by any rank")
                .buildWithCallback(m -> probes().forEach(p -> {
                    if (p.getStatus() != null && p.getStatus().getLatestStep() != null) {
                        m.record(p.getStatus().getLatestStep(), probeAttributes(p));
                    }
                }));
        meter.counterBuilder("landscape.operator.reports").setDescription("Reports received by outcome on this replica")
                .buildWithCallback(m -> ingest.snapshot().forEach((outcome, n) -> m.record(n, Attributes.of(OUTCOME, outcome))));
    }

    private List<LandscapeProbe> probes() {
        return current().stream().map(Observed::probe).toList();
    }

    private void forEachProbe(java.util.function.BiConsumer<LandscapeProbe, ProbeGauges> action) {
        current().forEach(o -> action.accept(o.probe(), o.gauges()));
    }

    private void rankGauge(Meter meter, String name, String description, Function<ProbeGauges.Rank, Double> value) {
        meter.gaugeBuilder(name).setDescription(description).buildWithCallback(m -> forEachProbe((p, g) ->
                g.ranks().forEach((rank, r) -> {
                    Double v = value.apply(r);
                    if (v != null) {
                        m.record(v, probeAttributes(p).toBuilder().put(RANK, Integer.toString(rank)).build());
                    }
                })));
    }

    /** Whether a silence covers the finding at this moment (its end is checked here, between reconciles, too). */
    static boolean silenced(FindingStatus f, Instant now) {
        return Silences.parse(f.getSilencedUntil()).map(until -> until.isAfter(now)).orElse(false);
    }

    private static Attributes probeAttributes(LandscapeProbe p) {
        return Attributes.of(NAMESPACE, p.getMetadata().getNamespace(), PROBE, p.getMetadata().getName());
    }
}
