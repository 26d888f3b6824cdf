package dev.landscape.probe.checkpoint;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What the trainer logged up to a checkpoint ({@code trainer_state.json} log history, Lightning callback metrics):
 * tier 1 uses the loss, the gradient norm the trainer measured and the learning rate actually in force.
 */
public record TrainingLog(List<Entry> entries) {

    public static final TrainingLog EMPTY = new TrainingLog(List.of());

    public TrainingLog {
        entries = List.copyOf(entries);
    }

    /** One logged step; absent values are {@code NaN}-free empties, never zeros. */
    public record Entry(long step, OptionalDouble loss, OptionalDouble gradNorm, OptionalDouble learningRate) {
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The latest entry that has a loss, if any. */
    public OptionalDouble latestLoss() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).loss().isPresent()) {
                return entries.get(i).loss();
            }
        }
        return OptionalDouble.empty();
    }

    public OptionalDouble latestGradNorm() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).gradNorm().isPresent()) {
                return entries.get(i).gradNorm();
            }
        }
        return OptionalDouble.empty();
    }

    public OptionalDouble latestLearningRate() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).learningRate().isPresent()) {
                return entries.get(i).learningRate();
            }
        }
        return OptionalDouble.empty();
    }
}
