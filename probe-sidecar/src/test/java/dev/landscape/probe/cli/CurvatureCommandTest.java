package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.curvature.HostTensor;
import dev.landscape.probe.curvature.TestBatchFiles;
import dev.landscape.probe.curvature.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CurvatureCommandTest {

    private static final int N = 24;
    private static final int IN = 4;
    private static final int HID = 6;
    private static final int OUT = 3;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CurvatureCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void writeFiles(Path dir, boolean withAdam, double shift) throws IOException {
        Files.write(dir.resolve("model.onnx"), TestModels.pytorchStyleMlp(N, IN, HID, OUT).toByteArray());
        Random rng = new Random(5);
        double[] x = new double[N * IN];
        double[] y = new double[N];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int i = 0; i < N; i++) y[i] = rng.nextInt(OUT);
        new TestBatchFiles().add("x", HostTensor.of(new long[] {N, IN}, x))
                .add("target", HostTensor.ofIntegers(new long[] {N}, y)).write(dir.resolve("batch.safetensors"));
        SafetensorsWriter w = new SafetensorsWriter();
        Random wr = new Random(7);
        long[][] shapes = {{HID, IN}, {HID}, {OUT, HID}, {OUT}};
        String[] names = {"model.fc1.weight", "model.fc1.bias", "model.fc2.weight", "model.fc2.bias"};
        for (int k = 0; k < 4; k++) {
            int n = (int) HostTensor.numel(shapes[k]);
            double[] v = new double[n];
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 0.5 * wr.nextGaussian() + shift;
                s[i] = 1e-4 * (1 + wr.nextDouble());
            }
            w.add(names[k], DType.F32, shapes[k], v);
            if (withAdam) {
                w.add("optimizer.exp_avg_sq." + names[k], DType.F32, shapes[k], s);
            }
        }
        w.write(dir.resolve(shift == 0 ? "checkpoint.safetensors" : "previous.safetensors"));
    }

    /** Runs with the process's real System.out captured, as `java -jar ... --json > out.json` would see it. */
    private static Run runCapturingStdout(String... args) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        try {
            System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(new CurvatureCommand());
            cl.setErr(new PrintWriter(err));
            code = cl.execute(args);
        } finally {
            System.setOut(saved);
        }
        return new Run(code, captured.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void jsonHasTheContractFieldsAndNothingElseOnStdout(@TempDir Path dir) throws IOException {
        writeFiles(dir, true, 0);

        Run r = runCapturingStdout("--model", dir.resolve("model.onnx").toString(), "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("checkpoint.safetensors").toString(), "--loss", "cross-entropy",
                "--top-k", "2", "--trace", "--trace-probes", "10", "--lr", "0.01", "--optimizer", "adam", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("loss").asDouble()).isPositive();
        assertThat(j.get("gradNorm").asDouble()).isPositive();
        assertThat(j.get("eigenvalues")).hasSize(2);
        assertThat(j.get("eigenvalues").get(0).asDouble()).isGreaterThanOrEqualTo(j.get("eigenvalues").get(1).asDouble());
        assertThat(j.get("trace").get("ci95")).hasSize(2);
        assertThat(j.get("hvpCount").asInt()).isGreaterThan(10);
        assertThat(j.get("preconditionedSharpness").asDouble()).isPositive();
        assertThat(j.get("edgeOfStability").get("rule").asText()).isEqualTo("adam");
        assertThat(j.get("edgeOfStability").get("threshold").asDouble()).isCloseTo(3800, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.out()).doesNotContain("Added differentiated op");
        int n = j.get("parameters").asInt();
        assertThat(j.get("modelParameters").asInt()).isEqualTo(n);
        dev.landscape.contract.Tier2Memory pod = dev.landscape.contract.Tier2Memory.of(n, n, 2, 4);
        assertThat(j.get("memory").get("pod").get("heapMiB").asLong()).isEqualTo(pod.heapMiB());
        assertThat(j.get("memory").get("pod").get("memoryLimitMiB").asLong()).isEqualTo(pod.limitMiB());
    }

    @Test
    void aParameterSubsetAndPerLayerSharpnessReachTheJson(@TempDir Path dir) throws IOException {
        writeFiles(dir, false, 0);

        Run r = runCapturingStdout("--model", dir.resolve("model.onnx").toString(), "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("checkpoint.safetensors").toString(), "--loss", "cross-entropy",
                "--top-k", "1", "--parameters", "fc2.*", "--per-block", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("parameters").asInt()).isLessThan(j.get("modelParameters").asInt());
        assertThat(j.get("memory").get("pod").get("subsetParameters").asInt()).isEqualTo(j.get("parameters").asInt());
        assertThat(j.get("blocks")).hasSize(1);
        assertThat(j.get("blocks").get(0).get("name").asText()).isEqualTo("fc2");
        assertThat(j.get("blocks").get(0).get("parameters").asInt()).isEqualTo(j.get("parameters").asInt());
        // the only layer analysed is the whole subset: its block is the subset's Hessian
        assertThat(j.get("blocks").get(0).get("lambdaMax").asDouble())
                .isCloseTo(j.get("eigenvalues").get(0).asDouble(), org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(j.get("notes").toString()).contains("curvature over the");
    }

    @Test
    void writesTheLineAndSliceImages(@TempDir Path dir) throws IOException {
        writeFiles(dir, false, 0);
        writeFiles(dir, false, 0.3);

        Run r = run("--model", dir.resolve("model.onnx").toString(), "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("checkpoint.safetensors").toString(), "--top-k", "1",
                "--previous", dir.resolve("previous.safetensors").toString(), "--slice", "--grid", "9",
                "--plot-dir", dir.resolve("plots").toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lambda_1", "loss-line.png", "loss-slice.png");
        assertThat(Files.size(dir.resolve("plots/loss-line.png"))).isGreaterThan(5000);
        assertThat(Files.size(dir.resolve("plots/loss-slice.png"))).isGreaterThan(5000);
    }

    @Test
    void mismatchedCheckpointIsReportedWithNamesAndShapes(@TempDir Path dir) throws IOException {
        writeFiles(dir, false, 0);
        new SafetensorsWriter().add("model.fc1.weight", DType.F32, new long[] {HID, IN + 1}, new double[HID * (IN + 1)])
                .add("fc1.bias", DType.F32, new long[] {HID}, new double[HID])
                .write(dir.resolve("bad.safetensors"));

        Run r = run("--model", dir.resolve("model.onnx").toString(), "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("bad.safetensors").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("shape mismatch: fc1.weight expects [6, 4], checkpoint tensor model.fc1.weight has [6, 5]")
                .contains("missing: fc2.weight [3, 6]").contains("missing: fc2.bias [3]");
    }

    @Test
    void nonFiniteLossIsAnErrorNotAnEigenvalue(@TempDir Path dir) throws IOException {
        writeFiles(dir, false, 0);
        double[] nan = new double[HID * IN];
        nan[3] = Double.NaN;
        new SafetensorsWriter().add("fc1.weight", DType.F32, new long[] {HID, IN}, nan)
                .add("fc1.bias", DType.F32, new long[] {HID}, new double[HID])
                .add("fc2.weight", DType.F32, new long[] {OUT, HID}, new double[OUT * HID])
                .add("fc2.bias", DType.F32, new long[] {OUT}, new double[OUT])
                .write(dir.resolve("nan.safetensors"));

        Run r = run("--model", dir.resolve("model.onnx").toString(), "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("nan.safetensors").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("loss NaN").contains("nan.safetensors").contains("not finite");
    }
}
