package dev.landscape.demo.training;

import dev.landscape.probe.checkpoint.TrainerStateWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One data-parallel worker: its own copy of the weights and of the Adam state (kept identical to the others by the
 * all-reduce, unless a fault says otherwise), its shard, its run folder, and what its trainer has logged.
 */
final class Replica {

    final int rank;
    final Path runDir;
    final SyntheticData.Batch shard;
    Map<String, INDArray> params;
    Adam.State adam;
    /** Its {@code log_history}, with the rank's own loss and gradient norm. */
    final List<TrainerStateWriter.LogEntry> logHistory = new ArrayList<>();
    /** Losses of the steps since the last log entry (HF logs their mean). */
    double lossSinceLog;
    int stepsSinceLog;
    /** Input scale of the next step's batch: 1, or a corruption factor for one step. */
    double nextGradientScale = 1;
    boolean stalled;

    Replica(int rank, Path runDir, SyntheticData.Batch shard, Map<String, INDArray> params, Adam.State adam) {
        this.rank = rank;
        this.runDir = runDir;
        this.shard = shard;
        this.params = params;
        this.adam = adam;
    }

    static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
