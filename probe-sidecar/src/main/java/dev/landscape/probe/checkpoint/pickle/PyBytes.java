package dev.landscape.probe.checkpoint.pickle;

import java.nio.ByteBuffer;

/**
 * Python {@code bytes}/{@code bytearray}: a read-only view of the pickle's own input, so a large inline buffer
 * (a pickled numpy array) costs no heap. The content hash is computed once, as repeated dict-key hashing of a large
 * value would otherwise be quadratic.
 */
public final class PyBytes implements Comparable<PyBytes> {

    private final ByteBuffer data;
    private int hash;
    private boolean hashed;

    public PyBytes(ByteBuffer data) {
        this.data = data.asReadOnlyBuffer();
    }

    public static PyBytes of(byte[] bytes) {
        return new PyBytes(ByteBuffer.wrap(bytes));
    }

    public int length() {
        return data.remaining();
    }

    public ByteBuffer buffer() {
        return data.duplicate();
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof PyBytes b && b.hashCode() == hashCode() && b.data.equals(data);
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            hash = data.hashCode();
            hashed = true;
        }
        return hash;
    }

    /** A total order, only so that hash maps can keep colliding values in a balanced tree. */
    @Override
    public int compareTo(PyBytes o) {
        return data.compareTo(o.data);
    }

    @Override
    public String toString() {
        return "b<" + length() + " bytes>";
    }
}
