package dev.landscape.operator.ingest;

import dev.landscape.operator.config.IngestConfig;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Back-pressure: beyond the in-flight limit a sender is told to come back later, before any work is done. */
class ReportResourceOverloadTest {

    record Config(int maxConcurrent) implements IngestConfig {
        public String audience() {
            return DEFAULT_AUDIENCE;
        }

        public int retryAfterSeconds() {
            return 3;
        }
    }

    @Test
    void beyondTheInFlightLimitTheAnswerIs429WithRetryAfter() {
        IngestCounters counters = new IngestCounters();
        ReportResource resource = new ReportResource(null, null, null, null, new Config(0), null, counters);

        Response r = resource.ingest("Bearer x", new ByteArrayInputStream(new byte[0]));

        assertThat(r.getStatus()).isEqualTo(429);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("3");
        assertThat(((Map<?, ?>) r.getEntity()).get("status")).isEqualTo("overloaded");
        assertThat(counters.snapshot()).containsEntry("overloaded", 1L);
    }
}
