package dev.landscape.operator.crd;

import dev.landscape.contract.SidecarSettings;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * Tier 1 (model-free: norms, updates, Adam moments, secant curvature, fingerprints) always runs. Tier 2 (Hessian
 * spectrum on an evaluation batch) runs when both {@code model} and {@code batch} are set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.model) == has(self.batch)", message = "metrics.model and metrics.batch must be given together (tier 2 needs both)")
@ValidationRule(value = "!has(self.subsetParameters) || (has(self.modelParameters) && self.subsetParameters <= self.modelParameters)", message = "metrics.subsetParameters needs metrics.modelParameters and must not exceed it")
public class MetricsSpec {

    public enum Loss {
        @JsonProperty("mse") MSE,
        @JsonProperty("cross-entropy") CROSS_ENTROPY,
        @JsonProperty("graph") GRAPH
    }

    @JsonPropertyDescription("Path, inside the checkpoint volume, of the model exported to ONNX (tier 2).")
    private String model;

    @JsonPropertyDescription("Path, inside the checkpoint volume, of a safetensors evaluation batch: one tensor per graph input plus 'target' (tier 2).")
    private String batch;

    @Default(SidecarSettings.DEFAULT_LOSS)
    @JsonPropertyDescription("Loss head for tier 2: mse, cross-entropy (means over the batch, as PyTorch defaults) or graph (the model's own loss output).")
    private Loss loss;

    @Default(SidecarSettings.DEFAULT_TOP_K)
    @Min(1)
    @Max(20)
    @JsonPropertyDescription("How many top Hessian eigenvalues to estimate (tier 2).")
    private Integer topK;

    @Default(SidecarSettings.DEFAULT_TRACE)
    @JsonPropertyDescription("Estimate the Hessian trace (Hutchinson) in tier 2.")
    private Boolean trace;

    @Size(max = 64)
    @JsonPropertyDescription("Globs of the parameters tier 2 measures curvature over, e.g. [\"transformer.h.11.*\", \"lm_head.*\"] (matched against the ONNX initializer and the checkpoint tensor names; * does not cross '/'); empty or unset: all. The Hessian of a subset is its diagonal block, at a fraction of the memory; the others are held at the checkpoint's values.")
    private List<String> parameters;

    @Min(1)
    @JsonPropertyDescription("The model's parameter count, sum(p.numel() for p in model.parameters()). The webhook sizes a tier-2 sidecar's heap and memory limit from it (docs/webhook.md); unset, it sizes for a small model and the sidecar logs what this one needs.")
    private Long modelParameters;

    @Min(1)
    @JsonPropertyDescription("How many parameters the globs in parameters select (the sidecar prints it: 'curvature over the N of M parameters'); sizes the heap and memory limit. For a subset a gradient reaches through frozen blocks (not the last blocks and the head), set the parameters the differentiated graph reads, which the sidecar names when it refuses a model its limit cannot hold (docs/curvature.md). Unset: modelParameters.")
    private Long subsetParameters;

    @Size(max = 1024)
    @JsonPropertyDescription("Ranks whose sidecar runs tier 2; empty or unset: every rank. Data-parallel replicas hold the same weights, so one rank (e.g. [0]) measures the curvature for all and spares the others' CPU or GPU.")
    private List<Integer> ranks;

    @Default(SidecarSettings.DEFAULT_SKETCH_WIDTH)
    @Min(16)
    @Max(4096)
    @JsonPropertyDescription("Width of each tensor's CountSketch fingerprint used to compare ranks.")
    private Integer sketchWidth;

    public List<String> getParameters() {
        return parameters;
    }

    public void setParameters(List<String> parameters) {
        this.parameters = parameters;
    }

    public Long getModelParameters() {
        return modelParameters;
    }

    public void setModelParameters(Long modelParameters) {
        this.modelParameters = modelParameters;
    }

    public Long getSubsetParameters() {
        return subsetParameters;
    }

    public void setSubsetParameters(Long subsetParameters) {
        this.subsetParameters = subsetParameters;
    }

    public List<Integer> getRanks() {
        return ranks;
    }

    public void setRanks(List<Integer> ranks) {
        this.ranks = ranks;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getBatch() {
        return batch;
    }

    public void setBatch(String batch) {
        this.batch = batch;
    }

    public Loss getLoss() {
        return loss;
    }

    public void setLoss(Loss loss) {
        this.loss = loss;
    }

    public Integer getTopK() {
        return topK;
    }

    public void setTopK(Integer topK) {
        this.topK = topK;
    }

    public Boolean getTrace() {
        return trace;
    }

    public void setTrace(Boolean trace) {
        this.trace = trace;
    }


    public Integer getSketchWidth() {
        return sketchWidth;
    }

    public void setSketchWidth(Integer sketchWidth) {
        this.sketchWidth = sketchWidth;
    }
}
