package dev.landscape.operator.crd;

import dev.landscape.contract.SidecarSettings;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The injected probe container. Its resources default low so that it can never starve the trainer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSpec {

    public enum GpuMode {
        /** CPU only (the default): tier 2 runs on the ND4J CPU backend. */
        @JsonProperty("none") NONE,
        /** Share the trainer's GPU through its DRA resource claim, where one exists. */
        @JsonProperty("shared") SHARED,
        /** Request a GPU of its own ({@code nvidia.com/gpu: 1}). */
        @JsonProperty("dedicated") DEDICATED
    }

    public enum PullPolicy { Always, IfNotPresent, Never }

    @JsonPropertyDescription("Sidecar image. Default: the operator's configured image of the same version.")
    private String image;

    @JsonPropertyDescription("Image pull policy.")
    private PullPolicy imagePullPolicy;

    @JsonPropertyDescription("Container resources. Default: requests 50m CPU / 192Mi, limits 1 CPU / 512Mi (tier 1); more for tier 2.")
    private ResourceRequirements resources;

    @Default(SidecarSettings.DEFAULT_GPU)
    @JsonPropertyDescription("GPU use for tier 2: none, shared (the trainer's DRA claim) or dedicated (nvidia.com/gpu: 1).")
    private GpuMode gpu;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public PullPolicy getImagePullPolicy() {
        return imagePullPolicy;
    }

    public void setImagePullPolicy(PullPolicy imagePullPolicy) {
        this.imagePullPolicy = imagePullPolicy;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public GpuMode getGpu() {
        return gpu;
    }

    public void setGpu(GpuMode gpu) {
        this.gpu = gpu;
    }
}
