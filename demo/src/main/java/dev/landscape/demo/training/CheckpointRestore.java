package dev.landscape.demo.training;

import dev.landscape.probe.checkpoint.TrainerStateWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.RunFolder;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.checkpoint.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What a restarted pod does with {@code resume_from_checkpoint}: find the run folder's latest complete checkpoint
 * and load weights, Adam state and log history from it. Weights and moments are read through the sidecar's own
 * checkpoint reader ({@link CheckpointFormats#standard()}), so a restart also proves the files round-trip: the moments
 * are found by the parameter their {@code param_names} entry binds them to, the step count from the optimizer state.
 */
final class CheckpointRestore {

    /** A loaded checkpoint. */
    record Restored(long step, Map<String, INDArray> params, Adam.State adam, List<TrainerStateWriter.LogEntry> logHistory) {
    }

    /** trainer_state.json holds Python's bare NaN/Infinity when a loss diverged ({@link TrainerStateWriter}). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private CheckpointRestore() {
    }

    /** The folder of the highest-step {@code checkpoint-N} in {@code runDir}, if any. */
    static Path latest(Path runDir) throws IOException {
        Path best = null;
        long bestStep = -1;
        try (Stream<Path> children = Files.list(runDir)) {
            for (Path p : children.toList()) {
                String name = p.getFileName().toString();
                OptionalLong step = RunFolder.stepFromName(name);
                if (name.startsWith(HfCheckpointWriter.PREFIX) && step.isPresent() && step.getAsLong() > bestStep) {
                    best = p;
                    bestStep = step.getAsLong();
                }
            }
        }
        if (best == null) {
            throw new IOException("no checkpoint-N folder in " + runDir + " to resume from");
        }
        return best;
    }

    static Restored load(Path checkpointDir, List<String> parameterNames) throws IOException {
        try (Checkpoint cp = CheckpointFormats.standard().open(checkpointDir)) {
            Map<String, INDArray> params = new LinkedHashMap<>();
            Map<String, INDArray> m = new HashMap<>();
            Map<String, INDArray> v = new HashMap<>();
            for (Tensor t : cp.tensors()) {
                TensorInfo i = t.info();
                switch (i.group()) {
                    case TensorInfo.MODEL -> params.put(i.name(), read(t));
                    case "optimizer.exp_avg" -> m.put(i.parameter(), read(t));
                    case "optimizer.exp_avg_sq" -> v.put(i.parameter(), read(t));
                    default -> { }
                }
            }
            Adam.State adam = new Adam.State();
            adam.step = cp.optimizer().stepCount().orElseThrow(() -> new IOException(checkpointDir
                    + ": optimizer.pt records no Adam step count"));
            Map<String, INDArray> ordered = new LinkedHashMap<>();
            for (String name : parameterNames) {
                if (!params.containsKey(name) || !m.containsKey(name) || !v.containsKey(name)) {
                    throw new IOException(checkpointDir + ": parameter " + name + " or its Adam moments are missing"
                            + " (moments found for " + m.keySet() + ")");
                }
                ordered.put(name, params.get(name));
                adam.expAvg.put(name, m.get(name));
                adam.expAvgSq.put(name, v.get(name));
            }
            long step = cp.step().orElseThrow(() -> new IOException(checkpointDir + ": no global_step"));
            return new Restored(step, ordered, adam, logHistory(checkpointDir.resolve("trainer_state.json")));
        }
    }

    private static List<TrainerStateWriter.LogEntry> logHistory(Path trainerState) throws IOException {
        List<TrainerStateWriter.LogEntry> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(trainerState.toFile()).path("log_history")) {
            out.add(new TrainerStateWriter.LogEntry(e.path("step").asLong(), e.path("epoch").asDouble(), e.path("loss").asDouble(),
                    e.path("grad_norm").asDouble(), e.path("learning_rate").asDouble()));
        }
        return out;
    }

    private static INDArray read(Tensor t) throws IOException {
        float[] values = new float[Math.toIntExact(t.info().numel())];
        try (ElementStream s = t.open()) {
            int off = 0;
            int n;
            while (off < values.length && (n = s.read(values, off, values.length - off)) > 0) {
                off += n;
            }
            if (off != values.length) {
                throw new IOException(t.info().name() + ": " + off + " of " + values.length + " elements readable");
            }
        }
        return Nd4j.create(values, t.info().shape(), DataType.FLOAT);
    }
}
