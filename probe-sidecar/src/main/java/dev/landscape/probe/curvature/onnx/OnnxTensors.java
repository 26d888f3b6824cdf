package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.CurvatureException;
import dev.landscape.probe.curvature.HostTensor;
import onnx.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes ONNX {@code TensorProto}s (initializers, {@code Constant} values, the node tests' {@code .pb} files) into
 * {@link HostTensor}s. Both storage styles are read: {@code raw_data} (little-endian, what exporters write) and the
 * typed repeated fields ({@code float_data}, {@code int64_data}, ...).
 */
public final class OnnxTensors {

    private OnnxTensors() {
    }

    public static HostTensor decode(Onnx.TensorProto t) {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = Math.toIntExact(HostTensor.numel(shape));
        Onnx.TensorProto.DataType type = Onnx.TensorProto.DataType.forNumber(t.getDataType());
        if (type == null) {
            throw new CurvatureException("tensor '" + t.getName() + "' has unknown ONNX data type " + t.getDataType());
        }
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            throw new CurvatureException("tensor '" + t.getName() + "' stores its data in an external file, which is "
                    + "not supported: re-export the model with all tensors embedded (save_as_external_data=False)");
        }
        double[] v = new double[n];
        boolean integral;
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        switch (type) {
            case FLOAT -> {
                integral = false;
                for (int i = 0; i < n; i++) v[i] = hasRaw ? raw.getFloat() : t.getFloatData(i);
            }
            case DOUBLE -> {
                integral = false;
                for (int i = 0; i < n; i++) v[i] = hasRaw ? raw.getDouble() : t.getDoubleData(i);
            }
            case INT64 -> {
                integral = true;
                for (int i = 0; i < n; i++) v[i] = hasRaw ? raw.getLong() : t.getInt64Data(i);
            }
            case INT32 -> {
                integral = true;
                for (int i = 0; i < n; i++) v[i] = hasRaw ? raw.getInt() : t.getInt32Data(i);
            }
            case BOOL, INT8, UINT8 -> {
                integral = true;
                for (int i = 0; i < n; i++) v[i] = hasRaw ? raw.get() : t.getInt32Data(i);
            }
            default -> throw new CurvatureException("tensor '" + t.getName() + "' has ONNX data type " + type
                    + ", which is not supported (FLOAT, DOUBLE, INT64, INT32, INT8, UINT8, BOOL are)");
        }
        return new HostTensor(shape, v, integral);
    }
}
