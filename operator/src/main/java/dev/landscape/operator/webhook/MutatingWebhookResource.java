package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /mutate}: the API server's call on Pod CREATE. Thin on purpose: it takes the raw body, so that even a
 * body Jackson cannot bind is answered by {@link AdmissionHandler} with {@code allowed: true} and a warning rather
 * than a 400 or 500 that the API server would count against the pod.
 *
 * <p>Once the probe informer has synced, an admission is pure CPU work on memory (cache lookup, injection, JSON diff:
 * about 0.15 ms), so it is answered on the Vert.x event loop that read the request: handing it to a worker thread
 * and the answer back would cost two thread wake-ups per admission, which on a small, busy node are most of the
 * latency and of its tail. Before the sync the catalog lists probes from the API server, a blocking call, and the
 * admission runs on a worker thread instead.
 */
@Path("/mutate")
public class MutatingWebhookResource {

    @Inject
    AdmissionHandler handler;
    @Inject
    InformedProbeCatalog catalog;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AdmissionReview> mutate(byte[] body) {
        byte[] review = body == null ? new byte[0] : body;
        if (catalog.synced()) {
            return Uni.createFrom().item(handler.review(review));
        }
        return Uni.createFrom().item(() -> handler.review(review)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
