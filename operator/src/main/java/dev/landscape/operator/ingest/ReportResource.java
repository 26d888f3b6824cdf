package dev.landscape.operator.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.ReportValidator;
import dev.landscape.operator.config.IngestConfig;
import dev.landscape.operator.crd.HistorySpec;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.observe.ProbeReportStore;
import dev.landscape.operator.rank.JobSetShapes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code POST /api/v1alpha1/reports}: where sidecars deliver one report per analysed checkpoint. Thin: bound the
 * load (429), bound the size (413), decode and validate (400 with field errors), authenticate the bearer token
 * by TokenReview (401), authorise the token's pod against the probe (403), then store in the rank's ProbeReport
 * (200 accepted or duplicate; 503 when the API server cannot take it, so the sidecar keeps it spooled). Works on
 * every replica: the only state is in the API server.
 */
@Path("/api/v1alpha1/reports")
public class ReportResource {

    private static final Logger LOG = Logger.getLogger(ReportResource.class);

    private final ObjectMapper json;
    private final TokenReviewer reviewer;
    private final ProbeReportStore store;
    private final KubernetesClient client;
    private final IngestConfig config;
    private final Clock clock;
    private final IngestCounters counters;
    private final AtomicReference<Semaphore> permits = new AtomicReference<>();
    /** A JobSet pod's rank, which authorisation checks, may need its JobSet's shape. */
    @Inject
    JobSetShapes jobSets;

    @Inject
    public ReportResource(ObjectMapper json, TokenReviewer reviewer, ProbeReportStore store, KubernetesClient client,
                          IngestConfig config, Clock clock, IngestCounters counters) {
        this.json = json;
        this.reviewer = reviewer;
        this.store = store;
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.counters = counters;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response ingest(@HeaderParam("Authorization") String authorization, InputStream body) {
        Semaphore gate = permits.updateAndGet(s -> s != null ? s : new Semaphore(config.maxConcurrent()));
        if (!gate.tryAcquire()) {
            counters.count("overloaded");
            return answer(429, "overloaded", "too many reports in flight on this replica; retry later").header("Retry-After", config.retryAfterSeconds()).build();
        }
        try {
            Response r = handle(authorization, body);
            counters.count(String.valueOf(r.getEntity() instanceof Map<?, ?> m ? m.get("status") : r.getStatus()));
            return r;
        } finally {
            gate.release();
        }
    }

    private Response handle(String authorization, InputStream body) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
            return answer(401, "unauthenticated", "an Authorization: Bearer <projected service-account token> header is required")
                    .header("WWW-Authenticate", "Bearer").build();
        }
        byte[] bytes;
        try {
            bytes = body.readNBytes(CheckpointReport.MAX_BYTES + 1);
        } catch (IOException e) {
            return answer(400, "invalid", "could not read the request body: " + e.getMessage()).build();
        }
        if (bytes.length > CheckpointReport.MAX_BYTES) {
            return answer(413, "too-large", "reports are limited to " + CheckpointReport.MAX_BYTES
                    + " bytes; sketch layer groups rather than every tensor").build();
        }
        CheckpointReport report;
        try {
            report = json.readValue(bytes, CheckpointReport.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return answer(400, "invalid", "the body is not a report" + where + ": " + e.getOriginalMessage()).build();
        } catch (IOException e) {
            return answer(400, "invalid", "the body is not a report: " + e.getMessage()).build();
        }
        List<ReportValidator.FieldError> errors = ReportValidator.validate(report);
        if (!errors.isEmpty()) {
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("status", "invalid",
                    "message", "the report has " + errors.size() + " invalid field(s)",
                    "errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList())).build();
        }
        try {
            Optional<TokenReviewer.Identity> who = reviewer.review(authorization.substring(7).trim());
            if (who.isEmpty()) {
                return answer(401, "unauthenticated", "the token was not accepted for audience " + config.audience()
                        + " or is not bound to a pod").header("WWW-Authenticate", "Bearer").build();
            }
            LandscapeProbe probe = client.resources(LandscapeProbe.class).inNamespace(report.namespace()).withName(report.probe()).get();
            Pod pod = client.pods().inNamespace(report.namespace()).withName(report.pod()).get();
            Optional<String> refusal = ReportAuthorizer.refuse(who.get(), report, probe, pod, jobSets);
            if (refusal.isPresent()) {
                return answer(403, "forbidden", refusal.get()).build();
            }
            int keep = SchemaDefaults.orDefault(probe.getSpec().getHistory() == null ? null : probe.getSpec().getHistory().getCheckpoints(),
                    HistorySpec.class, "checkpoints");
            Instant now = Instant.now(clock);
            ReportRecorder.Outcome[] outcome = new ReportRecorder.Outcome[1];
            store.update(probe, report.rank(), status -> {
                outcome[0] = ReportRecorder.record(status, report, keep, now);
                return outcome[0] == ReportRecorder.Outcome.ACCEPTED;
            });
            String status = outcome[0] == ReportRecorder.Outcome.ACCEPTED ? "accepted" : "duplicate";
            return Response.ok(Map.of("status", status, "key", report.idempotencyKey()), MediaType.APPLICATION_JSON).build();
        } catch (KubernetesClientException e) {
            LOG.warnf("report %s not stored: API server answered %d %s", report.idempotencyKey(), e.getCode(), e.getMessage());
            return answer(503, "unavailable", "the Kubernetes API server could not store the report right now; keep it and retry")
                    .header("Retry-After", config.retryAfterSeconds()).build();
        }
    }

    private static Response.ResponseBuilder answer(int code, String status, String message) {
        return Response.status(code).type(MediaType.APPLICATION_JSON).entity(Map.of("status", status, "message", message));
    }
}
