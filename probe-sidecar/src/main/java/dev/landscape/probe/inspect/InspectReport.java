package dev.landscape.probe.inspect;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointException;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.checkpoint.TensorInfo;
import dev.landscape.probe.metrics.TensorStats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Everything {@code inspect} prints, computed before anything is printed, so that a checkpoint that turns out to be
 * unreadable half-way produces an error and no partial output (tools parse the JSON form).
 *
 * @param globals the pickle globals the checkpoint named besides torch's tensor machinery, for the user to judge
 */
public record InspectReport(Path path, String format, OptionalLong step, List<Row> tensors, TensorStats totals,
                            Set<String> globals) {

    /** One tensor: what the checkpoint declares and what its elements hold. */
    public record Row(TensorInfo info, TensorStats stats) {
    }

    public InspectReport {
        tensors = List.copyOf(tensors);
        globals = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(globals));
    }

    /** Reads every tensor of {@code checkpoint} once. */
    public static InspectReport of(Checkpoint checkpoint) throws IOException {
        List<Row> rows = new ArrayList<>(checkpoint.tensors().size());
        TensorStats totals = TensorStats.EMPTY;
        for (Tensor tensor : checkpoint.tensors()) {
            TensorStats stats;
            try {
                stats = TensorStats.of(tensor);
            } catch (CheckpointException e) {
                throw e;
            } catch (IOException e) {
                throw new CheckpointException(checkpoint.path(), -1, "tensor " + tensor.info().name() + ": " + e.getMessage(), e);
            }
            long declared = tensor.info().numel();
            if (stats.elements() != declared) {
                throw new CheckpointException(checkpoint.path(), "tensor " + tensor.info().name() + " holds "
                        + stats.elements() + " elements but its shape " + tensor.info() + " declares " + declared);
            }
            rows.add(new Row(tensor.info(), stats));
            totals = totals.plus(stats);
        }
        return new InspectReport(checkpoint.path(), checkpoint.format(), checkpoint.step(), rows, totals,
                checkpoint.globals());
    }
}
