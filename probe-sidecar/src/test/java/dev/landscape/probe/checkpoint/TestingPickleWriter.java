package dev.landscape.probe.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Test-only pickle writer, for checkpoint layouts that have no public real files (HF Trainer optimizer state,
 * Lightning, DeepSpeed, DCP) and for hostile pickles. It emits the same protocol-2 opcodes as Python's pickler
 * does for these values (see PROVENANCE.md's list); raw opcodes can be added for hostile input.
 *
 * <p>Values: {@code null}, Boolean, Long/Integer, Double, String, {@link Map} (written as a dict in iteration
 * order), {@link List}, {@link Tuple}, {@link Global}, {@link Obj} (a class instance: NEWOBJ + BUILD),
 * {@link Call} (REDUCE) and {@link TestingTorchSave.TensorSpec} (written by the torch writer's hook).
 */
final class TestingPickleWriter {

    record Tuple(List<Object> items) {
        static Tuple of(Object... items) {
            return new Tuple(java.util.Arrays.asList(items));
        }
    }

    record Global(String module, String name) {
    }

    /** {@code cls.__new__(cls, *args)} then {@code __setstate__(state)}, as Python pickles a dataclass. */
    record Obj(Global cls, Object state) {
    }

    /** {@code fn(*args)}, written as GLOBAL + args tuple + REDUCE. */
    record Call(Global fn, Tuple args) {
    }

    interface Hook {
        /** Writes {@code value} and returns true, or returns false to let the writer handle it. */
        boolean write(TestingPickleWriter w, Object value);
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Hook hook;

    TestingPickleWriter(Hook hook) {
        this.hook = hook;
    }

    TestingPickleWriter() {
        this((w, v) -> false);
    }

    static byte[] pickle(Object value) {
        return new TestingPickleWriter().proto().value(value).stop().bytes();
    }

    TestingPickleWriter proto() {
        return op(0x80).op(2);
    }

    TestingPickleWriter stop() {
        return op('.');
    }

    TestingPickleWriter op(int b) {
        out.write(b);
        return this;
    }

    TestingPickleWriter raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    TestingPickleWriter global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    TestingPickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').raw(le32(b.length)).raw(b);
    }

    TestingPickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').raw(le32((int) v));
        }
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
        return op(0x8a).op(8).raw(b);
    }

    TestingPickleWriter value(Object v) {
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
        throw new IllegalArgumentException("cannot pickle " + v.getClass());
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
