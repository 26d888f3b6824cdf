package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.List;

/** The probe's desired behaviour. Defaults live in the CRD schema and in the code that reads it, never here. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LandscapeProbeSpec {

    @Required
    @ValidationRule(value = "(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
            message = "spec.selector must have matchLabels or matchExpressions: an empty selector would probe every pod in the namespace")
    @JsonPropertyDescription("Training pods to watch, in the probe's namespace. An empty selector is rejected: it would inject every pod.")
    private LabelSelector selector;

    @Required
    @JsonPropertyDescription("Where the training job writes its checkpoints.")
    private CheckpointSource checkpoints;

    @JsonPropertyDescription("Where each pod's rank comes from. Default: auto-detect Kubeflow, Indexed Job and JobSet labels, then env RANK.")
    private RankSource rank;

    @JsonPropertyDescription("What to measure. Tier 1 (model-free) always; tier 2 when model and batch are given.")
    private MetricsSpec metrics;

    @JsonPropertyDescription("When findings are raised. Decimal values are strings, as Kubernetes API conventions ask.")
    private ThresholdsSpec thresholds;

    @JsonPropertyDescription("The injected sidecar container.")
    private SidecarSpec sidecar;

    @JsonPropertyDescription("Optimizer hyper-parameters, for checkpoints that do not carry them.")
    private OptimizerSpec optimizer;

    @JsonPropertyDescription("How much history the operator keeps in status and ProbeReports.")
    private HistorySpec history;

    @Size(max = 50)
    @JsonPropertyDescription("Planned windows in which findings are recorded and shown but raise no Warning Event and no alert.")
    private List<SilenceSpec> silences;

    @JsonPropertyDescription("The stable-training objective that the burn-rate alerts measure against.")
    private SloSpec slo;

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }

    public CheckpointSource getCheckpoints() {
        return checkpoints;
    }

    public void setCheckpoints(CheckpointSource checkpoints) {
        this.checkpoints = checkpoints;
    }

    public RankSource getRank() {
        return rank;
    }

    public void setRank(RankSource rank) {
        this.rank = rank;
    }

    public MetricsSpec getMetrics() {
        return metrics;
    }

    public void setMetrics(MetricsSpec metrics) {
        this.metrics = metrics;
    }

    public ThresholdsSpec getThresholds() {
        return thresholds;
    }

    public void setThresholds(ThresholdsSpec thresholds) {
        this.thresholds = thresholds;
    }

    public SidecarSpec getSidecar() {
        return sidecar;
    }

    public void setSidecar(SidecarSpec sidecar) {
        this.sidecar = sidecar;
    }

    public OptimizerSpec getOptimizer() {
        return optimizer;
    }

    public void setOptimizer(OptimizerSpec optimizer) {
        this.optimizer = optimizer;
    }

    public HistorySpec getHistory() {
        return history;
    }

    public void setHistory(HistorySpec history) {
        this.history = history;
    }

    public List<SilenceSpec> getSilences() {
        return silences;
    }

    public void setSilences(List<SilenceSpec> silences) {
        this.silences = silences;
    }

    public SloSpec getSlo() {
        return slo;
    }

    public void setSlo(SloSpec slo) {
        this.slo = slo;
    }
}
