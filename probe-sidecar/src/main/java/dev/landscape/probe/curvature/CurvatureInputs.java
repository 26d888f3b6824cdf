package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.Tensor;
import onnx.Onnx;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the files a curvature analysis starts from: the ONNX model and the eval batch. */
public final class CurvatureInputs {

    private CurvatureInputs() {
    }

    /**
     * Parses the model from a memory map of the file, with byte fields aliasing the map: initializer data (most of a
     * model file, 500 MB for GPT-2 small) stays in the page cache instead of being copied onto the Java heap, and is
     * only read for initializers the checkpoint does not bind.
     */
    public static Onnx.ModelProto readModel(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such ONNX model file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new CurvatureException(file + ": " + ch.size() + " bytes; an ONNX file holds at most 2 GB (protobuf's "
                        + "limit): export larger models with external data, which is not supported yet");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            // a stream over a buffer protobuf knows to be immutable, so that byte fields alias it instead of copying
            // (CodedInputStream.newInstance(ByteBuffer) would copy: it cannot know the buffer is never written)
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            Onnx.ModelProto m = Onnx.ModelProto.parseFrom(in);
            if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
                throw new CurvatureException(file + ": not an ONNX model (no graph nodes)");
            }
            return m;
        } catch (org.nd4j.shade.protobuf.InvalidProtocolBufferException e) {
            throw new CurvatureException(file + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The batch: every tensor of the file by name; integer dtypes (class targets, token ids) stay integral so they
     * are folded into the graph as constants.
     */
    public static Map<String, HostTensor> readBatch(Path file, CheckpointFormats formats) throws IOException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (Checkpoint cp = formats.open(file)) {
            for (Tensor t : cp.tensors()) {
                out.put(t.info().name(), WeightBinder.read(t, !t.info().dtype().isFloatingPoint()));
            }
        }
        if (out.isEmpty()) {
            throw new CurvatureException(file + ": the batch holds no tensors");
        }
        return out;
    }
}
