package dev.landscape.probe.groundtruth;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.checkpoint.TorchSaveWriter;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import dev.landscape.probe.checkpoint.pickle.PickleWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a ground-truth run as the Hugging Face Trainer saves it with {@code save_steps=1, logging_steps=1}, so
 * that the analyser reads it through the same readers as a real run: {@code checkpoint-N/model.safetensors}
 * (float32, sorted by name, metadata {@code {"format": "pt"}}), {@code optimizer.pt}
 * ({@code torch.save(optimizer.state_dict())} of the torch optimizer built from {@code named_parameters()}: its
 * {@code param_names}, torch's defaults, and the state of each parameter: nothing for plain SGD,
 * {@code momentum_buffer} for heavy ball, 0-d {@code step}, {@code exp_avg} and {@code exp_avg_sq} for Adam/AdamW)
 * and {@code trainer_state.json} with the whole {@code log_history} ({@code json.dumps(indent=2, sort_keys=True)},
 * non-finite numbers as Python's bare {@code NaN}/{@code Infinity}). Semantics of transformers ≥ 4.51: the logged
 * {@code learning_rate} is the one the logged step used; the optimizer's {@code param_groups} hold the next step's
 * (the scheduler has stepped when the Trainer saves).
 */
final class HfRunWriter {

    /** The model's parameters in {@code named_parameters()} order, and where each sits in the flat vector. */
    static final List<String> NAMES = List.of("encoder.weight", "encoder.bias", "head.weight");
    private static final long[][] SHAPES = {{4, 4}, {4}, {1, 4}};
    private static final int[] OFFSETS = {0, 16, 20, 24};
    private static final JsonMapper JSON = JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

    /** One {@code log_history} entry. */
    record LogEntry(int step, double loss, double gradNorm, double learningRate) {
    }

    private final Path runDir;
    private final Tier1Case.Optimizer optimizer;
    private final int maxSteps;
    private final List<LogEntry> log = new ArrayList<>();

    HfRunWriter(Path runDir, Tier1Case.Optimizer optimizer, int maxSteps) {
        this.runDir = runDir;
        this.optimizer = optimizer;
        this.maxSteps = maxSteps;
    }

    /**
     * Writes {@code checkpoint-<step>}.
     *
     * @param state  {@code momentum_buffer} (heavy ball) or {@code exp_avg}, {@code exp_avg_sq} (Adam); none for SGD
     * @param nextLr the learning rate torch's param group holds now, the next step's
     */
    void write(LogEntry entry, double[] theta, double[][] state, double nextLr) throws IOException {
        log.add(entry);
        Path dir = Files.createDirectories(runDir.resolve("checkpoint-" + entry.step()));
        SafetensorsWriter model = new SafetensorsWriter().metadata("format", "pt");
        Map<String, Integer> sorted = new TreeMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            sorted.put(NAMES.get(i), i);
        }
        sorted.forEach((name, i) -> model.add(name, DType.F32, SHAPES[i], slice(theta, i)));
        model.write(dir.resolve("model.safetensors"));
        TorchSaveWriter.save(stateDict(entry.step(), state, nextLr), dir.resolve("optimizer.pt"));
        writeTrainerState(entry.step(), dir.resolve("trainer_state.json"));
    }

    private Map<String, Object> stateDict(int step, double[][] state, double nextLr) {
        Map<Object, Object> perParameter = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            Map<String, Object> slots = new LinkedHashMap<>();
            switch (optimizer) {
                case SGD -> {
                }
                case MOMENTUM -> slots.put("momentum_buffer", TensorSpec.f32(SHAPES[i], slice(state[0], i)));
                case ADAM, ADAMW -> {
                    slots.put("step", TensorSpec.scalar(step));
                    slots.put("exp_avg", TensorSpec.f32(SHAPES[i], slice(state[0], i)));
                    slots.put("exp_avg_sq", TensorSpec.f32(SHAPES[i], slice(state[1], i)));
                }
                default -> throw new AssertionError(optimizer);
            }
            if (!slots.isEmpty()) {
                perParameter.put(i, slots);
            }
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("param_names", NAMES);
        group.put("lr", nextLr);
        if (optimizer.adaptive()) {
            group.put("betas", PickleWriter.Tuple.of(Tier1Case.Optimizer.BETA1, Tier1Case.Optimizer.BETA2));
            group.put("eps", Tier1Case.Optimizer.EPS);
            group.put("weight_decay", optimizer == Tier1Case.Optimizer.ADAMW ? Tier1Case.Optimizer.WEIGHT_DECAY : 0.0);
            group.put("amsgrad", false);
            group.put("maximize", false);
            group.put("foreach", null);
            group.put("capturable", false);
            group.put("differentiable", false);
            group.put("fused", null);
            group.put("decoupled_weight_decay", optimizer == Tier1Case.Optimizer.ADAMW);
        } else {
            group.put("momentum", optimizer == Tier1Case.Optimizer.MOMENTUM ? Tier1Case.Optimizer.MOMENTUM_COEFFICIENT : 0);
            group.put("dampening", 0);
            group.put("weight_decay", 0);
            group.put("nesterov", false);
            group.put("maximize", false);
            group.put("foreach", null);
            group.put("differentiable", false);
            group.put("fused", null);
        }
        group.put("params", List.of(0, 1, 2));
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", perParameter);
        sd.put("param_groups", List.of(group));
        return sd;
    }

    private void writeTrainerState(int step, Path file) throws IOException {
        ObjectNode s = JSON.createObjectNode();
        s.putNull("best_global_step");
        s.putNull("best_metric");
        s.putNull("best_model_checkpoint");
        s.put("epoch", step / (double) maxSteps);
        s.put("eval_steps", 500);
        s.put("global_step", step);
        s.put("is_hyper_param_search", false);
        s.put("is_local_process_zero", true);
        s.put("is_world_process_zero", true);
        ArrayNode history = s.putArray("log_history");
        for (LogEntry e : log) {
            ObjectNode o = history.addObject();
            o.put("epoch", e.step() / (double) maxSteps);
            o.put("grad_norm", e.gradNorm());
            o.put("learning_rate", e.learningRate());
            o.put("loss", e.loss());
            o.put("step", e.step());
        }
        s.put("logging_steps", 1);
        s.put("max_steps", maxSteps);
        s.put("num_input_tokens_seen", 0);
        s.put("num_train_epochs", 1);
        s.put("save_steps", 1);
        s.put("total_flos", 0.0);
        s.put("train_batch_size", 32);
        s.putNull("trial_name");
        s.putNull("trial_params");
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), s);
    }

    /** Parameter {@code i}'s elements of the flat vector. */
    static double[] slice(double[] flat, int i) {
        return Arrays.copyOfRange(flat, OFFSETS[i], OFFSETS[i + 1]);
    }
}
