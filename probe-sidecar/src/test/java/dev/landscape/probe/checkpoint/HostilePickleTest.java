package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.GlobalAllowlist;
import dev.landscape.probe.checkpoint.pickle.PickleWriter;
import dev.landscape.probe.checkpoint.pickle.Unpickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pickles made to attack {@code torch.load} or the reader itself, each placed as {@code data.pkl} of an otherwise
 * valid torch.save zip and opened through the registry: every one must end in a {@link CheckpointException} that
 * says what and where, and none may have an effect.
 */
class HostilePickleTest {

    @TempDir
    Path dir;

    private final CheckpointFormats formats = CheckpointFormats.standard();

    @Test
    void osSystemViaReduceIsRefusedNamingGlobalAndOffsetAndRunsNothing() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle = new PickleWriter().proto().global("os", "system")
                .string("touch " + marker).op(0x85).op('R').stop().bytes();
        Path file = torchZip(pickle);
        long dataPkl = dataPklOffset(file);

        assertThatThrownBy(() -> formats.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("global os.system at offset " + (dataPkl + 2) + " is not on the allowlist")
                .hasMessageContaining("pickle byte 2")
                .satisfies(e -> assertThat(((CheckpointException) e).offset()).isEqualTo(dataPkl + 2));
        assertThat(marker).doesNotExist();
    }

    /**
     * Pickles that run a command under CPython's {@code pickle.load} (each checked to do so when it was made; see
     * make_vectors.py beside code-running.txt): dotted protocol-4 names through harmless modules, and modules no
     * denylist named. Every one is refused, naming the whole dotted path.
     */
    @ParameterizedTest
    @CsvSource({
            "shlex_os_spawnlp, shlex.os.spawnlp", "collections_abc_builtins_get_eval, collections.abc.__builtins__.get",
            "pydoc_pipepager, pydoc.pipepager", "yaml_unsafe_load, yaml.unsafe_load", "timeit_timeit, timeit.timeit",
            "cprofile_run, cProfile.run", "posix_system, posix.system", "builtins_exec, builtins.exec"})
    void codeRunningPicklesAreRefused(String vector, String global) throws IOException {
        Path marker = Path.of("/tmp/landscape-probe-pwned");
        Files.deleteIfExists(marker);
        Path file = torchZip(codeRunning().get(vector));

        assertThatThrownBy(() -> formats.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("global " + global + " at offset ")
                .hasMessageContaining("is not on the allowlist");
        assertThat(marker).doesNotExist();
    }

    @Test
    void everyCodeRunningVectorIsTested() throws IOException {
        assertThat(codeRunning()).hasSize(8);
    }

    @ParameterizedTest
    @CsvSource({
            "posix, system", "nt, system", "subprocess, Popen", "builtins, eval", "__builtin__, exec",
            "builtins, getattr", "sys, modules", "importlib, import_module", "socket, socket", "shutil, rmtree",
            "pickle, loads", "runpy, run_path", "code, InteractiveInterpreter", "ctypes, CDLL",
            "webbrowser, open", "pty, spawn", "commands, getoutput", "marshal, loads", "types, FunctionType",
            "io, open", "tempfile, mkstemp", "multiprocessing, Process", "asyncio, create_subprocess_shell",
            "functools, partial", "operator, attrgetter", "numpy.testing._private.utils, runstring",
            "torch.hub, load", "torch, load", "os.path, join", "torch._utils, _rebuild_tensor_v2.__globals__",
            "collections, OrderedDict.__init__", "builtins, list"})
    void globalsOffTheAllowlistRejectTheWholeFile(String module, String name) throws IOException {
        byte[] pickle = new PickleWriter().proto().op('}').string("w").global(module, name).op('s').stop().bytes();
        Path file = torchZip(pickle);

        assertThatThrownBy(() -> formats.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("global " + module + "." + name + " at offset " + (dataPklOffset(file) + 9)
                        + " is not on the allowlist");
    }

    @Test
    void stackGlobalIsCheckedLikeGlobal() throws IOException {
        byte[] pickle = new PickleWriter().op(0x80).op(4).op(0x8c).op(8).raw("builtins".getBytes())
                .op(0x8c).op(4).raw("eval".getBytes()).op(0x93).op('N').op(0x85).op('R').stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("global builtins.eval at offset 18 is not on the allowlist")
                .hasMessageContaining("pickle byte 18");
    }

    @Test
    void aGlobalThatIsNotADottedPathIsNamedVerbatim() {
        byte[] pickle = new PickleWriter().op(0x80).op(4).op(0x8c).op(5).raw("torch".getBytes())
                .op(0x8c).op(5).raw("Size ".getBytes()).op(0x93).stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("global 'torch.Size ' at offset")
                .hasMessageContaining("not a dotted path");
    }

    @Test
    void anUnlistedGlobalIsAcceptedOnlyWhenTrustedAndThenStaysInertAndListed() throws IOException {
        byte[] pickle = new PickleWriter().proto().op('}').string("config")
                .global("mytrainer.config", "TrainConfig").op(')').op('R').op('s').stop().bytes();
        Path file = torchZip(pickle);
        CheckpointFormats trusting = CheckpointFormats.standard(ReadPolicy.standard().trusting(List.of("mytrainer.config.TrainConfig")));

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("--trust-global mytrainer.config.TrainConfig, or spec.checkpoints.trustedGlobals for the sidecar, accepts it");
        try (Checkpoint cp = trusting.open(file)) {
            assertThat(cp.tensors()).isEmpty();
            assertThat(cp.globals()).containsExactly("mytrainer.config.TrainConfig");
        }
    }

    @Test
    void trustingAMalformedNameIsRefused() {
        assertThatThrownBy(() -> ReadPolicy.standard().trusting(List.of("os")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"os\" is not a dotted name");
        assertThatThrownBy(() -> ReadPolicy.standard().trusting(List.of("a..b")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lightningCallbackClassesMayBeKeysButAreNeverCalled() throws IOException {
        byte[] asKey = new PickleWriter().proto().op('}')
                .global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").string("state")
                .op('s').stop().bytes();
        byte[] called = new PickleWriter().proto()
                .global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").string("s3://bucket")
                .op(0x85).op('R').stop().bytes();

        assertThat(unpickle(asKey)).isInstanceOfSatisfying(Map.class, m -> assertThat(m.values()).containsExactly("state"));
        assertThatThrownBy(() -> unpickle(called)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("ModelCheckpoint at offset")
                .hasMessageContaining("may be named as a dict key but not called");
    }

    @Test
    void buildOnAClassIsRefused() {
        byte[] pickle = new PickleWriter().proto().global("argparse", "Namespace")
                .op('}').string("__init__").string("x").op('s').op('b').stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("BUILD on global argparse.Namespace");
    }

    @Test
    void valueGlobalsOfTheSupportedWritersReadAndAreListed() throws IOException {
        // {'hparams': argparse.Namespace(lr=0.1), 'path': pathlib.PosixPath('/x'), 'od': OrderedDict()}
        byte[] pickle = new PickleWriter().proto().op('}')
                .string("hparams").global("argparse", "Namespace").op(')').op('R').op('}').string("lr")
                .raw(new byte[] {'G', 0x3f, (byte) 0xb9, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x9a})
                .op('s').op('b').op('s')
                .string("path").global("pathlib", "PosixPath").string("/x").op(0x85).op('R').op('s')
                .string("od").global("collections", "OrderedDict").op(')').op('R').op('s')
                .stop().bytes();
        Path file = torchZip(pickle);

        try (Checkpoint cp = formats.open(file)) {
            assertThat(cp.globals()).containsExactly("argparse.Namespace", "collections.OrderedDict", "pathlib.PosixPath");
        }
    }

    @Test
    void hugeMemoIndexIsRefused() {
        byte[] pickle = new PickleWriter().proto().op('N').op('r').raw(PickleWriter.le32(-1)).stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("memo index 4294967295 exceeds the");
    }

    @Test
    void memoReadBeforeWriteIsRefused() {
        byte[] pickle = new PickleWriter().proto().op('h').op(7).stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("memo index 7 was never stored");
    }

    @Test
    void deeplyNestedMarksAreRefused() {
        PickleWriter w = new PickleWriter().proto();
        for (int i = 0; i < 100_000; i++) {
            w.op(']').op('(');
        }

        assertThatThrownBy(() -> unpickle(w.bytes())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("more than 1000 nested MARKs");
    }

    @Test
    void deeplyNestedTuplesAreRefused() {
        PickleWriter w = new PickleWriter().proto().op(')');
        for (int i = 0; i < 100_000; i++) {
            w.op(0x85);
        }

        assertThatThrownBy(() -> unpickle(w.stop().bytes())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("nested more than 1000 deep");
    }

    @Test
    void listsNestedThroughTheMemoAreRefusedWhenWalked() throws IOException {
        // [[[[...]]]] 5000 deep, built with APPEND and BINGET so that no MARK limit applies.
        PickleWriter w = new PickleWriter().proto().op(']').op('r').raw(PickleWriter.le32(0));
        for (int i = 0; i < 5000; i++) {
            w.op('j').raw(PickleWriter.le32(i)).op(']').op('r').raw(PickleWriter.le32(i + 1)).op('a').op('0');
        }
        Path file = torchZip(w.stop().bytes());

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("nested more than 1000 deep");
    }

    @Test
    void billionLaughsIsBoundedByTheVisitLimit() throws IOException {
        // Each level is a list of ten references to the previous one: 10^12 paths through 12 small lists.
        PickleWriter w = new PickleWriter().proto().op(']').op('q').op(0);
        for (int level = 1; level <= 12; level++) {
            w.op(']').op('(');
            for (int i = 0; i < 10; i++) {
                w.op('h').op(level - 1);
            }
            w.op('e').op('q').op(level);
        }
        Path file = torchZip(w.stop().bytes());

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pickle bomb");
    }

    @Test
    void hugeKeyPathsAreRefusedBeforeNamingTensors() throws IOException {
        Path file = torchZip(PickleWriter.pickle(Map.of("k".repeat(70_000), java.util.List.of())));

        assertThatThrownBy(() -> formats.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("characters is longer than the 65536 characters limit");
    }

    @Test
    void craftedHashCollisionsAmongDictKeysAreRefused() {
        PickleWriter w = new PickleWriter().proto().op('}').op('(');
        for (String k : collidingStrings(12)) {
            w.string(k).op('N');
        }

        assertThatThrownBy(() -> unpickle(w.op('u').stop().bytes())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("distinct keys share one hash code");
    }

    @Test
    void collidingValuesThatAreNotKeysStillLoad() throws CheckpointException {
        PickleWriter w = new PickleWriter().proto().op(']').op('(');
        for (String k : collidingStrings(14)) {
            w.string(k).op('(').string(k).op('K').op(1).op('t');
        }

        Object v = unpickle(w.op('e').stop().bytes());

        assertThat((java.util.List<?>) v).hasSize(2 * (1 << 14));
    }

    /** 2^n distinct strings with one String.hashCode: "Aa" and "BB" hash alike. */
    private static java.util.List<String> collidingStrings(int n) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int bits = 0; bits < 1 << n; bits++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append((bits >> i & 1) == 0 ? "Aa" : "BB");
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void declaredStringLengthPastTheEndIsRefusedBeforeAllocating() {
        byte[] pickle = new PickleWriter().proto().op('X').raw(PickleWriter.le32(0x7fffffff)).bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("declared length 2147483647 runs past the end");
    }

    @Test
    void hugeLong4IsRefused() {
        byte[] pickle = new PickleWriter().proto().op(0x8b).raw(PickleWriter.le32(1 << 30)).bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("larger than the 1024-byte limit");
    }

    @Test
    void truncatedPickleSaysSo() {
        byte[] full = PickleWriter.pickle(Map.of("key", "value"));
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 4);

        assertThatThrownBy(() -> unpickle(cut)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void stackBombIsRefused() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        b.write('N');
        for (int i = 0; i < 1_100_000; i++) {
            b.write('2');
        }

        assertThatThrownBy(() -> unpickle(b.toByteArray())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("stack deeper than");
    }

    private Object unpickle(byte[] pickle) throws CheckpointException {
        return unpickle(pickle, MemoryBudget.forHeap(1L << 30));
    }

    private Object unpickle(byte[] pickle, MemoryBudget budget) throws CheckpointException {
        return new Unpickler(java.nio.ByteBuffer.wrap(pickle), dir.resolve("test.pkl"), "test pickle", 0,
                dev.landscape.probe.checkpoint.pickle.Reducer.INERT, budget, GlobalAllowlist.STANDARD).load();
    }

    private static Map<String, byte[]> codeRunning() throws IOException {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        try (var in = HostilePickleTest.class.getResourceAsStream("/hostile-pickles/code-running.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                String[] parts = line.trim().split(" ");
                out.put(parts[0], java.util.HexFormat.of().parseHex(parts[1]));
            }
        }
        return out;
    }

    private Path torchZip(byte[] pickle) throws IOException {
        Path file = dir.resolve("hostile.pt");
        Files.write(file, TorchSaveWriter.zip("hostile", pickle, Map.of()));
        return file;
    }

    /** Where data.pkl's bytes start: the first entry, after its 30-byte local header, its name and its extra field. */
    private static long dataPklOffset(Path file) throws IOException {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(Files.readAllBytes(file), 0, 30)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
    }
}
