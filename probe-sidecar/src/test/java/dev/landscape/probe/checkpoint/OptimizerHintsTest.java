package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter.Tuple;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Optimizer type and hyper-parameters from param groups shaped as torch 2.x's optimizers write them. */
class OptimizerHintsTest {

    @TempDir
    Path dir;

    @Test
    void adamWithDecoupledWeightDecayIsAdamw() throws IOException {
        Map<String, Object> g = group(Map.of("betas", Tuple.of(0.8, 0.95), "eps", 1e-6, "amsgrad", false,
                "decoupled_weight_decay", true));

        OptimizerHints h = hints(Map.of(0, Map.of("step", TensorSpec.scalar(42), "exp_avg", TensorSpec.f32(new long[] {1}, 1))), g);

        assertThat(h.type()).isEqualTo("adamw");
        assertThat(h.beta1()).hasValue(0.8);
        assertThat(h.eps()).hasValue(1e-6);
        assertThat(h.stepCount()).hasValue(42);
    }

    @Test
    void sgdWithoutMomentumIsSgd() throws IOException {
        OptimizerHints h = hints(Map.of(), group(Map.of("momentum", 0.0, "dampening", 0.0, "nesterov", false)));

        assertThat(h.type()).isEqualTo("sgd");
        assertThat(h.momentum()).hasValue(0.0);
        assertThat(h.stepCount()).isEmpty();
    }

    @Test
    void rmspropWithMomentumIsNotMistakenForSgd() throws IOException {
        Map<String, Object> g = group(Map.of("alpha", 0.99, "momentum", 0.9, "centered", false, "eps", 1e-8));

        OptimizerHints h = hints(Map.of(0, Map.of("square_avg", TensorSpec.f32(new long[] {1}, 1),
                "momentum_buffer", TensorSpec.f32(new long[] {1}, 1))), g);

        assertThat(h.type()).isEmpty();
        assertThat(h.learningRate()).hasValue(0.01);
        assertThat(h.momentum()).hasValue(0.9);
    }

    private OptimizerHints hints(Map<Object, Object> state, Map<String, Object> group) throws IOException {
        Path file = dir.resolve("optimizer.pt");
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("state", state);
        opt.put("param_groups", List.of(group));
        TorchSaveWriter.save(opt, file);
        try (Checkpoint cp = CheckpointFormats.standard().open(file)) {
            return cp.optimizer();
        }
    }

    private static Map<String, Object> group(Map<String, Object> extra) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("lr", 0.01);
        g.putAll(extra);
        g.put("params", List.of(0));
        return g;
    }
}
