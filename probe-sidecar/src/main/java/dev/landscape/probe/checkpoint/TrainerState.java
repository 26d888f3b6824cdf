package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * HF Trainer's {@code trainer_state.json}: {@code global_step} and the {@code log_history} of training entries
 * ({@code loss}, {@code grad_norm}, {@code learning_rate} at a {@code step}). Evaluation entries, which carry
 * {@code eval_*} keys only, are skipped. A diverged run's {@code NaN} and {@code Infinity} (as Python's {@code json}
 * writes them) are read as values.
 */
record TrainerState(OptionalLong globalStep, TrainingLog log) {

    /** Python's {@code json.dumps} writes non-finite floats as bare {@code NaN}, {@code Infinity}, {@code -Infinity}. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static TrainerState read(Path file, MemoryBudget budget) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(RegularFile.readSmall(file, budget, "trainer_state.json"));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, e.getLocation() == null ? -1 : e.getLocation().getCharOffset(),
                    "trainer_state.json is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, 0, "trainer_state.json is not a JSON object");
        }
        OptionalLong step = root.path("global_step").canConvertToLong() && root.path("global_step").isIntegralNumber()
                ? OptionalLong.of(root.get("global_step").asLong()) : OptionalLong.empty();
        List<TrainingLog.Entry> entries = new ArrayList<>();
        for (JsonNode e : root.path("log_history")) {
            OptionalDouble loss = number(e.get("loss"));
            OptionalDouble grad = number(e.get("grad_norm"));
            OptionalDouble lr = number(e.get("learning_rate"));
            if (e.path("step").isIntegralNumber() && (loss.isPresent() || grad.isPresent() || lr.isPresent())) {
                entries.add(new TrainingLog.Entry(e.get("step").asLong(), loss, grad, lr));
            }
        }
        return new TrainerState(step, new TrainingLog(entries));
    }

    private static OptionalDouble number(JsonNode n) {
        return n != null && n.isNumber() ? OptionalDouble.of(n.asDouble()) : OptionalDouble.empty();
    }
}
