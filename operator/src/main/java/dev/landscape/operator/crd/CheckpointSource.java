package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.landscape.contract.SidecarSettings;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** The pod volume the trainer writes checkpoints to; the sidecar mounts it read-only at the trainer's mount path. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointSource {

    @Required
    @Pattern(Patterns.DNS_LABEL)
    @JsonPropertyDescription("Name of the pod volume that holds the checkpoints (as in spec.volumes[].name of the training pod).")
    private String volume;

    @Pattern("^[^/].*$|^$")
    @JsonPropertyDescription("Folder inside the volume, relative (no leading slash). Empty means the volume's root.")
    private String path;

    @Size(max = 16)
    @JsonPropertyDescription("Glob patterns of checkpoint names to analyse, e.g. 'checkpoint-*'. Empty means every format the sidecar recognises.")
    private List<String> patterns;

    @Size(max = 64)
    @JsonPropertyDescription("Pickle globals (module.Name, e.g. 'mytrainer.config.TrainConfig') the sidecar accepts in"
            + " torch checkpoints besides its built-in allowlist of what checkpoint formats need; a checkpoint naming any"
            + " other global is reported unreadable. Only for code you trust: CPython's pickle imports these when the"
            + " file is loaded.")
    private List<@Pattern(SidecarSettings.DOTTED_NAME) String> trustedGlobals;

    @Default(SidecarSettings.DEFAULT_QUIET_PERIOD)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a checkpoint's files must stay unchanged before it is read (Go duration, e.g. 30s, 2m).")
    private String quietPeriod;

    @Default(SidecarSettings.DEFAULT_POLL_INTERVAL)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How often the sidecar looks for new checkpoints (Go duration). Checkpoints are read at most this long plus the quiet period after they complete.")
    private String pollInterval;

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public List<String> getPatterns() {
        return patterns;
    }

    public void setPatterns(List<String> patterns) {
        this.patterns = patterns;
    }

    public List<String> getTrustedGlobals() {
        return trustedGlobals;
    }

    public void setTrustedGlobals(List<String> trustedGlobals) {
        this.trustedGlobals = trustedGlobals;
    }

    public String getQuietPeriod() {
        return quietPeriod;
    }

    public void setQuietPeriod(String quietPeriod) {
        this.quietPeriod = quietPeriod;
    }

    public String getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(String pollInterval) {
        this.pollInterval = pollInterval;
    }
}
