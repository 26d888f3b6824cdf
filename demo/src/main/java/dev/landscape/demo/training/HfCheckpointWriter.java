package dev.landscape.demo.training;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.checkpoint.TorchParamGroups;
import dev.landscape.probe.checkpoint.TorchSaveWriter;
import dev.landscape.probe.checkpoint.TrainerStateWriter;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a replica's state as Hugging Face Trainer (transformers ≥ 4.36) saves a checkpoint: everything goes into
 * {@code tmp-checkpoint-N/} first, which is then renamed to {@code checkpoint-N/} in one atomic step, so a watcher
 * never sees a half-written checkpoint. Inside:
 * <ul>
 * <li>{@code model.safetensors}: the weights by their {@code named_parameters()} names, float32, sorted by name as
 * {@code safetensors.torch.save_file} stores them, metadata {@code {"format": "pt"}};</li>
 * <li>{@code optimizer.pt}: {@code torch.save(optimizer.state_dict())} of a {@code torch.optim.Adam} built from
 * {@code model.named_parameters()} under torch 2.6: {@code state} keyed by parameter id with a 0-d float32
 * {@code step}, {@code exp_avg} and {@code exp_avg_sq}; one param group with torch's Adam defaults and
 * {@code param_names} (which is what lets a reader name the moments of a model stored sorted) before
 * {@code params};</li>
 * <li>{@code trainer_state.json}: {@code global_step} and {@code log_history}, written as transformers writes it
 * ({@link TrainerStateWriter}). Each rank logs its own loss (the mean over the steps since the
 * last log) and its own gradient norm before the all-reduce, where the Trainer would log the all-reduced ones: the
 * sidecar of each pod then sees that rank's own trouble.</li>
 * </ul>
 * Scheduler, RNG and training-argument files are not written: nothing reads them here.
 */
final class HfCheckpointWriter {

    static final String PREFIX = "checkpoint-";

    private HfCheckpointWriter() {
    }

    /** Writes {@code checkpoint-<step>} of {@code replica} into its run folder and returns the folder. */
    static Path write(Replica replica, TrainingConfig c, long step, double lr) throws IOException {
        Path target = replica.runDir.resolve(PREFIX + step);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "checkpoint of this step already written");
        }
        Path tmp = replica.runDir.resolve("tmp-" + PREFIX + step);
        Files.createDirectories(tmp);
        writeModel(replica.params, tmp.resolve("model.safetensors"));
        TorchSaveWriter.save(optimizerStateDict(replica.adam, replica.params, c, lr), tmp.resolve("optimizer.pt"));
        writeTrainerState(replica, c, step, tmp.resolve("trainer_state.json"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static void writeModel(Map<String, INDArray> params, Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        new TreeMap<>(params).forEach((name, p) -> w.add(name, DType.F32, p.shape(), values(p)));
        w.write(file);
    }

    static Map<String, Object> optimizerStateDict(Adam.State adam, Map<String, INDArray> params, TrainingConfig c,
                                                  double lr) {
        Map<Object, Object> state = new LinkedHashMap<>();
        List<Object> ids = new ArrayList<>();
        List<Object> names = new ArrayList<>();
        int id = 0;
        for (String name : params.keySet()) {
            Map<String, Object> slots = new LinkedHashMap<>();
            slots.put("step", TensorSpec.scalar(adam.step));
            INDArray m = adam.expAvg.get(name);
            slots.put("exp_avg", TensorSpec.f32(m.shape(), values(m)));
            INDArray v = adam.expAvgSq.get(name);
            slots.put("exp_avg_sq", TensorSpec.f32(v.shape(), values(v)));
            state.put(id, slots);
            ids.add(id);
            names.add(name);
            id++;
        }
        Map<String, Object> group = TorchParamGroups.adam(names, lr, c.beta1(), c.beta2(), c.eps(), 0, null, ids);
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", state);
        sd.put("param_groups", List.of(group));
        return sd;
    }

    private static void writeTrainerState(Replica r, TrainingConfig c, long step, Path file) throws IOException {
        TrainerStateWriter.write(file, new TrainerStateWriter.Run(c.saveSteps(), c.saveSteps(), c.saveSteps(), c.maxSteps(),
                c.maxSteps(), c.samplesPerRank(), r.rank == 0), step, step, r.logHistory);
    }

    static double[] values(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
