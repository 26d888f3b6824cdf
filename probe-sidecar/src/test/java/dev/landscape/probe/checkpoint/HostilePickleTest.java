package dev.landscape.probe.checkpoint;

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
                .hasMessageContaining("os.system")
                .hasMessageContaining("pickle byte 2")
                .satisfies(e -> assertThat(((CheckpointException) e).offset()).isEqualTo(dataPkl + 2));
        assertThat(marker).doesNotExist();
    }

    @ParameterizedTest
    @CsvSource({
            "posix, system", "nt, system", "subprocess, Popen", "builtins, eval", "__builtin__, exec",
            "builtins, getattr", "sys, modules", "importlib, import_module", "socket, socket", "shutil, rmtree",
            "pickle, loads", "runpy, run_path", "code, InteractiveInterpreter", "ctypes, CDLL",
            "webbrowser, open", "pty, spawn", "commands, getoutput", "marshal, loads", "types, FunctionType",
            "io, open", "tempfile, mkstemp", "multiprocessing, Process", "asyncio, create_subprocess_shell",
            "functools, partial", "operator, attrgetter", "numpy.testing._private.utils, runstring",
            "torch.hub, load", "torch, load", "os.path, join"})
    void dangerousGlobalsRejectTheWholeFile(String module, String name) throws IOException {
        byte[] pickle = new PickleWriter().proto().op('}').string("w").global(module, name).op('s').stop().bytes();
        Path file = torchZip(pickle);

        assertThatThrownBy(() -> formats.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("refusing global " + module + "." + name)
                .hasMessageContaining("at offset " + (dataPklOffset(file) + 9));
    }

    @Test
    void stackGlobalIsCheckedLikeGlobal() throws IOException {
        byte[] pickle = new PickleWriter().op(0x80).op(4).op(0x8c).op(8).raw("builtins".getBytes())
                .op(0x8c).op(4).raw("eval".getBytes()).op(0x93).op('N').op(0x85).op('R').stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("builtins.eval").hasMessageContaining("pickle byte 18");
    }

    @Test
    void unknownGlobalsStayInertAndHashable() throws IOException {
        byte[] pickle = new PickleWriter().proto().op('}')
                .global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").string("inert")
                .op('s').stop().bytes();

        Object v = unpickle(pickle);

        assertThat(v).isInstanceOfSatisfying(Map.class, m -> assertThat(m.values()).containsExactly("inert"));
    }

    @Test
    void hugeMemoIndexIsRefused() {
        byte[] pickle = new PickleWriter().proto().op('N').op('r').raw(PickleWriter.le32(-1)).stop().bytes();

        assertThatThrownBy(() -> unpickle(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("memo index 4294967295 exceeds the limit");
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
                .hasMessageContaining("key path longer than 65536 characters");
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
        return new Unpickler(java.nio.ByteBuffer.wrap(pickle), dir.resolve("test.pkl"), "test pickle", 0,
                dev.landscape.probe.checkpoint.pickle.Reducer.INERT).load();
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
