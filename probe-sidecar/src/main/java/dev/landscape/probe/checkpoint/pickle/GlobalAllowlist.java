package dev.landscape.probe.checkpoint.pickle;

import dev.landscape.contract.SidecarSettings;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The pickle globals a checkpoint may name, in the spirit of PyTorch's {@code weights_only} unpickler: exactly what
 * the formats this project reads need, and nothing else. This reader never calls a global, but people trust its
 * verdict before they {@code torch.load} a file, and under CPython's {@code pickle} any global outside such a list
 * can be combined into running a command ({@code shlex} + {@code os.spawnlp}, {@code pydoc.pipepager},
 * {@code yaml.unsafe_load}, {@code timeit.timeit}, a dotted {@code collections} + {@code abc.__builtins__.get}).
 * A denylist cannot name them all; an allowlist does not have to.
 *
 * <p>A global is the module and the dotted name a {@code GLOBAL} or {@code STACK_GLOBAL} gives; CPython imports
 * the module and then follows the name one attribute at a time, so the check is on the whole path, every segment
 * of it: {@code collections} + {@code abc.__builtins__.get} is {@code collections.abc.__builtins__.get}, which is
 * not listed, whatever the first segment is. Where the list came from (a scan of every pickle in the real fixtures,
 * plus what each supported writer records) is in docs/analyser.md. A user who knows a file is safe may trust more
 * names ({@code --trust-global}, {@code spec.checkpoints.trustedGlobals}).
 */
public final class GlobalAllowlist {

    /** torch's tensor machinery: never listed among the globals a checkpoint met. */
    static final Set<String> TENSOR = Set.copyOf(tensorGlobals());

    /** Plain values the supported writers put beside the tensors; listed by {@code inspect --json}. */
    static final Set<String> VALUES = Set.of(
            // Python's own containers and the protocol-2 spellings of bytes, sets and objects
            "collections.OrderedDict", "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.object",
            "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "__builtin__.object",
            "_codecs.encode", "copyreg._reconstructor", "copy_reg._reconstructor",
            // numpy scalars and arrays that torch.save keeps as they were (a metric, a best score)
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
            // Lightning: hyper-parameters, paths in them, and 1.x callback classes used as dict keys
            "argparse.Namespace", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath",
            "pathlib.PureWindowsPath", "pathlib._local.PosixPath", "pathlib._local.WindowsPath",
            "pytorch_lightning.utilities.parsing.AttributeDict", "lightning_fabric.utilities.data.AttributeDict",
            "lightning.fabric.utilities.data.AttributeDict",
            // DeepSpeed model and ZeRO optimizer states
            "deepspeed.runtime.fp16.loss_scaler.LossScaler", "deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler",
            "deepspeed.runtime.zero.config.ZeroStageEnum", "deepspeed.utils.tensor_fragment.fragment_address",
            // torch.distributed.checkpoint's .metadata
            "torch.distributed.checkpoint.metadata.Metadata",
            "torch.distributed.checkpoint.metadata.TensorStorageMetadata",
            "torch.distributed.checkpoint.metadata.BytesStorageMetadata",
            "torch.distributed.checkpoint.metadata.ChunkStorageMetadata",
            "torch.distributed.checkpoint.metadata.TensorProperties",
            "torch.distributed.checkpoint.metadata.MetadataIndex",
            "torch.distributed.checkpoint.metadata.StorageMeta",
            "torch.distributed.checkpoint.metadata._MEM_FORMAT_ENCODING",
            "torch.distributed.checkpoint.filesystem._StorageInfo");

    /**
     * Classes that Lightning 1.x uses as dict keys of its callback states. They may be named but never called:
     * constructing a {@code ModelCheckpoint} opens a filesystem for whatever URL its arguments give.
     */
    static final Set<String> NAMES_ONLY = Set.of(
            "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
            "pytorch_lightning.callbacks.early_stopping.EarlyStopping");

    /** The list every reader uses unless the user trusts more. */
    public static final GlobalAllowlist STANDARD = new GlobalAllowlist(Set.of());

    private static final Pattern DOTTED = Pattern.compile(SidecarSettings.DOTTED_NAME);

    private final Set<String> trusted;

    private GlobalAllowlist(Set<String> trusted) {
        this.trusted = Set.copyOf(trusted);
    }

    /**
     * This list plus {@code names}, each a full dotted path ({@code mypackage.config.TrainConfig}).
     *
     * @throws IllegalArgumentException naming the first entry that is not a dotted path of identifiers
     */
    public GlobalAllowlist trusting(Collection<String> names) {
        Set<String> all = new LinkedHashSet<>(trusted);
        for (String n : names) {
            if (!isDottedPath(n)) {
                throw new IllegalArgumentException("trusted global \"" + n + "\" is not a dotted name like"
                        + " module.Class (identifiers separated by dots, at least two)");
            }
            all.add(n);
        }
        return new GlobalAllowlist(all);
    }

    /** The names trusted beyond the standard list. */
    public Set<String> trusted() {
        return new TreeSet<>(trusted);
    }

    /** Whether {@code name} is a module path and an attribute path joined by dots, as {@link #trusting} takes. */
    public static boolean isDottedPath(String name) {
        return DOTTED.matcher(name).matches();
    }

    /** Why {@code module} + {@code name} may not be named, or empty when it may. */
    public Optional<String> refusal(String module, String name) {
        String path = module + "." + name;
        if (!isDottedPath(path)) {
            return Optional.of("it is not a dotted path of identifiers");
        }
        if (TENSOR.contains(path) || VALUES.contains(path) || NAMES_ONLY.contains(path) || trusted.contains(path)) {
            return Optional.empty();
        }
        return Optional.of("it is not on the allowlist");
    }

    /** Why a named global may not be called ({@code REDUCE}, {@code NEWOBJ}, {@code OBJ}, {@code INST}), or empty. */
    public Optional<String> callRefusal(PyGlobal g) {
        String path = g.qualifiedName();
        return NAMES_ONLY.contains(path) && !trusted.contains(path)
                ? Optional.of("it may be named as a dict key but not called") : Optional.empty();
    }

    /** Whether a met global is worth listing to the user: anything but torch's own tensor machinery. */
    public static boolean isTensorMachinery(String qualifiedName) {
        return TENSOR.contains(qualifiedName);
    }

    private static List<String> tensorGlobals() {
        List<String> out = new java.util.ArrayList<>(List.of(
                "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
                "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_qtensor",
                "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_device_tensor_from_numpy",
                "torch._utils._rebuild_device_tensor_from_cpu_tensor",
                "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
                "torch.Size", "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter",
                "torch.serialization._get_layout", "torch.UntypedStorage",
                "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.sparse_csc", "torch.sparse_bsr",
                "torch.sparse_bsc", "torch.contiguous_format", "torch.channels_last", "torch.channels_last_3d",
                "torch.preserve_format", "torch.per_tensor_affine", "torch.per_channel_affine",
                "torch.per_channel_affine_float_qparams"));
        for (String s : List.of("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool",
                "ComplexFloat", "ComplexDouble", "QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4")) {
            out.add("torch." + s + "Storage");
            out.add("torch.cuda." + s + "Storage");
        }
        for (String d : List.of("float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64",
                "long", "int32", "int", "int16", "short", "int8", "uint8", "uint16", "uint32", "uint64", "bool",
                "complex32", "chalf", "complex64", "cfloat", "complex128", "cdouble", "qint8", "quint8", "qint32",
                "quint4x2", "quint2x4", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz")) {
            out.add("torch." + d);
        }
        return out;
    }
}
