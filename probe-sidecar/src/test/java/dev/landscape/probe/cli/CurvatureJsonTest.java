package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.curvature.ClassLosses;
import dev.landscape.probe.curvature.CurvatureReport;
import dev.landscape.probe.curvature.EdgeOfStability;
import dev.landscape.probe.curvature.linalg.HutchinsonTrace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CurvatureJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CurvatureReport full() {
        return new CurvatureReport(40, 0.5, 1.25, new double[] {3, 2}, new double[] {1e-6, 2e-6}, true,
                new HutchinsonTrace.Estimate(7, 0.5, 10, 0.25, false), 33, 1e-3, 4.5, EdgeOfStability.sgd(3, 0.5),
                new CurvatureReport.Line(new double[] {-1, 0, 1}, new double[] {0.7, 0.5, 0.8}, Path.of("line.png")),
                new CurvatureReport.Slice(new double[] {-1, 1}, new double[][] {{1, 2}, {3, 4}}, null),
                List.of("a note"), 1.5, new ClassLosses(8, Map.of(0, 0.25, 1, 0.75), 1, 0.9, ""), 50,
                List.of(new CurvatureReport.BlockSharpness("fc1", 30, 2.5, 1e-7, true, 12)), 40);
    }

    @Test
    void everyPartAppearsInTheDocumentedOrder() throws Exception {
        CurvatureJson doc = CurvatureJson.of(full()).withMemory(new ProcessMemory(300L << 20, 100L << 20),
                Tier2Memory.of(50, 40, 2, Tier2Memory.FLOAT_BYTES), 40);

        assertThat(JSON.writeValueAsString(doc)).isEqualTo("""
                {"parameters":40,"modelParameters":50,"loss":0.5,"gradNorm":1.25,"eigenvalues":[3.0,2.0],\
                "eigenvalueResiduals":[1.0E-6,2.0E-6],"converged":true,\
                "classLoss":{"examples":8,"classes":{"0":0.25,"1":0.75},"worstClass":1,"worstClassLoss":0.75,"p95":0.9},\
                "trace":{"mean":7.0,"sd":0.5,"probes":10,"halfWidth":0.25,"ci95":[6.75,7.25],"exact":false},\
                "hvpCount":33,"hvpStep":0.001,"preconditionedSharpness":4.5,\
                "edgeOfStability":{"rule":"sgd","sharpness":3.0,"threshold":4.0,"ratio":0.75},\
                "line":{"alphas":[-1.0,0.0,1.0],"losses":[0.7,0.5,0.8],"image":"line.png"},\
                "slice":{"coordinates":[-1.0,1.0],"losses":[[1.0,2.0],[3.0,4.0]]},\
                "blocks":[{"name":"fc1","parameters":30,"lambdaMax":2.5,"residual":1.0E-7,"converged":true,"hvpCount":12}],\
                "notes":["a note"],"seconds":1.5,\
                "memory":{"residentPeakMiB":300,"heapPeakMiB":100,"pod":{"modelParameters":50,"subsetParameters":40,\
                "heapMiB":%d,"memoryLimitMiB":%d,"fits":%b}}}""".formatted(
                Tier2Memory.of(50, 40, 2, Tier2Memory.FLOAT_BYTES).heapMiB(),
                Tier2Memory.of(50, 40, 2, Tier2Memory.FLOAT_BYTES).limitMiB(),
                (300L << 20) <= Tier2Memory.of(50, 40, 2, Tier2Memory.FLOAT_BYTES).limitBytes()));
    }

    @Test
    void optionalPartsAreAbsentNotNull() throws Exception {
        CurvatureReport r = new CurvatureReport(4, 0.5, 1, new double[] {3}, new double[] {0}, false, null, 5, 1e-3,
                null, null, null, null, List.of(), 0.1, new ClassLosses(0, Map.of(), -1, Double.NaN, "no target"), 4, List.of(), 4);

        String json = JSON.writeValueAsString(CurvatureJson.of(r).withMemory(new ProcessMemory(-1, 1L << 20),
                Tier2Memory.of(4, 4, 1, Tier2Memory.FLOAT_BYTES), 4));

        assertThat(JSON.readTree(json).fieldNames()).toIterable().containsExactly("parameters", "modelParameters",
                "loss", "gradNorm", "eigenvalues", "eigenvalueResiduals", "converged", "hvpCount", "hvpStep", "notes",
                "seconds", "memory");
        assertThat(JSON.readTree(json).at("/memory").fieldNames()).toIterable().containsExactly("heapPeakMiB", "pod");
        assertThat(JSON.readTree(json).at("/memory/pod").has("subsetParameters")).isFalse();
        assertThat(JSON.readTree(json).at("/memory/pod/fits").asBoolean()).isTrue();
    }
}
