package dev.landscape.probe.checkpoint.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes pickles with the protocol-2 opcodes Python's pickler uses for the same values, for the checkpoints this
 * project writes itself ({@code TorchSaveWriter}: the embedded demo's {@code optimizer.pt}, test layouts that have
 * no public real files) and, through {@link #op} and {@link #raw}, for hostile pickles in tests. Memoisation
 * ({@code BINPUT}) is not written: Python reads pickles without it, only larger.
 *
 * <p>Values: {@code null}, Boolean, Long/Integer, Double, String, {@link Map} (a dict, in iteration order),
 * {@link List}, {@link Tuple}, {@link Global}, {@link Obj} (a class instance: NEWOBJ + BUILD), {@link Call}
 * (REDUCE); anything else goes to the {@link Hook} (the torch writer's tensors) or is refused.
 */
public final class PickleWriter {

    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public static Tuple of(Object... items) {
            return new Tuple(Arrays.asList(items));
        }
    }

    /** A module-level name ({@code GLOBAL} opcode). */
    public record Global(String module, String name) {
    }

    /** {@code cls.__new__(cls)} then {@code __setstate__(state)}, as Python pickles a dataclass. */
    public record Obj(Global cls, Object state) {
    }

    /** {@code fn(*args)}, written as GLOBAL + args tuple + REDUCE. */
    public record Call(Global fn, Tuple args) {
    }

    /** Writes values the pickle writer does not know. */
    public interface Hook {
        /** Writes {@code value} and returns true, or returns false to let the writer handle it. */
        boolean write(PickleWriter w, Object value);
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Hook hook;

    public PickleWriter(Hook hook) {
        this.hook = hook;
    }

    public PickleWriter() {
        this((w, v) -> false);
    }

    /** A whole protocol-2 pickle of {@code value}. */
    public static byte[] pickle(Object value) {
        return new PickleWriter().proto().value(value).stop().bytes();
    }

    public PickleWriter proto() {
        return op(0x80).op(2);
    }

    public PickleWriter stop() {
        return op('.');
    }

    public PickleWriter op(int b) {
        out.write(b);
        return this;
    }

    public PickleWriter raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public PickleWriter global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    public PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').raw(le32(b.length)).raw(b);
    }

    public PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').raw(le32((int) v));
        }
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
        return op(0x8a).op(8).raw(b);
    }

    public PickleWriter value(Object v) {
        if (hook.write(this, v)) {
            return this;
        }
        if (v == null) {
            return op('N');
        }
        if (v instanceof Boolean b) {
            return op(b ? 0x88 : 0x89);
        }
        if (v instanceof Integer i) {
            return integer(i);
        }
        if (v instanceof Long l) {
            return integer(l);
        }
        if (v instanceof Double d) {
            return op('G').raw(ByteBuffer.allocate(8).putDouble(d).array());
        }
        if (v instanceof String s) {
            return string(s);
        }
        if (v instanceof Map<?, ?> m) {
            op('}').op('(');
            m.forEach((k, x) -> value(k).value(x));
            return op('u');
        }
        if (v instanceof List<?> l) {
            op(']').op('(');
            l.forEach(this::value);
            return op('e');
        }
        if (v instanceof Tuple t) {
            op('(');
            t.items().forEach(this::value);
            return op('t');
        }
        if (v instanceof Global g) {
            return global(g.module(), g.name());
        }
        if (v instanceof Obj o) {
            global(o.cls().module(), o.cls().name()).op(')').op(0x81);
            return value(o.state()).op('b');
        }
        if (v instanceof Call c) {
            global(c.fn().module(), c.fn().name());
            return value(c.args()).op('R');
        }
        throw new IllegalArgumentException("cannot pickle a " + (v == null ? "null" : v.getClass().getName()));
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** Little-endian 4-byte integer, the length prefix of pickle strings and bytes. */
    public static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
