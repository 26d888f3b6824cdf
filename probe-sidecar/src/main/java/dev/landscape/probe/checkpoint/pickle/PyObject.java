package dev.landscape.probe.checkpoint.pickle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance of a class the reader does not interpret (numpy arrays, transformers' TrainingArguments, Lightning
 * callbacks, dataclasses): inert, never constructed, just the recorded constructor arguments and state, so that
 * readers can look inside (DCP metadata) without running anything. Hashes by identity, like a Python object without
 * {@code __eq__}, so it can be a dict key.
 */
public final class PyObject {

    private final Object type;
    private final PyTuple args;
    private Object state;
    private final List<Object> listItems = new ArrayList<>();
    private final Map<Object, Object> dictItems = new LinkedHashMap<>();

    public PyObject(Object type, PyTuple args) {
        this.type = type;
        this.args = args;
    }

    /** The class (usually a {@link PyGlobal}) the pickle asked for. */
    public Object type() {
        return type;
    }

    public boolean isA(String module, String name) {
        return type instanceof PyGlobal g && g.is(module, name);
    }

    /** Arguments of {@code REDUCE}/{@code NEWOBJ}. */
    public PyTuple args() {
        return args;
    }

    /** What {@code BUILD} passed ({@code __setstate__}), or {@code null}. */
    public Object state() {
        return state;
    }

    void state(Object state) {
        this.state = state;
    }

    /** Items appended with {@code APPEND(S)} (list subclasses). */
    public List<Object> listItems() {
        return listItems;
    }

    /** Items set with {@code SETITEM(S)} (dict subclasses). */
    public Map<Object, Object> dictItems() {
        return dictItems;
    }

    /** A field from a dict state (dataclasses, plain objects), or from the state's slot dict; {@code null} if absent. */
    public Object field(String name) {
        Object s = state;
        if (s instanceof PyTuple t && t.size() == 2) {
            Object d = t.get(0) instanceof Map<?, ?> m && m.containsKey(name) ? t.get(0) : t.get(1);
            s = d;
        }
        return s instanceof Map<?, ?> m ? m.get(name) : null;
    }

    @Override
    public String toString() {
        return PyRepr.of(this);
    }
}
