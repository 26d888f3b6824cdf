package dev.landscape.probe.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a torch optimizer's parameter ids to model parameter names. {@code Optimizer.state_dict()} replaces
 * parameters by integers enumerated over {@code param_groups} in order, and trainers (plain loops, Lightning, HF
 * Trainer with a single group) build the groups from {@code model.parameters()}, so the i-th id is the i-th
 * trainable parameter of the model.
 *
 * <p>The mapping is made only when it is checkable: the ids listed in {@code param_groups} must be exactly as many
 * as the model's trainable parameters, and every non-scalar state tensor must have its parameter's shape.
 * Otherwise every id stays unmapped ({@code parameter = ""}): a checkpoint without {@code param_groups}, an
 * optimizer over a subset of the model, HF Trainer's two groups (decay / no decay, which reorder the parameters),
 * DeepSpeed ZeRO's flattened partitions. Trainable parameters are the model's floating-point tensors that are not
 * BatchNorm statistics ({@code running_mean}, {@code running_var}); when the file marks parameters
 * ({@code _rebuild_parameter}) only those count.
 */
final class OptimizerParameters {

    private static final Set<String> BUFFER_SUFFIXES = Set.of("running_mean", "running_var", "num_batches_tracked");

    private OptimizerParameters() {
    }

    /** The model's trainable parameters in file order, by the rule above. */
    static List<TensorInfo> trainable(List<TensorInfo> model, Set<String> markedAsParameters) {
        List<TensorInfo> out = new ArrayList<>();
        for (TensorInfo t : model) {
            String last = t.name().substring(t.name().lastIndexOf('.') + 1);
            boolean candidate = markedAsParameters.isEmpty()
                    ? t.dtype().isFloatingPoint() && !BUFFER_SUFFIXES.contains(last)
                    : markedAsParameters.contains(t.name());
            if (candidate) {
                out.add(t);
            }
        }
        return out;
    }

    /** Parameter id → parameter name, or an empty map when the mapping cannot be checked. */
    static Map<Object, String> names(TorchObjectTree.OptimizerDict opt, List<TensorInfo> trainable,
                                     List<TorchObjectTree.Found> found) {
        List<Object> ids = new ArrayList<>();
        for (Object g : opt.paramGroups()) {
            if (!(g instanceof Map<?, ?> group) || !(group.get("params") instanceof List<?> params)) {
                return Map.of();
            }
            ids.addAll(params);
        }
        if (ids.isEmpty() || ids.size() != trainable.size()) {
            return Map.of();
        }
        Map<Object, TensorInfo> byId = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            Object id = normalise(ids.get(i));
            if (!(id instanceof Long) || byId.put(id, trainable.get(i)) != null) {
                return Map.of(); // not integer ids, or repeated ones: not what Optimizer.state_dict() writes
            }
        }
        for (TorchObjectTree.Found f : found) {
            if (f.optimizer() != opt || f.stateId() == null || f.ref().shape.length == 0) {
                continue;
            }
            TensorInfo p = byId.get(normalise(f.stateId()));
            if (p == null || !Arrays.equals(p.shape(), f.ref().shape)) {
                return Map.of();
            }
        }
        Map<Object, String> out = new HashMap<>();
        byId.forEach((k, v) -> out.put(k, v.name()));
        return out;
    }

    /** Ids are ints in state dicts but may be strings in hand-made ones. */
    static Object normalise(Object id) {
        if (id instanceof String s && s.matches("\\d{1,18}")) {
            return Long.parseLong(s);
        }
        return id;
    }
}
