package dev.landscape.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.rank.JobSetShapes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns an {@code admission.k8s.io/v1} AdmissionReview into its answer. Every path answers {@code allowed: true}:
 * the webhook may decline to inject, but it must never be the reason a training pod is not created, so malformed
 * or unexpected requests get a warning that says what was wrong instead of an error.
 *
 * <p>The patch is the RFC 6902 diff between the pod as decoded and the injected clone. Both sides go through the
 * same Fabric8 model, so fields the model drops (nulls such as {@code creationTimestamp: null}, empty lists) never
 * show up as spurious removals; the remaining operations are additions under paths the original also has.
 */
public final class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final EnumSet<DiffFlags> ADD_REMOVE_REPLACE_ONLY =
            EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);
    static final String WARNING_PREFIX = "landscape-probe webhook: ";
    static final String WARM_UP = "/webhook/warm-up.json";

    private final ProbeCatalog catalog;
    private final Supplier<InjectionSettings> settings;
    private final Function<Boolean, ProbeEvents> eventsForDryRun;
    private final String operatorNamespace;
    private final JobSetShapes jobSets;

    /**
     * @param eventsForDryRun the Event sink for a request, given its {@code dryRun} flag (dry runs get
     *                        {@link ProbeEvents#NONE}: no side effects, as {@code sideEffects: NoneOnDryRun} promises)
     * @param jobSets         the shapes of JobSets, which a JobSet pod's rank needs
     */
    public AdmissionHandler(ProbeCatalog catalog, Supplier<InjectionSettings> settings,
                            Function<Boolean, ProbeEvents> eventsForDryRun, String operatorNamespace, JobSetShapes jobSets) {
        this.catalog = catalog;
        this.settings = settings;
        this.eventsForDryRun = eventsForDryRun;
        this.operatorNamespace = operatorNamespace;
        this.jobSets = jobSets;
    }

    public AdmissionReview review(byte[] body) {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            return allow("", "request body is not valid JSON" + where + " (" + firstLine(e.getOriginalMessage())
                    + "); pod admitted without a sidecar");
        } catch (IOException e) {
            return allow("", "cannot read the request body (" + firstLine(e.getMessage()) + "); pod admitted without a sidecar");
        }
        if (review == null || !review.isObject()) {
            return allow("", "request body is not a JSON object; pod admitted without a sidecar");
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            return allow("", "AdmissionReview has no \"request\" object; pod admitted without a sidecar");
        }
        String uid = request.path("uid").asText("");
        try {
            return review(uid, request);
        } catch (RuntimeException e) {
            // Last line of defence: a bug here must cost a sidecar, never a pod.
            LOG.errorf(e, "admission %s failed; admitting without a sidecar", uid);
            return allow(uid, "internal error while injecting (" + e.getClass().getSimpleName() + ": "
                    + firstLine(String.valueOf(e.getMessage())) + "); pod admitted without a sidecar");
        }
    }

    private AdmissionReview review(String uid, JsonNode request) {
        JsonNode kind = request.path("kind");
        if (!"Pod".equals(kind.path("kind").asText()) || !kind.path("group").asText("").isEmpty()) {
            return allow(uid, "request.kind is " + describe(kind) + ", not core/v1 Pod; nothing to inject");
        }
        String operation = request.path("operation").asText("");
        if (!"CREATE".equals(operation)) {
            return allow(uid, "request.operation is \"" + operation + "\", not CREATE; nothing to inject");
        }
        JsonNode object = request.get("object");
        if (object == null || !object.isObject()) {
            return allow(uid, "request.object is missing or not a JSON object; pod admitted without a sidecar");
        }
        Pod pod;
        try {
            pod = JSON.treeToValue(object, Pod.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return allow(uid, "request.object is not a valid Pod (" + firstLine(e.getMessage()) + "); pod admitted without a sidecar");
        }
        if (pod.getMetadata() == null || pod.getSpec() == null) {
            return allow(uid, "request.object has no metadata or spec; pod admitted without a sidecar");
        }
        String namespace = request.path("namespace").asText(pod.getMetadata().getNamespace());
        if (SkipRules.leaveAlone(pod, namespace, operatorNamespace).isPresent()) {
            return allow(uid, null);
        }
        Optional<ProbeElection> election = ProbeElection.among(catalog.probesIn(namespace), pod.getMetadata().getLabels());
        if (election.isEmpty()) {
            return allow(uid, null);
        }
        ProbeEvents events = eventsForDryRun.apply(request.path("dryRun").asBoolean(false));
        LandscapeProbe winner = election.get().winner();
        for (LandscapeProbe loser : election.get().losers()) {
            events.warning(loser, "ProbeConflict", "Probe " + loser.getMetadata().getName() + " also selects pod "
                    + SidecarInjector.podName(pod) + ", but probe " + winner.getMetadata().getName()
                    + " is older (or sorts first by name) and injected its sidecar; a pod gets one sidecar."
                    + " Narrow one of the selectors.");
        }
        InjectionResult result = SidecarInjector.inject(pod, () -> decodeAgain(object), namespace, winner, settings.get(), jobSets);
        if (result instanceof InjectionResult.Skipped skipped) {
            events.warning(winner, "InjectionSkipped", skipped.reason());
            return allow(uid, skipped.reason());
        }
        InjectionResult.Injected injected = (InjectionResult.Injected) result;
        injected.notes().forEach(note -> events.warning(winner, note.reason(), note.message()));
        JsonNode patch = JsonDiff.asJson(JSON.valueToTree(pod), JSON.valueToTree(injected.pod()), ADD_REMOVE_REPLACE_ONLY);
        AdmissionReview answer = allow(uid, null);
        if (!patch.isEmpty()) {
            answer.getResponse().setPatchType("JSONPatch");
            answer.getResponse().setPatch(Base64.getEncoder().encodeToString(utf8(patch)));
        }
        if (!injected.notes().isEmpty()) {
            answer.getResponse().setWarnings(injected.notes().stream().map(n -> WARNING_PREFIX + n.message()).toList());
        }
        return answer;
    }

    /**
     * Admits a synthetic pod (bundled {@value #WARM_UP}) with a synthetic probe, as a dry run and without touching the
     * catalog, so that Jackson's (de)serialisers for the Pod model are built and the injector's classes are loaded
     * before the first real pod arrives. Cold, that first admission takes seconds on a small, busy node: a risk to
     * the API server's 5 s timeout, and, since admissions run on the event loop, a stall for the requests behind it.
     *
     * @return whether the synthetic pod was patched (false means the warm-up exercised less than the full path)
     */
    public boolean warmUp() {
        long began = System.nanoTime();
        try (InputStream in = AdmissionHandler.class.getResourceAsStream(WARM_UP)) {
            if (in == null) {
                throw new IOException("resource missing");
            }
            JsonNode warmUp = JSON.readTree(in);
            LandscapeProbe probe = JSON.treeToValue(warmUp.get("probe"), LandscapeProbe.class);
            AdmissionHandler synthetic = new AdmissionHandler(namespace -> List.of(probe), settings,
                    dryRun -> ProbeEvents.NONE, operatorNamespace, JobSetShapes.NONE);
            AdmissionReview answer = synthetic.review(JSON.writeValueAsBytes(warmUp.get("review")));
            boolean patched = answer.getResponse().getPatch() != null;
            LOG.infof("admission path warmed up in %d ms (synthetic pod %s)", (System.nanoTime() - began) / 1_000_000,
                    patched ? "injected" : "NOT injected: " + answer.getResponse().getWarnings());
            return patched;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("admission warm-up with %s failed (%s); the first admissions will be slower", WARM_UP, e.getMessage());
            return false;
        }
    }

    /** The request's pod decoded once more: the injector's copy to mutate (the first decode succeeded already). */
    private static Pod decodeAgain(JsonNode object) {
        try {
            return JSON.treeToValue(object, Pod.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("request.object decoded once but not twice", e);
        }
    }

    private static byte[] utf8(JsonNode patch) {
        try {
            return JSON.writeValueAsBytes(patch);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON patch", e);
        }
    }

    static AdmissionReview allow(String uid, String warning) {
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(uid);
        response.setAllowed(true);
        if (warning != null) {
            List<String> warnings = new ArrayList<>();
            warnings.add(WARNING_PREFIX + warning);
            response.setWarnings(warnings);
        }
        AdmissionReview review = new AdmissionReview();
        review.setApiVersion("admission.k8s.io/v1");
        review.setKind("AdmissionReview");
        review.setResponse(response);
        return review;
    }

    private static String describe(JsonNode kind) {
        if (kind.isMissingNode() || kind.isNull()) {
            return "missing";
        }
        String group = kind.path("group").asText("");
        return (group.isEmpty() ? "core" : group) + "/" + kind.path("version").asText("?") + " " + kind.path("kind").asText("?");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
