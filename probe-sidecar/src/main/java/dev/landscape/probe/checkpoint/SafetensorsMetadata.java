package dev.landscape.probe.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The {@code __metadata__} layout this project's own safetensors writers (demo trainer, tests, benchmarks) use to
 * carry what a torch checkpoint keeps in {@code trainer_state.json} and the optimizer's {@code param_groups}.
 * safetensors metadata is a flat string-to-string map, so every value is a decimal string:
 *
 * <pre>
 * step               training step of the checkpoint               → {@link Checkpoint#step()}
 * loss               loss logged at that step (nan, inf, -inf too) → one {@link TrainingLog} entry
 * grad_norm          gradient norm logged at that step
 * learning_rate      learning rate in force at that step
 * optimizer          adam | adamw | sgd | sgd-momentum             → {@link OptimizerHints#type()}
 * optimizer.lr, optimizer.beta1, optimizer.beta2, optimizer.momentum, optimizer.eps
 * optimizer.step     optimizer steps taken (Adam bias correction)  → {@link OptimizerHints#stepCount()}
 * </pre>
 *
 * Optimizer state tensors are named {@code optimizer.<slot>.<param>} ({@code optimizer.exp_avg.model.fc1.weight}),
 * see {@link SafetensorsFormat}. Keys outside this list are kept in {@link Checkpoint#metadata()} only. A listed
 * key whose value is not a number is an error naming the key and the file, because silently dropping it would
 * turn a bias-corrected metric into a wrong one.
 */
final class SafetensorsMetadata {

    private SafetensorsMetadata() {
    }

    static void apply(Path file, Map<String, String> m, Checkpoint.Builder b) throws CheckpointException {
        OptionalLong step = longOf(file, m, "step");
        step.ifPresent(b::step);
        OptionalDouble loss = doubleOf(file, m, "loss");
        OptionalDouble gradNorm = doubleOf(file, m, "grad_norm");
        OptionalDouble lr = doubleOf(file, m, "learning_rate");
        if (loss.isPresent() || gradNorm.isPresent() || lr.isPresent()) {
            b.log(new TrainingLog(List.of(new TrainingLog.Entry(step.orElse(-1), loss, gradNorm, lr))));
        }
        String type = m.getOrDefault("optimizer", "").trim().toLowerCase(Locale.ROOT);
        OptimizerHints hints = new OptimizerHints(type, doubleOf(file, m, "optimizer.lr"),
                doubleOf(file, m, "optimizer.beta1"), doubleOf(file, m, "optimizer.beta2"),
                doubleOf(file, m, "optimizer.momentum"), doubleOf(file, m, "optimizer.eps"),
                longOf(file, m, "optimizer.step"));
        if (!type.isEmpty() || hints.learningRate().isPresent() || hints.beta1().isPresent()
                || hints.momentum().isPresent() || hints.stepCount().isPresent()) {
            b.optimizer(hints);
        }
    }

    private static OptionalDouble doubleOf(Path file, Map<String, String> m, String key) throws CheckpointException {
        String v = m.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        OptionalDouble parsed = decimal(v.trim());
        if (parsed.isEmpty()) {
            throw new CheckpointException(file, 8, "__metadata__ \"" + key + "\" is \"" + v
                    + "\", not a decimal number (nor nan, inf or -inf)");
        }
        return parsed;
    }

    /**
     * A decimal as Java or Python writes it: Python's {@code str(float)} spells the non-finite values {@code nan},
     * {@code inf} and {@code -inf}, which are values (a diverged run logs them), not malformed metadata; Java's
     * {@code NaN} and {@code Infinity} are read too. Empty when {@code s} is neither.
     */
    static OptionalDouble decimal(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("nan")) {
            return OptionalDouble.of(Double.NaN);
        }
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return OptionalDouble.of(lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        try {
            return OptionalDouble.of(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private static OptionalLong longOf(Path file, Map<String, String> m, String key) throws CheckpointException {
        String v = m.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new CheckpointException(file, 8, "__metadata__ \"" + key + "\" is \"" + v
                    + "\", not a whole number");
        }
    }
}
