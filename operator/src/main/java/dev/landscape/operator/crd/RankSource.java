package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where a pod's rank comes from. {@code Auto} follows the launchers' conventions (Kubeflow, JobSet, Indexed Job, env
 * {@code RANK}); the rule itself is {@code dev.landscape.operator.rank.RankResolver}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.source == 'Auto' || has(self.key)", message = "rank.key is required when rank.source is Label, Annotation or Env")
public class RankSource {

    public enum Source { Auto, Label, Annotation, Env }

    @Default("Auto")
    @JsonPropertyDescription("Auto, Label, Annotation or Env.")
    private Source source;

    @JsonPropertyDescription("The label, annotation or environment variable that holds the rank (required unless source is Auto).")
    private String key;

    public Source getSource() {
        return source;
    }

    public void setSource(Source source) {
        this.source = source;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
