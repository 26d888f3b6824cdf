package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.ReadPolicy;
import dev.landscape.probe.curvature.CurvatureTier2Runner;
import dev.landscape.probe.runtime.Sidecar;
import dev.landscape.probe.runtime.SidecarConfig;
import dev.landscape.probe.runtime.Tier2Runner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code watch}: the in-pod mode. Every option can also come from LANDSCAPE_* variables or the webhook's config file.
 * Wiring only: the checkpoint readers and, on a tier-2 rank, the curvature runner are made here and handed to the
 * runtime, which knows tier 2 only as {@link Tier2Runner}.
 */
@Command(name = "watch", description = "Watch a checkpoint folder inside a training pod and report each fresh checkpoint to the operator.")
public final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", description = "Checkpoint folder (LANDSCAPE_DIR).")
    String dir;
    @Option(names = "--report-url", description = "Operator report endpoint (LANDSCAPE_REPORT_URL).")
    String reportUrl;
    @Option(names = "--token-file", description = "Projected service-account token (LANDSCAPE_TOKEN_FILE).")
    String tokenFile;
    @Option(names = "--probe", description = "LandscapeProbe name (LANDSCAPE_PROBE).")
    String probe;
    @Option(names = "--namespace", description = "Namespace (LANDSCAPE_NAMESPACE).")
    String namespace;
    @Option(names = "--pod", description = "This pod's name (LANDSCAPE_POD).")
    String pod;
    @Option(names = "--rank", description = "This pod's rank (LANDSCAPE_RANK).")
    String rank;
    @Option(names = "--spool", description = "Spool folder on a scratch volume (LANDSCAPE_SPOOL).")
    String spool;
    @Option(names = "--quiet-period", description = "How long files must be unchanged (LANDSCAPE_QUIET_PERIOD).")
    String quietPeriod;
    @Option(names = "--poll-interval", description = "Polling interval (LANDSCAPE_POLL_INTERVAL).")
    String pollInterval;
    @Option(names = "--metrics-port", description = "Prometheus port, -1 to disable (LANDSCAPE_METRICS_PORT).")
    String metricsPort;
    @Option(names = "--health-port", description = "Health port, -1 to disable (LANDSCAPE_HEALTH_PORT).")
    String healthPort;
    @Option(names = "--trusted-globals", description = "JSON array of pickle globals to accept beside the allowlist (LANDSCAPE_TRUSTED_GLOBALS).")
    String trustedGlobals;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            Object v = o.getValue();
            if (v != null && o.longestName().startsWith("--")) {
                flags.put(o.longestName().substring(2), v.toString());
            }
        }
        SidecarConfig config;
        try {
            config = SidecarConfig.load(flags, System.getenv());
        } catch (SidecarConfig.InvalidConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.USAGE;
        }
        CheckpointFormats formats = CheckpointFormats.standard(ReadPolicy.standard().trusting(config.trustedGlobals()));
        Tier2Runner tier2 = config.tier2() ? new CurvatureTier2Runner(config, formats) : null;
        Sidecar sidecar = new Sidecar(config, Clock.systemUTC(), formats, tier2);
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "landscape-shutdown"));
        return runUntilStopped(sidecar, spec.commandLine().getErr());
    }

    /**
     * Runs the sidecar until it stops: 0 when asked to (SIGTERM), {@link Main#INTERNAL} and one line when an
     * {@link Error} stopped it, so that the kubelet restarts the container (the checkpoint is in the state file).
     */
    static int runUntilStopped(Sidecar sidecar, PrintWriter err) throws InterruptedException {
        sidecar.start();
        sidecar.awaitStop();
        if (sidecar.fatal() != null) {
            return FailureHandler.reportError(sidecar.fatal(), Main.NAME + " watch", err);
        }
        return 0;
    }
}
