package dev.landscape.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointReportTest {

    private final ObjectMapper json = new ObjectMapper();

    static CheckpointReport valid() {
        return new CheckpointReport(CheckpointReport.API_VERSION, "bert", "ml-team", "bert-worker-2", 2, 500L,
                new CheckpointReport.CheckpointRef("/ckpt/checkpoint-500", "hf-trainer", "2026-11-22T10:00:00Z"),
                "2026-11-22T10:00:03.5Z",
                new Tier1Summary(12.5, 0L, 0.3, 0.024, -0.1, 1.7, 42.0, 3.1, 3.1, 0.4, 2.31, 1.9, 3e-4),
                null,
                List.of(new TensorSketch("model.fc1.weight", 7L, 4.0, List.of(0.5, -1.0))),
                List.of(new ReportedFinding("LossSpike", "warning", 500L, "Loss 9.1 at step 500 is 7.2 MADs above the median.", Map.of("z", 7.2))),
                List.of(new CheckpointReport.SkippedCheckpoint(400L, "/ckpt/checkpoint-400")));
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        CheckpointReport report = valid();

        CheckpointReport back = json.readValue(json.writeValueAsString(report), CheckpointReport.class);

        assertThat(back).isEqualTo(report);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String withExtra = json.writeValueAsString(valid()).replaceFirst("\\{", "{\"futureField\":{\"x\":1},");

        CheckpointReport back = json.readValue(withExtra, CheckpointReport.class);

        assertThat(back.probe()).isEqualTo("bert");
    }

    @Test
    void validReportHasNoErrors() {
        assertThat(ReportValidator.validate(valid())).isEmpty();
    }

    @Test
    void missingRequiredFieldsAreNamed() throws Exception {
        CheckpointReport sparse = json.readValue("{\"apiVersion\":\"landscape.dev/v1alpha1\",\"probe\":\"p\"}", CheckpointReport.class);

        assertThat(ReportValidator.validate(sparse)).extracting(ReportValidator.FieldError::field)
                .containsExactly("namespace", "pod", "rank", "step", "checkpoint.path", "observedAt", "tier1");
    }

    @Test
    void badValuesSayWhatIsWrong() {
        CheckpointReport r = valid();
        CheckpointReport bad = new CheckpointReport("v0", "Bad_Name", r.namespace(), r.pod(), -1, r.step(),
                r.checkpoint(), "yesterday", r.tier1(), null, r.sketches(),
                List.of(new ReportedFinding("loss spike", "fatal", 1L, "m", null)), r.skipped());

        assertThat(ReportValidator.validate(bad)).extracting(Object::toString).containsExactly(
                "apiVersion: \"v0\" is not supported (expected landscape.dev/v1alpha1)",
                "probe: \"Bad_Name\" is not a valid Kubernetes name",
                "rank: must be ≥ 0, got -1",
                "observedAt: \"yesterday\" is not an RFC 3339 time",
                "findings[0].reason: must be one CamelCase word",
                "findings[0].severity: must be info, warning or critical");
    }

    @Test
    void idempotencyKeyIsProbeRankStep() {
        assertThat(valid().idempotencyKey()).isEqualTo("bert/2/500");
    }
}
