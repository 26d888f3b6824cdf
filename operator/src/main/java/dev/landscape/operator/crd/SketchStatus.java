package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The latest CountSketch fingerprint of one replicated tensor of the rank (kept for the latest checkpoint only). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SketchStatus {

    private String tensor;
    private Long seed;
    private Double norm;
    private List<Double> values;

    public String getTensor() {
        return tensor;
    }

    public void setTensor(String tensor) {
        this.tensor = tensor;
    }

    public Long getSeed() {
        return seed;
    }

    public void setSeed(Long seed) {
        this.seed = seed;
    }

    public Double getNorm() {
        return norm;
    }

    public void setNorm(Double norm) {
        this.norm = norm;
    }

    public List<Double> getValues() {
        return values;
    }

    public void setValues(List<Double> values) {
        this.values = values;
    }
}
