package dev.landscape.probe.checkpoint.pickle;

import java.util.Collection;
import java.util.Map;

/** Short, bounded descriptions of unpickled values for error messages: never recursive, never huge. */
public final class PyRepr {

    private PyRepr() {
    }

    public static String of(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "…" : s) + "'";
        }
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (o instanceof Number || o instanceof PyGlobal || o instanceof PyBytes) {
            return String.valueOf(o);
        }
        if (o instanceof PyTuple t) {
            return "tuple of " + t.size();
        }
        if (o instanceof Map<?, ?> m) {
            return "dict of " + m.size();
        }
        if (o instanceof Collection<?> c) {
            return "list of " + c.size();
        }
        if (o instanceof PyObject p) {
            return "object of " + (p.type() instanceof PyGlobal g ? g.qualifiedName() : "an unnamed class");
        }
        return o.getClass().getSimpleName();
    }
}
