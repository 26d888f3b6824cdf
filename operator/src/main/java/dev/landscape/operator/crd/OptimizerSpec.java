package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * Optimizer hyper-parameters for checkpoints that do not store them (plain state dicts). Values found in a
 * checkpoint win; these fill the gaps. They set the edge-of-stability thresholds (2/lr for SGD, 2(1+β)/lr with
 * momentum, (2+2β1)/((1−β1)·lr) for Adam).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OptimizerSpec {

    public enum Type {
        @JsonProperty("sgd") SGD,
        @JsonProperty("momentum") MOMENTUM,
        @JsonProperty("adam") ADAM,
        @JsonProperty("adamw") ADAMW
    }

    @JsonPropertyDescription("sgd, momentum, adam or adamw.")
    private Type type;

    @Pattern(Patterns.DECIMAL)
    @JsonPropertyDescription("Learning rate, e.g. \"3e-4\".")
    private String learningRate;

    @Pattern(Patterns.DECIMAL)
    @JsonPropertyDescription("Adam beta1, e.g. \"0.9\".")
    private String beta1;

    @Pattern(Patterns.DECIMAL)
    @JsonPropertyDescription("Adam beta2, e.g. \"0.999\".")
    private String beta2;

    @Pattern(Patterns.DECIMAL)
    @JsonPropertyDescription("SGD momentum, e.g. \"0.9\".")
    private String momentum;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public String getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(String learningRate) {
        this.learningRate = learningRate;
    }

    public String getBeta1() {
        return beta1;
    }

    public void setBeta1(String beta1) {
        this.beta1 = beta1;
    }

    public String getBeta2() {
        return beta2;
    }

    public void setBeta2(String beta2) {
        this.beta2 = beta2;
    }

    public String getMomentum() {
        return momentum;
    }

    public void setMomentum(String momentum) {
        this.momentum = momentum;
    }
}
