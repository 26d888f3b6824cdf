package dev.landscape.probe.checkpoint.pickle;

import dev.landscape.probe.checkpoint.CheckpointException;
import dev.landscape.probe.checkpoint.MemoryBudget;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A restricted unpickler for checkpoint files, which are untrusted input: {@code torch.load} without
 * {@code weights_only} runs whatever a pickle says. This one never loads or calls a class. It builds Python's own
 * values (ints, floats, strings, bytes, tuples, lists, dicts, sets), lets a {@link Reducer} give meaning to the
 * calls it knows (tensor rebuilds), keeps every other call as an inert {@link PyObject}, and rejects the whole file
 * when it names a global that the {@link GlobalAllowlist} does not hold, so that a file it calls clean is also one
 * that CPython's unpickler can load without running anything.
 *
 * <p>Every resource is bounded so that a hostile or corrupt pickle ends in a {@link CheckpointException} naming the
 * byte offset, never in an out-of-memory error, a stack overflow or a hang: declared lengths are checked against
 * the remaining input before anything is allocated; the values created, the container slots and the memo share
 * one count and the strings another, both from the {@link MemoryBudget}; the stack, mark nesting, tuple nesting,
 * integer sizes and distinct keys sharing a hash code have fixed limits (the constants below). Nothing here
 * recurses over values.
 *
 * <p>Protocols 0 to 5 are read, except extension codes ({@code EXT1/2/4}) and out-of-band buffers
 * ({@code NEXT_BUFFER}), which no checkpoint writer uses.
 */
public final class Unpickler {

    public static final int MAX_STACK = 1_000_000;
    public static final int MAX_MARKS = 1000;
    public static final int MAX_DEPTH = 1000;
    public static final int MAX_INT_BYTES = 1024;
    /**
     * Distinct dict keys or set items sharing one hash code. Real pickles have a handful at most; crafted collisions
     * would make Java's hash maps quadratic, so more is refused.
     */
    public static final int MAX_SAME_HASH_KEYS = 64;

    private static final Object NONE_IN_MEMO = new Object();

    private final PickleInput in;
    private final Path file;
    private final String where;
    private final long base;
    private final Reducer reducer;
    private final MemoryBudget budget;
    private final GlobalAllowlist allowlist;

    private final ArrayList<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARKS];
    private int markCount;
    private Object[] memo = new Object[64];
    private int memoCount;
    /** One intern map per class, so that colliding hashes within a map stay comparable (see {@link #intern}). */
    private final Map<Class<?>, Map<Object, Object>> interned = new HashMap<>();
    private final Map<Integer, List<Object>> keysByHash = new HashMap<>();
    private final Set<String> globalsMet = new java.util.TreeSet<>();
    private long objects;
    private int opOffset;

    /**
     * @param in        the pickle, from its position to its limit (a mapped file region or a heap buffer)
     * @param file      the file named in errors
     * @param where     what the pickle is, for errors (e.g. {@code "zip entry archive/data.pkl"})
     * @param base      the file offset of the pickle's first byte, so errors give offsets in the file
     * @param budget    the limits on what the pickle may make this process hold
     * @param allowlist the globals the pickle may name
     */
    public Unpickler(ByteBuffer in, Path file, String where, long base, Reducer reducer, MemoryBudget budget,
                     GlobalAllowlist allowlist) {
        this.in = new PickleInput(in, budget);
        this.file = file;
        this.where = where;
        this.base = base;
        this.reducer = reducer;
        this.budget = budget;
        this.allowlist = allowlist;
    }

    /** The globals the pickle named, other than torch's tensor machinery, by dotted name. */
    public Set<String> globals() {
        return Collections.unmodifiableSet(globalsMet);
    }

    /** Bytes consumed so far: after {@link #load()}, the pickle's length (legacy files hold several in a row). */
    public int consumed() {
        return in.position();
    }

    public Object load() throws CheckpointException {
        while (true) {
            if (!in.hasRemaining()) {
                throw error(in.position(), "the pickle ends without a STOP opcode (truncated?)");
            }
            opOffset = in.position();
            int op = in.u8();
            try {
                if (op == '.') {
                    if (markCount > 0) {
                        throw error(opOffset, "STOP inside an unclosed MARK");
                    }
                    return pop();
                }
                step(op);
            } catch (BufferUnderflowException e) {
                throw error(opOffset, "the pickle ends inside opcode " + opName(op) + " (truncated?)");
            } catch (PickleValueException e) {
                throw error(opOffset, e.getMessage());
            } catch (RuntimeException e) {
                // Anything else an opcode can trip on (a cast, an index, an immutable frozenset) is bad data.
                throw error(opOffset, "malformed pickle at opcode " + opName(op) + ": " + e);
            }
        }
    }

    private void step(int op) throws CheckpointException, PickleValueException {
        switch (op) {
            case 0x80 -> { // PROTO
                int v = in.u8();
                if (v > 5) {
                    throw error(opOffset, "pickle protocol " + v + " is newer than 5");
                }
            }
            case 0x95 -> { // FRAME
                long n = in.i64();
                if (n < 0 || n > in.remaining()) {
                    throw error(opOffset, "FRAME of " + n + " bytes runs past the end of the pickle (truncated?)");
                }
            }
            case '(' -> {
                if (markCount == MAX_MARKS) {
                    throw error(opOffset, "more than " + MAX_MARKS + " nested MARKs");
                }
                marks[markCount++] = stack.size();
            }
            case '0' -> {
                if (stack.size() > markBase()) {
                    stack.remove(stack.size() - 1);
                } else if (markCount > 0) {
                    popMark();
                } else {
                    throw error(opOffset, "POP on an empty stack");
                }
            }
            case '1' -> popMark();
            case '2' -> push(peek());
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'I' -> push(intern(in.intLine()));
            case 'L' -> push(intern(in.longLine()));
            case 'J' -> push(intern((long) in.i32()));
            case 'K' -> push(intern((long) in.u8()));
            case 'M' -> push(intern((long) in.u16()));
            case 0x8a -> push(intern(in.binaryLong(in.u8())));
            case 0x8b -> push(intern(in.binaryLong(in.i32())));
            case 'F' -> push(intern(in.floatLine()));
            case 'G' -> push(intern(in.f64BigEndian()));
            case 'S' -> push(intern(PythonLiterals.unquote(in.line())));
            case 'T' -> push(intern(in.text(in.u32())));
            case 'U' -> push(intern(in.text(in.u8())));
            case 'V' -> push(intern(PythonLiterals.rawUnicodeEscape(in.line())));
            case 'X' -> push(intern(in.text(in.u32())));
            case 0x8c -> push(intern(in.text(in.u8())));
            case 0x8d -> push(intern(in.text(in.i64())));
            case 'B' -> push(intern(in.bytes(in.u32())));
            case 'C' -> push(intern(in.bytes(in.u8())));
            case 0x8e, 0x96 -> push(intern(in.bytes(in.i64())));
            case 0x97 -> throw error(opOffset, "out-of-band buffers (NEXT_BUFFER) are not supported in checkpoints");
            case 0x98 -> peek();
            case ')' -> push(PyTuple.EMPTY);
            case 't' -> push(tuple(popMark()));
            case 0x85 -> push(tuple(Collections.singletonList(pop())));
            case 0x86 -> {
                Object b = pop();
                Object a = pop();
                push(tuple(Arrays.asList(a, b)));
            }
            case 0x87 -> {
                Object c = pop();
                Object b = pop();
                Object a = pop();
                push(tuple(Arrays.asList(a, b, c)));
            }
            case ']' -> push(new ArrayList<>());
            case 'l' -> {
                List<Object> items = popMark();
                count(items.size());
                push(new ArrayList<>(items));
            }
            case 'a' -> {
                Object v = pop();
                append(peek(), Collections.singletonList(v));
            }
            case 'e' -> {
                List<Object> items = popMark();
                append(peek(), items);
            }
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> {
                List<Object> items = popMark();
                Map<Object, Object> m = new LinkedHashMap<>();
                setItems(m, items);
                push(m);
            }
            case 's' -> {
                Object v = pop();
                Object k = pop();
                setItems(peek(), Arrays.asList(k, v));
            }
            case 'u' -> {
                List<Object> items = popMark();
                setItems(peek(), items);
            }
            case 0x8f -> push(new LinkedHashSet<>());
            case 0x90 -> {
                List<Object> items = popMark();
                Object target = peek();
                if (!(target instanceof Set<?>)) {
                    throw error(opOffset, "ADDITEMS on " + PyRepr.of(target) + ", not a set");
                }
                addToSet(castSet(target), items);
            }
            case 0x91 -> {
                Set<Object> s = new LinkedHashSet<>();
                addToSet(s, popMark());
                push(Collections.unmodifiableSet(s));
            }
            case 'c' -> {
                String module = in.utf8Line();
                String name = in.utf8Line();
                push(global(module, name));
            }
            case 0x93 -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw error(opOffset, "STACK_GLOBAL needs two strings, got " + PyRepr.of(module) + " and " + PyRepr.of(name));
                }
                push(global(m, n));
            }
            case 'i' -> {
                String module = in.utf8Line();
                String name = in.utf8Line();
                Object cls = global(module, name);
                push(call(cls, tuple(popMark())));
            }
            case 'o' -> {
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    throw error(opOffset, "OBJ without a class");
                }
                push(call(items.get(0), tuple(items.subList(1, items.size()))));
            }
            case 'R' -> {
                Object args = pop();
                Object callable = pop();
                if (!(args instanceof PyTuple t)) {
                    throw error(opOffset, "REDUCE arguments are " + PyRepr.of(args) + ", not a tuple");
                }
                push(call(callable, t));
            }
            case 0x81 -> {
                Object args = pop();
                Object cls = pop();
                if (!(args instanceof PyTuple t)) {
                    throw error(opOffset, "NEWOBJ arguments are " + PyRepr.of(args) + ", not a tuple");
                }
                push(newObject(cls, t, null));
            }
            case 0x92 -> {
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                if (!(args instanceof PyTuple t)) {
                    throw error(opOffset, "NEWOBJ_EX arguments are " + PyRepr.of(args) + ", not a tuple");
                }
                push(newObject(cls, t, kwargs));
            }
            case 'b' -> {
                Object state = pop();
                Object target = peek();
                if (target instanceof PyGlobal g) {
                    // CPython would set attributes on the class or function itself: no writer does that.
                    throw error(opOffset, "BUILD on global " + g + ", a class or function rather than an object,"
                            + " would change it for every later use: refused");
                }
                if (target instanceof PyObject o) {
                    o.state(state);
                }
                // Anything else (an OrderedDict's attributes, a tensor's hooks) carries nothing a reader needs.
            }
            case 'p' -> memoPut(in.indexLine());
            case 'q' -> memoPut(in.u8());
            case 'r' -> memoPut(in.u32());
            case 0x94 -> memoPut(memoCount);
            case 'g' -> push(memoGet(in.indexLine()));
            case 'h' -> push(memoGet(in.u8()));
            case 'j' -> push(memoGet(in.u32()));
            case 'P' -> push(reducer.persistentLoad(in.line()));
            case 'Q' -> push(reducer.persistentLoad(pop()));
            case 0x82, 0x83, 0x84 -> throw error(opOffset, "extension-registry opcodes (EXT1/2/4) are not supported");
            default -> throw error(opOffset, String.format("unknown pickle opcode 0x%02x (not a pickle, or corrupt)", op));
        }
    }

    // ---- values

    private Object global(String module, String name) throws CheckpointException {
        if (module.length() > 256 || name.length() > 256) {
            throw error(opOffset, "global name longer than 256 characters");
        }
        String path = module + "." + name;
        Optional<String> refusal = allowlist.refusal(module, name);
        if (refusal.isPresent()) {
            boolean dotted = GlobalAllowlist.isDottedPath(path);
            throw error(opOffset, "global " + (dotted ? path : PyRepr.of(path)) + " at offset " + (base + opOffset)
                    + " is not on the allowlist (" + refusal.get() + "; docs/analyser.md lists what checkpoints need)."
                    + " Nothing was executed, but CPython's pickle would import and may run it: do not torch.load this"
                    + " file unless you trust it" + (dotted ? " (--trust-global " + path + ", or"
                    + " spec.checkpoints.trustedGlobals for the sidecar, accepts it here)" : ""));
        }
        if (!GlobalAllowlist.isTensorMachinery(path)) {
            globalsMet.add(path);
        }
        return intern(new PyGlobal(module, name));
    }

    private Object call(Object callable, PyTuple args) throws CheckpointException, PickleValueException {
        if (!(callable instanceof PyGlobal g)) {
            throw error(opOffset, "call of " + PyRepr.of(callable) + ", which is not a class or function");
        }
        refuseCall(g);
        switch (g.qualifiedName()) {
            case "collections.OrderedDict", "collections.defaultdict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (g.name().equals("OrderedDict") && args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        List<Object> kv = pairItems(p);
                        setItems(m, kv);
                    }
                }
                return m;
            }
            case "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> items) {
                    addToSet(s, new ArrayList<>(items));
                }
                return g.name().equals("set") ? s : Collections.unmodifiableSet(s);
            }
            case "builtins.bytearray", "__builtin__.bytearray", "_codecs.encode" -> {
                if (args.size() == 0) {
                    return PyBytes.of(new byte[0]);
                }
                if (args.get(0) instanceof PyBytes b) {
                    return b;
                }
                if (args.get(0) instanceof String s) {
                    return intern(PyBytes.of(s.getBytes(StandardCharsets.ISO_8859_1)));
                }
                return new PyObject(g, args);
            }
            case "copy_reg._reconstructor", "copyreg._reconstructor", "copyreg.__newobj__", "copy_reg.__newobj__" -> {
                if (args.size() == 0) {
                    throw error(opOffset, g.qualifiedName() + " without a class argument");
                }
                return new PyObject(args.get(0), args);
            }
            default -> {
                Object v = reducer.reduce(g, args);
                return v != null ? v : new PyObject(g, args);
            }
        }
    }

    private void refuseCall(PyGlobal g) throws CheckpointException {
        Optional<String> refusal = allowlist.callRefusal(g);
        if (refusal.isPresent()) {
            throw error(opOffset, "global " + g + " at offset " + (base + opOffset) + " is called, but " + refusal.get());
        }
    }

    private Object newObject(Object cls, PyTuple args, Object kwargs) throws CheckpointException, PickleValueException {
        if (cls instanceof PyGlobal g) {
            refuseCall(g);
        }
        if (cls instanceof PyGlobal g && (g.is("collections", "OrderedDict") || g.is("collections", "defaultdict"))) {
            return new LinkedHashMap<>();
        }
        if (cls instanceof PyGlobal g && (g.name().equals("set") || g.name().equals("frozenset"))) {
            return call(cls, args);
        }
        PyObject o = new PyObject(cls, args);
        if (kwargs != null) {
            o.state(kwargs);
        }
        return o;
    }

    private static List<Object> pairItems(Object p) throws PickleValueException {
        if (p instanceof PyTuple t && t.size() == 2) {
            return Arrays.asList(t.get(0), t.get(1));
        }
        if (p instanceof List<?> l && l.size() == 2) {
            return Arrays.asList(l.get(0), l.get(1));
        }
        throw new PickleValueException("OrderedDict item " + PyRepr.of(p) + " is not a (key, value) pair");
    }

    private PyTuple tuple(List<Object> items) throws CheckpointException {
        count(items.size());
        PyTuple t = PyTuple.of(items);
        if (t.depth() > MAX_DEPTH) {
            throw error(opOffset, "values nested more than " + MAX_DEPTH + " deep");
        }
        return t.hashable() ? (PyTuple) intern(t) : t;
    }

    /**
     * Equal immutable values become one object: tuple equality can then compare items by identity, and the
     * collision guard can count distinct keys. Every interned class is {@link Comparable}, so a map bin of crafted
     * colliding hashes becomes a balanced tree instead of a list.
     */
    private Object intern(Object v) {
        Object prev = interned.computeIfAbsent(v.getClass(), c -> new HashMap<>()).putIfAbsent(v, v);
        return prev != null ? prev : v;
    }

    private void append(Object target, List<Object> items) throws CheckpointException {
        count(items.size());
        if (target instanceof List<?> l) {
            castList(l).addAll(items);
        } else if (target instanceof PyObject o) {
            o.listItems().addAll(items);
        } else {
            throw error(opOffset, "APPEND to " + PyRepr.of(target) + ", not a list");
        }
    }

    private void setItems(Object target, List<Object> kv) throws CheckpointException {
        if (kv.size() % 2 != 0) {
            throw error(opOffset, "odd number of items for a dict");
        }
        count(kv.size() / 2);
        Map<Object, Object> m;
        if (target instanceof Map<?, ?> map) {
            m = castMap(map);
        } else if (target instanceof PyObject o) {
            m = o.dictItems();
        } else {
            throw error(opOffset, "SETITEM on " + PyRepr.of(target) + ", not a dict");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            if (!PyTuple.isHashable(k)) {
                throw error(opOffset, "unhashable dict key " + PyRepr.of(k));
            }
            guardCollisions(k);
            m.put(k, kv.get(i + 1));
        }
    }

    private void addToSet(Set<Object> s, List<Object> items) throws CheckpointException {
        count(items.size());
        for (Object o : items) {
            if (!PyTuple.isHashable(o)) {
                throw error(opOffset, "unhashable set item " + PyRepr.of(o));
            }
            guardCollisions(o);
            s.add(o);
        }
    }

    /** Keys are interned, so distinct objects are distinct keys (inert objects hash by identity anyway). */
    private void guardCollisions(Object key) throws CheckpointException {
        if (key instanceof PyObject) {
            return;
        }
        List<Object> same = keysByHash.computeIfAbsent(java.util.Objects.hashCode(key), h -> new ArrayList<>(1));
        for (Object o : same) {
            if (o == key) {
                return;
            }
        }
        if (same.size() == MAX_SAME_HASH_KEYS) {
            throw error(opOffset, "more than " + MAX_SAME_HASH_KEYS + " distinct keys share one hash code (crafted"
                    + " hash collisions?)");
        }
        same.add(key);
    }

    /** Values created and container slots filled, against the budget, before they are allocated. */
    private void count(long n) throws CheckpointException {
        objects += n;
        if (objects > budget.maxPickleObjects()) {
            throw error(opOffset, "the pickle creates more values and container slots than "
                    + budget.describe(budget.maxPickleObjects(), "objects") + ": a pickle bomb, or far larger than"
                    + " any checkpoint's object pickle");
        }
    }

    // ---- stack, marks, memo

    private int markBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(Object o) throws CheckpointException {
        if (stack.size() >= MAX_STACK) {
            throw error(opOffset, "pickle stack deeper than " + MAX_STACK);
        }
        count(1);
        stack.add(o);
    }

    private Object pop() throws CheckpointException {
        if (stack.size() <= markBase()) {
            throw error(opOffset, "pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointException {
        if (stack.size() <= markBase()) {
            throw error(opOffset, "pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws CheckpointException {
        if (markCount == 0) {
            throw error(opOffset, "no MARK to pop to");
        }
        int base = marks[--markCount];
        List<Object> top = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private void memoPut(long index) throws CheckpointException {
        long maxMemo = Math.min(Integer.MAX_VALUE - 8, budget.maxPickleObjects());
        if (index < 0 || index >= maxMemo) {
            throw error(opOffset, "memo index " + index + " exceeds " + budget.describe(maxMemo, "memo slots"));
        }
        int i = (int) index;
        if (i >= memo.length) {
            int grown = (int) Math.max(i + 1, Math.min(maxMemo, memo.length * 2L));
            count(grown - memo.length);
            memo = Arrays.copyOf(memo, grown);
        }
        if (memo[i] == null) {
            memoCount++;
        }
        Object v = peek();
        memo[i] = v == null ? NONE_IN_MEMO : v;
    }

    private Object memoGet(long index) throws CheckpointException {
        Object v = index >= 0 && index < memo.length ? memo[(int) index] : null;
        if (v == null) {
            throw error(opOffset, "memo index " + index + " was never stored");
        }
        return v == NONE_IN_MEMO ? null : v;
    }

    private CheckpointException error(int pickleOffset, String message) {
        return new CheckpointException(file, base + pickleOffset, where + " (pickle byte " + pickleOffset + "): " + message);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> castMap(Map<?, ?> m) {
        return (Map<Object, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> castSet(Object s) {
        return (Set<Object>) s;
    }

    private static String opName(int op) {
        return switch (op) {
            case 'X' -> "BINUNICODE";
            case 'T' -> "BINSTRING";
            case 'B' -> "BINBYTES";
            case 'J' -> "BININT";
            case 'K' -> "BININT1";
            case 'M' -> "BININT2";
            case 'G' -> "BINFLOAT";
            case 'q' -> "BINPUT";
            case 'r' -> "LONG_BINPUT";
            case 'h' -> "BINGET";
            case 'j' -> "LONG_BINGET";
            case 'c' -> "GLOBAL";
            case 'R' -> "REDUCE";
            case 'Q' -> "BINPERSID";
            case 0x80 -> "PROTO";
            case 0x8a -> "LONG1";
            case 0x8b -> "LONG4";
            case 0x8c -> "SHORT_BINUNICODE";
            case 0x95 -> "FRAME";
            default -> String.format("0x%02x", op);
        };
    }
}
