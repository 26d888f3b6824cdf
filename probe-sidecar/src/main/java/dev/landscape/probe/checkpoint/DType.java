package dev.landscape.probe.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Optional;

/**
 * Element types, named as safetensors names them, because that is the vocabulary of the {@code inspect --json}
 * contract whatever format the tensor came from. Each type decodes little-endian bytes into doubles, the one
 * element representation the analysis uses (exact for every type here except I64/U64 beyond 2^53).
 */
public enum DType {
    BOOL(1), U8(1), I8(1), U16(2), I16(2), U32(4), I32(4), U64(8), I64(8),
    F16(2), BF16(2), F32(4), F64(8), F8_E4M3(1), F8_E5M2(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32 || this == F64 || this == F8_E4M3 || this == F8_E5M2;
    }

    /** The safetensors spelling, e.g. {@code "F8_E4M3"}; case-insensitive. */
    public static Optional<DType> fromSafetensorsName(String name) {
        try {
            return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Decodes {@code count} elements from {@code src} (read from its position, little-endian regardless of the
     * buffer's order setting) into {@code dst[off..off+count)}. Advances the buffer's position.
     */
    public void decode(ByteBuffer src, double[] dst, int off, int count) {
        ByteBuffer le = src.order() == ByteOrder.LITTLE_ENDIAN ? src : src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int end = off + count;
        switch (this) {
            case BOOL, U8 -> { for (int i = off; i < end; i++) dst[i] = le.get() & 0xFF; }
            case I8 -> { for (int i = off; i < end; i++) dst[i] = le.get(); }
            case U16 -> { for (int i = off; i < end; i++) dst[i] = le.getShort() & 0xFFFF; }
            case I16 -> { for (int i = off; i < end; i++) dst[i] = le.getShort(); }
            case U32 -> { for (int i = off; i < end; i++) dst[i] = le.getInt() & 0xFFFFFFFFL; }
            case I32 -> { for (int i = off; i < end; i++) dst[i] = le.getInt(); }
            case U64 -> { for (int i = off; i < end; i++) dst[i] = unsignedLongToDouble(le.getLong()); }
            case I64 -> { for (int i = off; i < end; i++) dst[i] = le.getLong(); }
            case F16 -> { for (int i = off; i < end; i++) dst[i] = halfToDouble(le.getShort()); }
            case BF16 -> { for (int i = off; i < end; i++) dst[i] = Float.intBitsToFloat((le.getShort() & 0xFFFF) << 16); }
            case F32 -> { for (int i = off; i < end; i++) dst[i] = le.getFloat(); }
            case F64 -> { for (int i = off; i < end; i++) dst[i] = le.getDouble(); }
            case F8_E4M3 -> { for (int i = off; i < end; i++) dst[i] = e4m3ToDouble(le.get()); }
            case F8_E5M2 -> { for (int i = off; i < end; i++) dst[i] = e5m2ToDouble(le.get()); }
            default -> throw new AssertionError(this);
        }
        if (le != src) {
            src.position(le.position());
        }
    }

    static double unsignedLongToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1L);
    }

    /** IEEE 754 binary16. */
    public static double halfToDouble(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) != 0 ? -1 : 1;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            return sign * Math.scalb((double) mant, -24);
        }
        if (exp == 0x1F) {
            return mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        return sign * Math.scalb(1024.0 + mant, exp - 25);
    }

    /** OCP FP8 E4M3 ("FN": no infinities; S.1111.111 is NaN; bias 7). */
    public static double e4m3ToDouble(byte bits) {
        int b = bits & 0xFF;
        int sign = (b >>> 7) != 0 ? -1 : 1;
        int exp = (b >>> 3) & 0xF;
        int mant = b & 0x7;
        if (exp == 0xF && mant == 0x7) {
            return Double.NaN;
        }
        if (exp == 0) {
            return sign * Math.scalb((double) mant, -9);
        }
        return sign * Math.scalb(8.0 + mant, exp - 10);
    }

    /** OCP FP8 E5M2 (IEEE-like: infinities and NaNs; bias 15). */
    public static double e5m2ToDouble(byte bits) {
        int b = bits & 0xFF;
        int sign = (b >>> 7) != 0 ? -1 : 1;
        int exp = (b >>> 2) & 0x1F;
        int mant = b & 0x3;
        if (exp == 0x1F) {
            return mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (exp == 0) {
            return sign * Math.scalb((double) mant, -16);
        }
        return sign * Math.scalb(4.0 + mant, exp - 17);
    }
}
