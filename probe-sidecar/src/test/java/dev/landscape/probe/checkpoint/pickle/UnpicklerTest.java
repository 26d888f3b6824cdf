package dev.landscape.probe.checkpoint.pickle;

import dev.landscape.probe.checkpoint.CheckpointException;
import dev.landscape.probe.checkpoint.MemoryBudget;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocols 0 to 5 on the values checkpoints contain. The hex vectors were produced by CPython 3.11's
 * {@code pickle.dumps} (the statement is quoted above each), not by our own writer.
 */
class UnpicklerTest {

    // pickle.dumps({'a': [1, 2.5, 'x', None, True, (3, 'y')], 'big': 2**70, 'neg': -5, 'uni': 'hé€'}, protocol=P)
    private static final String P0 = "286470300a56610a70310a286c70320a49310a6146322e350a6156780a70330a614e614930310a612849330a56790a70340a7470350a6173566269670a70360a4c313138303539313632303731373431313330333432344c0a73566e65670a70370a492d350a7356756e690a70380a5668e95c75323061630a70390a732e";
    private static final String P1 = "7d71002858010000006171015d7102284b0147400400000000000058010000007871034e4930310a284b03580100000079710474710565580300000062696771064c313138303539313632303731373431313330333432344c0a58030000006e656771074afbffffff5803000000756e697108580600000068c3a9e282ac7109752e";
    private static final String P2 = "80027d71002858010000006171015d7102284b0147400400000000000058010000007871034e884b03580100000079710486710565580300000062696771068a0900000000000000004058030000006e656771074afbffffff5803000000756e697108580600000068c3a9e282ac7109752e";

    @Test
    void protocols0To2DecodeTheSameValues() throws CheckpointException {
        for (String hex : List.of(P0, P1, P2)) {
            Map<Object, Object> m = map(load(hex));

            assertThat(m.keySet()).containsExactly("a", "big", "neg", "uni");
            assertThat(list(m.get("a"))).containsExactly(1L, 2.5, "x", null, true, PyTuple.of(3L, "y"));
            assertThat(m.get("big")).isEqualTo(BigInteger.TWO.pow(70));
            assertThat(m.get("neg")).isEqualTo(-5L);
            assertThat(m.get("uni")).isEqualTo("h\u00e9\u20ac");
        }
    }

    @Test
    void protocol4FramesSetsBytesMemoizeAndOrderedDict() throws CheckpointException {
        // {'s': {1, 2}, 'f': frozenset([3]), 'b': b'\x00\x01', 'od': collections.OrderedDict(k=1)}, protocol=4
        Map<Object, Object> m = map(load("80049550000000000000007d94288c0173948f94284b014b02908c016694284b0391948c01629443020001948c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944b0173752e"));

        assertThat(list(List.copyOf((Set<?>) m.get("s")))).containsExactly(1L, 2L);
        assertThat(list(List.copyOf((Set<?>) m.get("f")))).containsExactly(3L);
        assertThat(m.get("b")).isEqualTo(PyBytes.of(new byte[] {0, 1}));
        assertThat(map(m.get("od"))).containsExactly(Map.entry("k", 1L));
    }

    @Test
    void protocol5Bytearray() throws CheckpointException {
        // {'ba': bytearray(b'zz')}, protocol=5
        Map<Object, Object> m = map(load("80059515000000000000007d948c026261949602000000000000007a7a94732e"));

        assertThat(m.get("ba")).isEqualTo(PyBytes.of("zz".getBytes()));
    }

    @Test
    void trustedClassInstancesStayInertWithTheirStateInEveryProtocol() throws CheckpointException {
        // class C: def __init__(self): self.x = 1   (in __main__); pickle.dumps(C(), protocol=0, 1, 4)
        for (String hex : List.of(
                "63636f70795f7265670a5f7265636f6e7374727563746f720a70300a28635f5f6d61696e5f5f0a430a70310a635f5f6275696c74696e5f5f0a6f626a6563740a70320a4e7470330a5270340a286470350a56780a70360a49310a73622e",
                "63636f70795f7265670a5f7265636f6e7374727563746f720a710028635f5f6d61696e5f5f0a430a7101635f5f6275696c74696e5f5f0a6f626a6563740a71024e7471035271047d710558010000007871064b0173622e",
                "8004951f000000000000008c085f5f6d61696e5f5f948c01439493942981947d948c0178944b0173622e")) {
            Object v = load(hex);

            assertThat(v).isInstanceOfSatisfying(PyObject.class, o -> {
                assertThat(o.type()).isEqualTo(new PyGlobal("__main__", "C"));
                assertThat(o.field("x")).isEqualTo(1L);
            });
        }
    }

    @Test
    void equalTuplesAreOneKey() throws CheckpointException {
        // {(1, 'a'): 1, (1, 'a'): 2}, the tuple built twice: written by hand, protocol 2
        Map<Object, Object> m = map(load("80027d28" + "4b01580100000061864b01" + "4b01580100000061864b02" + "752e"));

        assertThat(m).containsExactly(Map.entry(PyTuple.of(1L, "a"), 2L));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static Object load(String hex) throws CheckpointException {
        return new Unpickler(ByteBuffer.wrap(HexFormat.of().parseHex(hex)), Path.of("vector.pkl"), "test vector", 0,
                Reducer.INERT, MemoryBudget.forHeap(1L << 30), GlobalAllowlist.STANDARD.trusting(List.of("__main__.C"))).load();
    }
}
