package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;

/** The scalars of one analysed checkpoint; the full series is exported to OpenTelemetry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointSummary {

    private Long step;
    private String path;
    private String format;
    private String completedAt;
    private String observedAt;
    private String pod;
    private Double loss;
    private Double gradNorm;
    private Double learningRate;
    private Double paramNorm;
    private Double updateNorm;
    private Double relativeUpdate;
    private Double updateCosine;
    private Double sharpness;
    private Double eosRatio;
    private Long nonFinite;
    private Double gradNormProxy;
    private Double secantCurvature;
    private List<RankFinding> findings;
    @JsonPropertyDescription("Tier 2: mean loss on the probe's eval batch.")
    private Double evalLoss;
    @JsonPropertyDescription("Tier 2: 95th percentile of the eval batch's per-example loss.")
    private Double evalLossP95;
    @JsonPropertyDescription("Tier 2: the class with the highest mean loss on the eval batch.")
    private Integer worstClass;
    @JsonPropertyDescription("Tier 2: mean eval loss of each class, by class index (up to 64 classes).")
    private Map<String, Double> classLosses;

    public Long getStep() {
        return step;
    }

    public void setStep(Long step) {
        this.step = step;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getFormat() {
        return format;
    }

    public void setFormat(String format) {
        this.format = format;
    }

    public String getCompletedAt() {
        return completedAt;
    }

    public void setCompletedAt(String completedAt) {
        this.completedAt = completedAt;
    }

    public String getObservedAt() {
        return observedAt;
    }

    public void setObservedAt(String observedAt) {
        this.observedAt = observedAt;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public Double getLoss() {
        return loss;
    }

    public void setLoss(Double loss) {
        this.loss = loss;
    }

    public Double getGradNorm() {
        return gradNorm;
    }

    public void setGradNorm(Double gradNorm) {
        this.gradNorm = gradNorm;
    }

    public Double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(Double learningRate) {
        this.learningRate = learningRate;
    }

    public Double getParamNorm() {
        return paramNorm;
    }

    public void setParamNorm(Double paramNorm) {
        this.paramNorm = paramNorm;
    }

    public Double getUpdateNorm() {
        return updateNorm;
    }

    public void setUpdateNorm(Double updateNorm) {
        this.updateNorm = updateNorm;
    }

    public Double getRelativeUpdate() {
        return relativeUpdate;
    }

    public void setRelativeUpdate(Double relativeUpdate) {
        this.relativeUpdate = relativeUpdate;
    }

    public Double getUpdateCosine() {
        return updateCosine;
    }

    public void setUpdateCosine(Double updateCosine) {
        this.updateCosine = updateCosine;
    }

    public Double getSharpness() {
        return sharpness;
    }

    public void setSharpness(Double sharpness) {
        this.sharpness = sharpness;
    }

    public Double getEosRatio() {
        return eosRatio;
    }

    public void setEosRatio(Double eosRatio) {
        this.eosRatio = eosRatio;
    }

    public Long getNonFinite() {
        return nonFinite;
    }

    public void setNonFinite(Long nonFinite) {
        this.nonFinite = nonFinite;
    }

    public Double getGradNormProxy() {
        return gradNormProxy;
    }

    public void setGradNormProxy(Double gradNormProxy) {
        this.gradNormProxy = gradNormProxy;
    }

    public Double getSecantCurvature() {
        return secantCurvature;
    }

    public void setSecantCurvature(Double secantCurvature) {
        this.secantCurvature = secantCurvature;
    }

    public List<RankFinding> getFindings() {
        return findings;
    }

    public void setFindings(List<RankFinding> findings) {
        this.findings = findings;
    }

    public Double getEvalLoss() {
        return evalLoss;
    }

    public void setEvalLoss(Double evalLoss) {
        this.evalLoss = evalLoss;
    }

    public Double getEvalLossP95() {
        return evalLossP95;
    }

    public void setEvalLossP95(Double evalLossP95) {
        this.evalLossP95 = evalLossP95;
    }

    public Integer getWorstClass() {
        return worstClass;
    }

    public void setWorstClass(Integer worstClass) {
        this.worstClass = worstClass;
    }

    public Map<String, Double> getClassLosses() {
        return classLosses;
    }

    public void setClassLosses(Map<String, Double> classLosses) {
        this.classLosses = classLosses;
    }
}
