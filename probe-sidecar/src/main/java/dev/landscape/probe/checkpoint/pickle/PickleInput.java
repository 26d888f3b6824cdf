package dev.landscape.probe.checkpoint.pickle;

import dev.landscape.probe.checkpoint.MemoryBudget;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The unpickler's view of its input: every opcode argument is decoded here, and every declared length, text line,
 * integer and string total is checked against the remaining input and the limits before anything is allocated.
 * Fixed-size reads past the end throw {@link java.nio.BufferUnderflowException}, which the unpickler reports as
 * truncation.
 */
final class PickleInput {

    private static final int MAX_INT_DIGITS = 4300;

    private final ByteBuffer in;
    private final MemoryBudget budget;
    private long stringBytes;

    PickleInput(ByteBuffer in, MemoryBudget budget) {
        this.in = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.budget = budget;
    }

    int position() {
        return in.position();
    }

    boolean hasRemaining() {
        return in.hasRemaining();
    }

    int remaining() {
        return in.remaining();
    }

    int u8() {
        return in.get() & 0xFF;
    }

    int u16() {
        return in.getShort() & 0xFFFF;
    }

    int i32() {
        return in.getInt();
    }

    long u32() {
        return in.getInt() & 0xFFFFFFFFL;
    }

    long i64() {
        return in.getLong();
    }

    double f64BigEndian() {
        return Double.longBitsToDouble(Long.reverseBytes(in.getLong()));
    }

    String text(long declared) throws PickleValueException {
        int n = length(declared);
        countString(n);
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A view of the input, not a copy. */
    PyBytes bytes(long declared) throws PickleValueException {
        int n = length(declared);
        ByteBuffer slice = in.slice().limit(n);
        in.position(in.position() + n);
        return new PyBytes(slice);
    }

    /** A text argument's line, one char per byte (raw-unicode-escape needs the bytes); see {@link #utf8Line()}. */
    String line() throws PickleValueException {
        int start = in.position();
        long room = budget.maxPickleStrings() - stringBytes;
        int limit = (int) Math.min(in.limit(), start + room + 1);
        for (int i = start; i < limit; i++) {
            if (in.get(i) == '\n') {
                countString(i - start);
                byte[] line = new byte[i - start];
                in.get(line);
                in.get();
                return new String(line, StandardCharsets.ISO_8859_1);
            }
        }
        if (limit < in.limit()) {
            countString(limit - start);
        }
        throw new PickleValueException("text argument without an ending newline (truncated?)");
    }

    /** A line holding UTF-8 text (global names since protocol 3). */
    String utf8Line() throws PickleValueException {
        return new String(line().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** LONG1/LONG4: {@code n} bytes of little-endian two's complement. */
    Object binaryLong(long n) throws PickleValueException {
        if (n < 0 || n > Unpickler.MAX_INT_BYTES) {
            throw new PickleValueException("a " + n + "-byte integer is larger than the " + Unpickler.MAX_INT_BYTES + "-byte limit");
        }
        int len = length(n);
        if (len == 0) {
            return 0L;
        }
        byte[] be = new byte[len];
        for (int i = len - 1; i >= 0; i--) {
            be[i] = in.get();
        }
        return normalise(new BigInteger(be));
    }

    /** INT's argument: {@code 00}/{@code 01} are protocol 0's booleans. */
    Object intLine() throws PickleValueException {
        String s = line();
        return s.equals("00") ? Boolean.FALSE : s.equals("01") ? Boolean.TRUE : decimal(s);
    }

    Object longLine() throws PickleValueException {
        String s = line();
        return decimal(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
    }

    long indexLine() throws PickleValueException {
        String s = line();
        if (!(decimal(s) instanceof Long l)) {
            throw new PickleValueException("memo index " + PyRepr.of(s) + " is out of range");
        }
        return l;
    }

    Double floatLine() throws PickleValueException {
        String t = line().trim();
        switch (t) {
            case "inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                if (t.isEmpty() || t.length() > 400 || !t.matches("[-+0-9.eE]+")) {
                    throw new PickleValueException("not a float: " + PyRepr.of(t));
                }
                try {
                    return Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw new PickleValueException("not a float: " + PyRepr.of(t));
                }
            }
        }
    }

    private Object decimal(String s) throws PickleValueException {
        if (s.length() > MAX_INT_DIGITS) {
            throw new PickleValueException("a " + s.length() + "-digit integer exceeds Python's own " + MAX_INT_DIGITS + "-digit limit");
        }
        try {
            return normalise(new BigInteger(s.trim()));
        } catch (NumberFormatException e) {
            throw new PickleValueException("not an integer: " + PyRepr.of(s));
        }
    }

    private static Object normalise(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private int length(long declared) throws PickleValueException {
        if (declared < 0 || declared > in.remaining()) {
            throw new PickleValueException("declared length " + Long.toUnsignedString(declared) + " runs past the end of"
                    + " the pickle (" + in.remaining() + " bytes left; truncated or corrupt)");
        }
        return (int) declared;
    }

    /** Counted before the string is allocated, so a string over the budget is never built. */
    private void countString(long n) throws PickleValueException {
        stringBytes += n;
        if (stringBytes > budget.maxPickleStrings()) {
            throw new PickleValueException("the pickle's strings exceed "
                    + budget.describe(budget.maxPickleStrings(), "characters") + " in total");
        }
    }
}
