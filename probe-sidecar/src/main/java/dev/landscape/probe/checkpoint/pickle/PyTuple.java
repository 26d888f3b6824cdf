package dev.landscape.probe.checkpoint.pickle;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Python tuple. Tuples are dict keys in real checkpoints (DCP chunk offsets, optimizer ids), so they must hash
 * like Python's: by value, and only when every item is itself hashable. The hash and nesting depth are computed once
 * from the items' own cached values, so neither hashing nor a depth check ever recurses over a deep tuple.
 */
public final class PyTuple implements Comparable<PyTuple> {

    public static final PyTuple EMPTY = new PyTuple(new Object[0]);

    private final Object[] items;
    private final int hash;
    private final boolean hashable;
    private final int depth;

    private PyTuple(Object[] items) {
        this.items = items;
        int h = 1;
        boolean ok = true;
        int d = 0;
        for (Object o : items) {
            ok &= isHashable(o);
            h = 31 * h + (isHashable(o) ? Objects.hashCode(o) : System.identityHashCode(o));
            d = Math.max(d, depthOf(o));
        }
        this.hash = h;
        this.hashable = ok;
        this.depth = d + 1;
    }

    public static PyTuple of(Object... items) {
        return items.length == 0 ? EMPTY : new PyTuple(items.clone());
    }

    public static PyTuple of(List<Object> items) {
        return items.isEmpty() ? EMPTY : new PyTuple(items.toArray());
    }

    public int size() {
        return items.length;
    }

    public Object get(int i) {
        return items[i];
    }

    public List<Object> items() {
        return Arrays.asList(items.clone());
    }

    /** Nesting depth: 1 for a tuple of scalars, counting lists and dicts inside it as one level each. */
    public int depth() {
        return depth;
    }

    public boolean hashable() {
        return hashable;
    }

    /** Python's rule: immutable scalars, hashable tuples, classes and (identity-hashed) objects. */
    public static boolean isHashable(Object o) {
        if (o instanceof PyTuple t) {
            return t.hashable;
        }
        return !(o instanceof Collection<?> || o instanceof Map<?, ?>);
    }

    static int depthOf(Object o) {
        if (o instanceof PyTuple t) {
            return t.depth;
        }
        return o instanceof Collection<?> || o instanceof Map<?, ?> ? 1 : 0;
    }

    /**
     * Items are compared by identity when they are tuples: the unpickler interns hashable tuples, so equal tuples
     * are the same object and comparing them never walks a deep or widely shared structure.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PyTuple t) || t.hash != hash || t.items.length != items.length) {
            return false;
        }
        for (int i = 0; i < items.length; i++) {
            Object a = items[i];
            Object b = t.items[i];
            if (a instanceof PyTuple || a instanceof Collection<?> || a instanceof Map<?, ?>) {
                if (a != b) {
                    return false;
                }
            } else if (!Objects.equals(a, b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** A total order, only so that hash maps can keep colliding tuples in a balanced tree. */
    @Override
    public int compareTo(PyTuple o) {
        if (this == o) {
            return 0;
        }
        int c = Integer.compare(hash, o.hash);
        if (c == 0) {
            c = Integer.compare(items.length, o.items.length);
        }
        for (int i = 0; c == 0 && i < items.length; i++) {
            c = compareItems(items[i], o.items[i]);
        }
        return c;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareItems(Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a == null || b == null) {
            return a == null ? -1 : 1;
        }
        if (a.getClass() != b.getClass()) {
            return a.getClass().getName().compareTo(b.getClass().getName());
        }
        if (a instanceof Comparable ca && !(a instanceof PyTuple)) {
            return ca.compareTo(b);
        }
        // Interned tuples, objects and containers: distinct instances, ordered by identity.
        return Integer.compare(System.identityHashCode(a), System.identityHashCode(b));
    }

    @Override
    public String toString() {
        return PyRepr.of(this);
    }
}
