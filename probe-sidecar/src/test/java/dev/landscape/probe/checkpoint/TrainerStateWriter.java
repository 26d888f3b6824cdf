package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes an HF Trainer {@code trainer_state.json} for checkpoints this project produces itself (the embedded demo's
 * trainer, the tier-1 ground truth), as transformers writes it: {@code json.dumps(indent=2, sort_keys=True)} of the
 * {@code TrainerState}, the whole {@code log_history}, and non-finite numbers as Python's bare {@code NaN} and
 * {@code Infinity} (Jackson would quote them as strings, which no Python reader writes). {@link TrainerState} reads
 * it back.
 */
public final class TrainerStateWriter {

    private static final JsonMapper JSON = JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One training entry of {@code log_history}: the step's loss, gradient norm and learning rate. */
    public record LogEntry(long step, double epoch, double loss, double gradNorm, double learningRate) {
    }

    /**
     * The Trainer's arguments that {@code trainer_state.json} repeats.
     *
     * @param worldProcessZero whether this process is the job's rank 0
     */
    public record Run(int loggingSteps, int saveSteps, int evalSteps, long maxSteps, double numTrainEpochs,
                      int trainBatchSize, boolean worldProcessZero) {
    }

    private TrainerStateWriter() {
    }

    /** Writes the state after {@code globalStep} steps ({@code epoch} into training) to {@code file}. */
    public static void write(Path file, Run run, long globalStep, double epoch, List<LogEntry> log) throws IOException {
        ObjectNode s = JSON.createObjectNode();
        s.putNull("best_global_step");
        s.putNull("best_metric");
        s.putNull("best_model_checkpoint");
        s.put("epoch", epoch);
        s.put("eval_steps", run.evalSteps());
        s.put("global_step", globalStep);
        s.put("is_hyper_param_search", false);
        s.put("is_local_process_zero", true);
        s.put("is_world_process_zero", run.worldProcessZero());
        ArrayNode history = s.putArray("log_history");
        for (LogEntry e : log) {
            ObjectNode o = history.addObject();
            o.put("epoch", e.epoch());
            o.put("grad_norm", e.gradNorm());
            o.put("learning_rate", e.learningRate());
            o.put("loss", e.loss());
            o.put("step", e.step());
        }
        s.put("logging_steps", run.loggingSteps());
        s.put("max_steps", run.maxSteps());
        s.put("num_input_tokens_seen", 0);
        s.put("num_train_epochs", run.numTrainEpochs());
        s.put("save_steps", run.saveSteps());
        s.putObject("stateful_callbacks").putObject("TrainerControl").putObject("args")
                .put("should_epoch_stop", false).put("should_evaluate", false).put("should_log", false)
                .put("should_save", true).put("should_training_stop", false);
        s.put("total_flos", 0.0);
        s.put("train_batch_size", run.trainBatchSize());
        s.putNull("trial_name");
        s.putNull("trial_params");
        JSON.writeValue(file.toFile(), s);
    }
}
