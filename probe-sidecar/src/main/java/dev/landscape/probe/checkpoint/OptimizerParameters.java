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
 * <p>torch ≥ 2.6 also records the names when the optimizer was built from {@code model.named_parameters()}: each
 * param group then has {@code param_names} beside {@code params}, one name per id. Where every group has them, ids
 * map by name (a name binds the model tensor of that name, or of the model scope plus that name, e.g.
 * {@code state_dict.} + name in Lightning) whatever the order of the model file; that is the only way to name the
 * moments of a model stored sorted (safetensors). The names must all bind and every non-scalar state tensor must
 * have its parameter's shape, else the order rule below is tried.
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

    /**
     * Parameter id → parameter name, or an empty map when the mapping cannot be checked.
     *
     * @param trainable the model's trainable parameters in order (for the order rule)
     * @param byName    model tensors that {@code param_names} may name, with the scope their names may lack
     */
    static Map<Object, String> names(TorchObjectTree.OptimizerDict opt, List<TensorInfo> trainable, Named byName,
                                     List<TorchObjectTree.Found> found) {
        Map<Object, TensorInfo> named = byParamNames(opt, byName);
        if (named != null && shapesAgree(opt, named, found)) {
            return asNames(named);
        }
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
        return shapesAgree(opt, byId, found) ? asNames(byId) : Map.of();
    }

    /** Model tensors addressable by name: {@code scope + name} or {@code name} itself. */
    record Named(Map<String, TensorInfo> tensors, String scope) {
        static final Named NONE = new Named(Map.of(), "");

        static Named of(List<TensorInfo> infos, String scope) {
            Map<String, TensorInfo> m = new HashMap<>();
            for (TensorInfo t : infos) {
                m.putIfAbsent(t.name(), t);
            }
            return new Named(m, scope);
        }

        TensorInfo find(String parameterName) {
            TensorInfo t = tensors.get(scope + parameterName);
            return t != null ? t : tensors.get(parameterName);
        }
    }

    /** Ids → tensors through {@code param_names}; {@code null} when a group lacks them or a name does not bind. */
    private static Map<Object, TensorInfo> byParamNames(TorchObjectTree.OptimizerDict opt, Named byName) {
        if (opt.paramGroups().isEmpty()) {
            return null;
        }
        Map<Object, TensorInfo> byId = new HashMap<>();
        for (Object g : opt.paramGroups()) {
            if (!(g instanceof Map<?, ?> group) || !(group.get("params") instanceof List<?> params)
                    || !(group.get("param_names") instanceof List<?> names) || names.size() != params.size()) {
                return null;
            }
            for (int i = 0; i < params.size(); i++) {
                Object id = normalise(params.get(i));
                TensorInfo t = names.get(i) instanceof String n ? byName.find(n) : null;
                if (!(id instanceof Long) || t == null || byId.put(id, t) != null) {
                    return null;
                }
            }
        }
        return byId;
    }

    /** Every non-scalar state tensor of {@code opt} has the shape of the parameter its id maps to. */
    private static boolean shapesAgree(TorchObjectTree.OptimizerDict opt, Map<Object, TensorInfo> byId,
                                       List<TorchObjectTree.Found> found) {
        for (TorchObjectTree.Found f : found) {
            if (f.optimizer() != opt || f.stateId() == null || f.ref().shape.length == 0) {
                continue;
            }
            TensorInfo p = byId.get(normalise(f.stateId()));
            if (p == null || !Arrays.equals(p.shape(), f.ref().shape)) {
                return false;
            }
        }
        return true;
    }

    private static Map<Object, String> asNames(Map<Object, TensorInfo> byId) {
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
