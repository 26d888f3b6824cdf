package dev.landscape.probe.groundtruth;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.checkpoint.TorchParamGroups;
import dev.landscape.probe.checkpoint.TorchSaveWriter;
import dev.landscape.probe.checkpoint.TrainerStateWriter;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;

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
 * and {@code trainer_state.json} with the whole {@code log_history} ({@link TrainerStateWriter}). Semantics of transformers ≥ 4.51: the logged
 * {@code learning_rate} is the one the logged step used; the optimizer's {@code param_groups} hold the next step's
 * (the scheduler has stepped when the Trainer saves).
 */
final class HfRunWriter {

    /** The model's parameters in {@code named_parameters()} order, and where each sits in the flat vector. */
    static final List<String> NAMES = List.of("encoder.weight", "encoder.bias", "head.weight");
    private static final long[][] SHAPES = {{4, 4}, {4}, {1, 4}};
    private static final int[] OFFSETS = {0, 16, 20, 24};

    private final Path runDir;
    private final Tier1Case.Optimizer optimizer;
    private final int maxSteps;
    private final List<TrainerStateWriter.LogEntry> log = new ArrayList<>();

    HfRunWriter(Path runDir, Tier1Case.Optimizer optimizer, int maxSteps) {
        this.runDir = runDir;
        this.optimizer = optimizer;
        this.maxSteps = maxSteps;
    }

    /**
     * Writes {@code checkpoint-<step>}, logging the step's loss, gradient norm and learning rate.
     *
     * @param state  {@code momentum_buffer} (heavy ball) or {@code exp_avg}, {@code exp_avg_sq} (Adam); none for SGD
     * @param nextLr the learning rate torch's param group holds now, the next step's
     */
    void write(int step, double loss, double gradNorm, double lr, double[] theta, double[][] state, double nextLr)
            throws IOException {
        log.add(new TrainerStateWriter.LogEntry(step, step / (double) maxSteps, loss, gradNorm, lr));
        Path dir = Files.createDirectories(runDir.resolve("checkpoint-" + step));
        SafetensorsWriter model = new SafetensorsWriter().metadata("format", "pt");
        Map<String, Integer> sorted = new TreeMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            sorted.put(NAMES.get(i), i);
        }
        sorted.forEach((name, i) -> model.add(name, DType.F32, SHAPES[i], slice(theta, i)));
        model.write(dir.resolve("model.safetensors"));
        TorchSaveWriter.save(stateDict(step, state, nextLr), dir.resolve("optimizer.pt"));
        writeTrainerState(step, dir.resolve("trainer_state.json"));
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
        Map<String, Object> group = optimizer.adaptive()
                ? TorchParamGroups.adam(NAMES, nextLr, Tier1Case.Optimizer.BETA1, Tier1Case.Optimizer.BETA2,
                        Tier1Case.Optimizer.EPS, optimizer == Tier1Case.Optimizer.ADAMW ? Tier1Case.Optimizer.WEIGHT_DECAY : 0.0,
                        optimizer == Tier1Case.Optimizer.ADAMW, List.of(0, 1, 2))
                : TorchParamGroups.sgd(NAMES, nextLr,
                        optimizer == Tier1Case.Optimizer.MOMENTUM ? Tier1Case.Optimizer.MOMENTUM_COEFFICIENT : 0, List.of(0, 1, 2));
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", perParameter);
        sd.put("param_groups", List.of(group));
        return sd;
    }

    private void writeTrainerState(int step, Path file) throws IOException {
        TrainerStateWriter.write(file, new TrainerStateWriter.Run(1, 1, 500, maxSteps, 1, 32, true), step,
                step / (double) maxSteps, log);
    }

    /** Parameter {@code i}'s elements of the flat vector. */
    static double[] slice(double[] flat, int i) {
        return Arrays.copyOfRange(flat, OFFSETS[i], OFFSETS[i + 1]);
    }
}
