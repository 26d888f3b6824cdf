package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/**
 * The "stable training time" objective: the share of the time the probe's pods train without an unsilenced
 * critical training finding. Alerts page on how fast its error budget burns (deploy/prometheus), not on each
 * threshold crossing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SloSpec {

    /** Percent, as a string: above 0 and below 100 (100 would leave no error budget to burn). */
    public static final String OBJECTIVE_PATTERN = "^[0-9]{1,2}(\\.[0-9]{1,4})?$";

    @Default("99")
    @Pattern(OBJECTIVE_PATTERN)
    @JsonPropertyDescription("Stable-training objective in percent (above 0, below 100), e.g. \"99\" or \"99.5\".")
    private String objective;

    public String getObjective() {
        return objective;
    }

    public void setObjective(String objective) {
        this.objective = objective;
    }
}
