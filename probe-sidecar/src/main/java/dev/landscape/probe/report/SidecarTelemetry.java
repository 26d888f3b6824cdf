package dev.landscape.probe.report;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.contract.Tier2Metrics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;

import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The sidecar's OpenTelemetry metrics ({@code landscape.*}, attributes {@code k8s.namespace.name},
 * {@code k8s.pod.name}, {@code landscape.probe}, {@code landscape.rank}): the latest checkpoint's tier-1/tier-2
 * scalars as gauges (the full series lives in the metrics backend, not in Kubernetes), analysis counts and
 * durations, and delivery health. Knows the report contract, not the analysis code.
 */
public final class SidecarTelemetry {

    public static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("k8s.namespace.name");
    public static final AttributeKey<String> POD = AttributeKey.stringKey("k8s.pod.name");
    public static final AttributeKey<String> PROBE = AttributeKey.stringKey("landscape.probe");
    public static final AttributeKey<String> RANK = AttributeKey.stringKey("landscape.rank");
    /** The class of a per-class gauge; at most {@code ReportValidator.MAX_CLASS_LOSSES} values per rank. */
    public static final AttributeKey<String> CLASS = AttributeKey.stringKey("landscape.class");
    /** Why a TLS handshake with the operator failed ({@link TlsFailure#reason()}). */
    public static final AttributeKey<String> TLS_REASON = AttributeKey.stringKey("landscape.tls.reason");

    private final Meter meter;
    private final Attributes attributes;
    private final LongCounter analysed;
    private final LongCounter skipped;
    private final LongCounter failed;
    private final DoubleHistogram duration;
    private volatile CheckpointReport latest;

    /**
     * @param pending   reports waiting in the spool
     * @param delivered reports acknowledged by the operator
     */
    public SidecarTelemetry(Meter meter, String namespace, String pod, String probe, int rank,
                            LongSupplier pending, LongSupplier delivered, LongSupplier rejected, LongSupplier retries,
                            LongSupplier deadLettered) {
        this.meter = meter;
        this.attributes = Attributes.of(NAMESPACE, namespace, POD, pod, PROBE, probe, RANK, Integer.toString(rank));
        analysed = meter.counterBuilder("landscape.checkpoints.analysed").setDescription("Checkpoints analysed").build();
        skipped = meter.counterBuilder("landscape.checkpoints.skipped").setDescription("Checkpoints skipped because a newer one was waiting").build();
        failed = meter.counterBuilder("landscape.checkpoints.failed").setDescription("Checkpoints that could not be read or analysed").build();
        duration = meter.histogramBuilder("landscape.analysis.duration").setUnit("s").setDescription("Time to analyse one checkpoint").build();
        gauge(meter, "landscape.step", "Training step of the latest analysed checkpoint", r -> r.step() == null ? null : r.step().doubleValue());
        gauge(meter, "landscape.loss", "Loss logged by the trainer", r -> t1(r, Tier1Summary::loss));
        gauge(meter, "landscape.grad_norm", "Gradient norm (logged, else the Adam first-moment proxy)", r -> {
            Double logged = t1(r, Tier1Summary::gradNorm);
            return logged != null ? logged : t1(r, Tier1Summary::gradNormProxy);
        });
        gauge(meter, "landscape.param_norm", "Parameter norm", r -> t1(r, Tier1Summary::paramNorm));
        gauge(meter, "landscape.update_norm", "Norm of the update since the previous checkpoint", r -> t1(r, Tier1Summary::updateNorm));
        gauge(meter, "landscape.relative_update", "Update norm / parameter norm", r -> t1(r, Tier1Summary::relativeUpdate));
        gauge(meter, "landscape.update_cosine", "Cosine between consecutive updates", r -> t1(r, Tier1Summary::updateCosine));
        gauge(meter, "landscape.learning_rate", "Learning rate in force", r -> t1(r, Tier1Summary::learningRate));
        gauge(meter, "landscape.sharpness", "Sharpness estimate (tier 2 when available, else the secant estimate)", r -> {
            if (r.tier2() != null && r.tier2().preconditionedSharpness() != null) {
                return r.tier2().preconditionedSharpness();
            }
            if (r.tier2() != null && !r.tier2().eigenvalues().isEmpty()) {
                return r.tier2().eigenvalues().get(0);
            }
            return t1(r, Tier1Summary::sharpness);
        });
        gauge(meter, "landscape.eos_ratio", "Sharpness / edge-of-stability threshold", r -> {
            Tier2Metrics t2 = r.tier2();
            return t2 != null && t2.eosRatio() != null ? t2.eosRatio() : t1(r, Tier1Summary::eosRatio);
        });
        gauge(meter, "landscape.nonfinite", "NaN/Inf elements in weights and optimizer state", r -> {
            Long n = r.tier1() == null ? null : r.tier1().nonFinite();
            return n == null ? null : n.doubleValue();
        });
        gauge(meter, "landscape.eval_loss", "Tier 2: mean loss on the eval batch", r -> r.tier2() == null ? null : r.tier2().loss());
        gauge(meter, "landscape.eval_loss_p95", "Tier 2: 95th percentile of the eval batch's per-example loss",
                r -> r.tier2() == null ? null : r.tier2().lossP95());
        gauge(meter, "landscape.eval_worst_class", "Tier 2: the class with the highest mean loss on the eval batch",
                r -> r.tier2() == null || r.tier2().worstClass() == null ? null : r.tier2().worstClass().doubleValue());
        meter.gaugeBuilder("landscape.eval_class_loss").setDescription("Tier 2: mean loss of each class on the eval batch")
                .buildWithCallback(m -> {
                    CheckpointReport r = latest;
                    if (r != null && r.tier2() != null) {
                        r.tier2().classLosses().forEach((c, v) -> {
                            if (v != null && Double.isFinite(v)) {
                                m.record(v, attributes.toBuilder().put(CLASS, c).build());
                            }
                        });
                    }
                });
        meter.gaugeBuilder("landscape.reports.pending").ofLongs().setDescription("Reports spooled, waiting for the operator")
                .buildWithCallback(m -> m.record(pending.getAsLong(), attributes));
        meter.counterBuilder("landscape.reports.delivered").setDescription("Reports acknowledged by the operator")
                .buildWithCallback(m -> m.record(delivered.getAsLong(), attributes));
        meter.counterBuilder("landscape.reports.rejected").setDescription("Reports the operator refused for good")
                .buildWithCallback(m -> m.record(rejected.getAsLong(), attributes));
        meter.counterBuilder("landscape.reports.retries").setDescription("Delivery attempts that will be retried")
                .buildWithCallback(m -> m.record(retries.getAsLong(), attributes));
        meter.counterBuilder("landscape.reports.dead_lettered")
                .setDescription("Reports set aside after failing while later ones were delivered")
                .buildWithCallback(m -> m.record(deadLettered.getAsLong(), attributes));
    }

    /**
     * Counts failed TLS handshakes with the operator ({@code landscape.reports.tls_failures}, by
     * {@code landscape.tls.reason}): a report that cannot be delivered because of trust, not because the operator is
     * down, and that needs a person (the CA bundle, the Service name, a certificate's dates).
     */
    public void observeTlsFailures(Supplier<Map<String, Long>> byReason) {
        meter.counterBuilder("landscape.reports.tls_failures")
                .setDescription("Delivery attempts that failed the TLS handshake with the operator, by reason")
                .buildWithCallback(m -> byReason.get().forEach((reason, n) ->
                        m.record(n, attributes.toBuilder().put(TLS_REASON, reason).build())));
    }

    /** A checkpoint was analysed into {@code report} in {@code seconds}. */
    public void analysed(CheckpointReport report, double seconds) {
        latest = report;
        analysed.add(1, attributes);
        skipped.add(report.skipped().size(), attributes);
        duration.record(seconds, attributes);
    }

    public void failed() {
        failed.add(1, attributes);
    }

    private void gauge(Meter meter, String name, String description, Function<CheckpointReport, Double> value) {
        meter.gaugeBuilder(name).setDescription(description).buildWithCallback((ObservableDoubleMeasurement m) -> {
            CheckpointReport r = latest;
            Double v = r == null ? null : value.apply(r);
            if (v != null && Double.isFinite(v)) {
                m.record(v, attributes);
            }
        });
    }

    private static Double t1(CheckpointReport r, Function<Tier1Summary, Double> f) {
        return r.tier1() == null ? null : f.apply(r.tier1());
    }
}
