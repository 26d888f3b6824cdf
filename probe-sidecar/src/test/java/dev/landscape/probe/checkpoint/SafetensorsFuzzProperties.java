package dev.landscape.probe.checkpoint;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Untrusted bytes never escape as anything but {@link CheckpointException}: mutations of real safetensors files
 * (the shared fixtures when present, plus one written here) and generated hostile headers.
 */
class SafetensorsFuzzProperties {

    private static final List<byte[]> SEEDS = new ArrayList<>();

    @BeforeContainer
    static void loadSeeds() throws IOException {
        Path dir = Files.createTempDirectory("fuzz-seed");
        Path written = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .add("model.w", DType.F32, new long[] {3, 2}, new double[] {1, -2, Double.NaN, 4, 5, 6})
                .add("optimizer.exp_avg.model.w", DType.BF16, new long[] {3, 2}, new double[] {1, 2, 3, 4, 5, 6})
                .add("model.s", DType.F64, new long[] {}, new double[] {7})
                .metadata("format", "pt")
                .write(written);
        SEEDS.add(Files.readAllBytes(written));
        Files.delete(written);
        Files.delete(dir);
        Path fixtures = fixtures();
        if (fixtures != null) {
            try (Stream<Path> files = Files.walk(fixtures)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList()) {
                    if (Files.size(p) <= 64 << 10) {
                        SEEDS.add(Files.readAllBytes(p));
                    }
                }
            }
        }
    }

    @Property(tries = 400)
    void mutatedRealFilesFailOnlyWithCheckpointException(@ForAll("mutated") byte[] bytes) throws IOException {
        Statistics.collect(HostileInput.assertOnlyCheckpointException(bytes, "m.safetensors"));
    }

    @Property(tries = 300)
    void hostileHeadersFailOnlyWithCheckpointException(@ForAll("hostileHeaders") byte[] bytes) throws IOException {
        Statistics.collect(HostileInput.assertOnlyCheckpointException(bytes, "h.safetensors"));
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seed = Arbitraries.integers().between(0, SEEDS.size() - 1).map(SEEDS::get);
        Arbitrary<List<Mutation>> mutations = mutation().list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(seed, mutations).as((s, ms) -> {
            byte[] b = s.clone();
            for (Mutation m : ms) {
                b = m.apply(b);
            }
            return b;
        });
    }

    private interface Mutation {
        byte[] apply(byte[] in);
    }

    private static Arbitrary<Mutation> mutation() {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Mutation> flip = Combinators.combine(where, Arbitraries.integers().between(0, 7))
                .as((w, bit) -> in -> {
                    if (in.length == 0) {
                        return in;
                    }
                    byte[] out = in.clone();
                    out[index(w, out.length)] ^= (byte) (1 << bit);
                    return out;
                });
        Arbitrary<Mutation> set = Combinators.combine(where, Arbitraries.of((byte) 0, (byte) 0xff, (byte) '"', (byte) '{',
                        (byte) ']', (byte) '-', (byte) '9', (byte) 0x80, (byte) ','))
                .as((w, v) -> in -> {
                    if (in.length == 0) {
                        return in;
                    }
                    byte[] out = in.clone();
                    out[index(w, out.length)] = v;
                    return out;
                });
        Arbitrary<Mutation> truncate = where.map(w -> in -> Arrays.copyOf(in, index(w, in.length + 1)));
        Arbitrary<Mutation> insert = Combinators.combine(where, Arbitraries.bytes().array(byte[].class).ofMaxSize(16))
                .as((w, extra) -> in -> {
                    int at = index(w, in.length + 1);
                    byte[] out = new byte[in.length + extra.length];
                    System.arraycopy(in, 0, out, 0, at);
                    System.arraycopy(extra, 0, out, at, extra.length);
                    System.arraycopy(in, at, out, at + extra.length, in.length - at);
                    return out;
                });
        Arbitrary<Mutation> headerLength = Arbitraries.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 7L, 100L << 20,
                        (100L << 20) + 1, 1L << 32, Integer.MAX_VALUE + 1L)
                .map(len -> in -> {
                    byte[] out = in.length < 8 ? Arrays.copyOf(in, 8) : in.clone();
                    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
                    return out;
                });
        Arbitrary<Mutation> numberInHeader = Combinators.combine(where, Arbitraries.of("-1", "0", "9223372036854775807",
                        "9223372036854775808", "-9223372036854775808", "1e308", "1.5", "\"4\"", "null", "[]", "{}"))
                .as((w, text) -> in -> replaceADigitRun(in, w, text));
        return Arbitraries.oneOf(flip, set, truncate, insert, headerLength, numberInHeader);
    }

    /** Replaces one run of ASCII digits inside the JSON header with {@code text}, keeping the length field right. */
    private static byte[] replaceADigitRun(byte[] in, double where, String text) {
        if (in.length < 8) {
            return in;
        }
        long len = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (len <= 0 || 8 + len > in.length) {
            return in;
        }
        int headerEnd = (int) (8 + len);
        List<int[]> runs = new ArrayList<>();
        for (int i = 8; i < headerEnd; i++) {
            if (Character.isDigit(in[i])) {
                int j = i;
                while (j < headerEnd && Character.isDigit(in[j])) {
                    j++;
                }
                runs.add(new int[] {i, j});
                i = j;
            }
        }
        if (runs.isEmpty()) {
            return in;
        }
        int[] run = runs.get(index(where, runs.size()));
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[in.length - (run[1] - run[0]) + t.length];
        System.arraycopy(in, 0, out, 0, run[0]);
        System.arraycopy(t, 0, out, run[0], t.length);
        System.arraycopy(in, run[1], out, run[0] + t.length, in.length - run[1]);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len - (run[1] - run[0]) + t.length);
        return out;
    }

    @Provide
    Arbitrary<byte[]> hostileHeaders() {
        Arbitrary<String> dims = Arbitraries.of("0", "1", "3", "-1", "-9223372036854775808", "9223372036854775807",
                "4294967296", "3037000500", "99999999999999999999", "1.0", "\"2\"", "null", "true");
        Arbitrary<String> shape = dims.list().ofMaxSize(5).map(ds -> "[" + String.join(",", ds) + "]");
        Arbitrary<String> offset = Arbitraries.of("0", "4", "8", "16", "24", "-8", "9223372036854775807",
                "-9223372036854775808", "18446744073709551616", "1e3", "\"0\"");
        Arbitrary<String> offsets = offset.list().ofMinSize(0).ofMaxSize(3).map(os -> "[" + String.join(",", os) + "]");
        Arbitrary<String> dtype = Arbitraries.of("\"F32\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"U8\"", "\"F8_E4M3\"",
                "\"bf16\"", "\"Q4\"", "\"\"", "7", "null");
        Arbitrary<String> name = Arbitraries.of("\"w\"", "\"optimizer.exp_avg.w\"", "\"__metadata__\"", "\"\"", "\"w\"",
                "\"\\u0000\"", "\"optimizer.\"");
        Arbitrary<String> entry = Combinators.combine(name, dtype, shape, offsets).as((n, d, s, o) ->
                n + ":{\"dtype\":" + d + ",\"shape\":" + s + ",\"data_offsets\":" + o + "}");
        Arbitrary<String> wellFormed = entry.list().ofMaxSize(4).map(es -> "{" + String.join(",", es) + "}");
        Arbitrary<String> broken = Arbitraries.of(
                "", "{", "}", "[]", "null", "\"x\"", "{\"w\":", "{\"w\":{\"dtype\":\"F32\"", "{\"w\":[1,2]}",
                "{\"__metadata__\":[1,{\"a\":2}]}", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}garbage",
                "{" + "\"a\":{".repeat(3000) + "}".repeat(3000) + "}", "[".repeat(5000),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1" + "0".repeat(2000) + "],\"data_offsets\":[0,4]}}",
                "\uFEFF{}", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"data_offsets\":[4,8]}}");
        Arbitrary<String> json = Arbitraries.oneOf(wellFormed, broken);
        Arbitrary<Long> declaredLength = Arbitraries.of(-1L, 0L, 1L, 100L << 20, Long.MAX_VALUE);
        Arbitrary<Boolean> lie = Arbitraries.integers().between(0, 4).map(i -> i == 0);
        Arbitrary<Integer> dataBytes = Arbitraries.of(0, 3, 4, 8, 16, 24, 64);
        return Combinators.combine(json, lie, declaredLength, dataBytes).as((j, lies, declared, data) -> {
            byte[] h = j.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(lies ? declared : h.length).put(h);
            for (int i = 0; i < data; i++) {
                b.put((byte) (i * 37));
            }
            return b.array();
        });
    }

    private static int index(double where, int size) {
        return Math.min(size - 1, (int) (where * size));
    }

    private static Path fixtures() {
        for (String candidate : new String[] {System.getProperty("landscape.fixtures", ""), "../shared/fixtures", "../../shared/fixtures"}) {
            if (!candidate.isBlank() && Files.isDirectory(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }
}
