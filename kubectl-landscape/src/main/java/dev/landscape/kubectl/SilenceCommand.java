package dev.landscape.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.contract.Durations;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SilenceAnnotations;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * {@code kubectl landscape silence PROBE --for 2h --reason …}: the ad-hoc mute, as the two annotations
 * {@link SilenceAnnotations} names (a JSON merge patch of the probe's metadata, so nothing else is touched and no
 * resourceVersion is needed). {@code --clear} removes them. Planned windows belong in {@code spec.silences}.
 */
@Command(name = "silence", mixinStandardHelpOptions = true,
        description = "Silence a probe's findings for a while: they stay recorded and shown, their Events turn Normal and the alerts stay quiet.")
final class SilenceCommand extends ProbeCommand {

    /** Longer mutes belong in spec.silences, where they are reviewed with the rest of the probe. */
    static final Duration LONGEST = Duration.ofDays(7);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--for", paramLabel = "DURATION", description = "How long, e.g. 30m, 2h, 1h30m (at most 168h).")
    String duration;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown in status, Events and by kubectl landscape status).")
    String reason;

    @Option(names = "--clear", description = "Lift the ad-hoc silence now (spec.silences still apply).")
    boolean clear;

    @Override
    public Integer call() {
        Instant until = clear ? null : until();
        try (ClusterOptions.Cluster c = cluster.connect()) {
            LandscapeProbe current = c.probe(probe);
            Map<String, String> present = current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations();
            var resource = c.client().resources(LandscapeProbe.class).inNamespace(c.namespace()).withName(probe);
            if (!clear) {
                ObjectNode annotations = JSON.createObjectNode();
                annotations.put(SilenceAnnotations.UNTIL, until.toString());
                annotations.put(SilenceAnnotations.REASON, reason.strip());
                ObjectNode patch = JSON.createObjectNode();
                patch.putObject("metadata").set("annotations", annotations);
                c.ask(() -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
            } else if (present.containsKey(SilenceAnnotations.UNTIL) || present.containsKey(SilenceAnnotations.REASON)) {
                // JSON patch "remove" of the keys that are there (a merge patch with nulls would do on a real API
                // server, but the mock server keeps null values)
                ArrayNode ops = JSON.createArrayNode();
                for (String key : new String[] {SilenceAnnotations.UNTIL, SilenceAnnotations.REASON}) {
                    if (present.containsKey(key)) {
                        ops.addObject().put("op", "remove").put("path", "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1"));
                    }
                }
                c.ask(() -> resource.patch(PatchContext.of(PatchType.JSON), ops.toString()));
            }
            PrintWriter out = out();
            String name = c.namespace() + "/" + probe;
            String again = "kubectl landscape silence " + probe + " -n " + c.namespace();
            if (clear) {
                boolean had = present.containsKey(SilenceAnnotations.UNTIL);
                out.println("LandscapeProbe " + name + ": " + (had ? "ad-hoc silence lifted" : "had no ad-hoc silence")
                        + "; silences in spec.silences still apply.");
            } else {
                out.println("LandscapeProbe " + name + " silenced until " + until + " (" + Times.span(Duration.between(
                        now().truncatedTo(ChronoUnit.SECONDS), until)) + "): " + reason.strip());
                out.println("Findings are still recorded and shown (kubectl landscape findings " + probe + " -n " + c.namespace()
                        + "); their Events are Normal and the alerts stay quiet until then.");
                out.println("Lift it early with: " + again + " --clear");
            }
        }
        return 0;
    }

    private Instant until() {
        if (duration == null || reason == null || reason.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "silence needs --for DURATION and --reason TEXT (or --clear to lift a silence)");
        }
        Duration d;
        try {
            d = Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--for \"" + duration + "\" is not a duration: write it like 30m, 2h or 1h30m");
        }
        if (d.isZero() || d.compareTo(LONGEST) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--for " + duration
                    + " is out of range: an ad-hoc silence lasts more than 0 and at most 168h; put longer windows in spec.silences");
        }
        return now().truncatedTo(ChronoUnit.SECONDS).plus(d);
    }
}
