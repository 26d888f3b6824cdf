package dev.landscape.probe.checkpoint;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the tensors found in a torch payload into checked {@link Tensor}s with names, groups and, for optimizer
 * state, parameter names (see {@link OptimizerParameters}). Every view is bounds-checked here, at open time, so a
 * corrupt file is reported before any analysis starts.
 */
final class TorchTensors {

    /** Group of tensors that are neither model weights nor optimizer state (trainer bookkeeping). */
    static final String OTHER = "other";

    /** A model scope no name starts with: for files that hold no model (optimizer shards). */
    static final String NO_MODEL = "\u0000";

    private TorchTensors() {
    }

    /** Model tensors of a walk, for use as the parameter list of an optimizer stored elsewhere. */
    static List<TensorInfo> modelInfos(TorchObjectTree.Walk walk) {
        List<TensorInfo> out = new ArrayList<>();
        for (TorchObjectTree.Found f : walk.tensors()) {
            if (f.optimizer() == null) {
                out.add(new TensorInfo(f.name(), TensorInfo.MODEL, f.ref().dtype, f.ref().shape));
            }
        }
        return out;
    }

    static Set<String> markedParameters(TorchObjectTree.Walk walk) {
        Set<String> out = new HashSet<>();
        for (TorchObjectTree.Found f : walk.tensors()) {
            if (f.optimizer() == null && f.ref().parameter) {
                out.add(f.name());
            }
        }
        return out;
    }

    /**
     * @param trainable the model's trainable parameters in order, for mapping optimizer ids; empty to take them
     *                  from this walk's own model tensors
     * @param stored    the model's tensors when they are stored in another file (HF Trainer's model beside its
     *                  {@code optimizer.pt}), for binding {@code param_names}; empty to use this walk's own
     * @param modelScope name prefix of the model's tensors ({@code ""}: every non-optimizer tensor); other
     *                  non-optimizer tensors (a Lightning callback's best score) get group {@code other}
     */
    static List<Tensor> build(TorchPayload payload, TorchObjectTree.Walk walk, List<TensorInfo> trainable,
                              List<TensorInfo> stored, String modelScope) throws CheckpointException {
        List<TensorInfo> scoped = new ArrayList<>();
        for (TensorInfo t : modelInfos(walk)) {
            if (t.name().startsWith(modelScope)) {
                scoped.add(t);
            }
        }
        List<TensorInfo> params = trainable.isEmpty()
                ? OptimizerParameters.trainable(scoped, markedParameters(walk)) : trainable;
        OptimizerParameters.Named byName = stored.isEmpty() ? OptimizerParameters.Named.of(scoped, modelScope)
                : OptimizerParameters.Named.of(stored, "");
        Map<TorchObjectTree.OptimizerDict, Map<Object, String>> names = new IdentityHashMap<>();
        for (TorchObjectTree.OptimizerDict opt : walk.optimizers()) {
            names.put(opt, OptimizerParameters.names(opt, params, byName, walk.tensors()));
        }
        List<Tensor> out = new ArrayList<>(walk.tensors().size());
        for (TorchObjectTree.Found f : walk.tensors()) {
            TensorRef r = f.ref();
            String parameter = f.optimizer() == null ? f.name()
                    : f.stateId() == null ? "" : names.get(f.optimizer()).getOrDefault(OptimizerParameters.normalise(f.stateId()), "");
            String group = f.group();
            if (f.optimizer() == null && !f.name().startsWith(modelScope)) {
                group = OTHER;
                parameter = "";
            }
            TensorInfo info;
            try {
                info = new TensorInfo(f.name(), group, r.dtype, r.shape, parameter);
                info.byteSize();
            } catch (ArithmeticException e) {
                throw new CheckpointException(payload.file(), -1, "tensor " + f.name() + ": shape overflows (" + r + ")");
            }
            out.add(TorchTensor.of(info, r, payload.view(f.name(), r)));
        }
        return out;
    }
}
