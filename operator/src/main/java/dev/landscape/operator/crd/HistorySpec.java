package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Bounds on what is kept in the API server; long series go to OpenTelemetry instead. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistorySpec {

    @Default("20")
    @Min(2)
    @Max(200)
    @JsonPropertyDescription("Checkpoint summaries kept per rank in its ProbeReport.")
    private Integer checkpoints;

    @Default("20")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Latest findings kept in the probe's status.")
    private Integer findings;

    public Integer getCheckpoints() {
        return checkpoints;
    }

    public void setCheckpoints(Integer checkpoints) {
        this.checkpoints = checkpoints;
    }

    public Integer getFindings() {
        return findings;
    }

    public void setFindings(Integer findings) {
        this.findings = findings;
    }
}
