package dev.landscape.probe.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.CheckpointReport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One delivery attempt of one report to the operator, classified so the caller knows whether to move on, retry
 * later or give up on it. The bearer token is read from its file on every attempt: projected service-account
 * tokens are rotated by the kubelet. So is the CA bundle ({@link OperatorTrust}); a failed TLS handshake is its
 * own outcome ({@link Result#TLS_FAILED}, with a {@link TlsFailure} saying why), never "operator unreachable".
 */
public final class ReportSender implements Delivery.Sender {

    /** What became of an attempt. */
    public enum Result { DELIVERED, RETRY, REJECTED, TLS_FAILED }

    /** The outcome, with the server's Retry-After when it gave one, a reason for logs and, for TLS, which failure. */
    public record Outcome(Result result, Optional<Duration> retryAfter, String detail, Optional<TlsFailure> tls) {
        public Outcome(Result result, Optional<Duration> retryAfter, String detail) {
            this(result, retryAfter, detail, Optional.empty());
        }

        static Outcome tlsFailed(TlsFailure failure) {
            return new Outcome(Result.TLS_FAILED, Optional.empty(), failure.message(), Optional.of(failure));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OperatorTrust trust;
    private final URI endpoint;
    private final Path tokenFile;
    private final Duration timeout;

    /**
     * How an injected sidecar delivers: to {@code reportUrl} with the token from {@code tokenFile}, trusting exactly
     * the CAs in {@code caFile} when one is configured (the {@code report-url}, {@code token-file} and
     * {@code ca-file} settings), 5 s to connect and 15 s for an answer.
     */
    public static ReportSender forOperator(URI reportUrl, Path tokenFile, Optional<Path> caFile) {
        return new ReportSender(OperatorTrust.of(caFile, Duration.ofSeconds(5)), reportUrl, tokenFile, Duration.ofSeconds(15));
    }

    public ReportSender(OperatorTrust trust, URI endpoint, Path tokenFile, Duration timeout) {
        this.trust = trust;
        this.endpoint = endpoint;
        this.tokenFile = tokenFile;
        this.timeout = timeout;
    }

    @Override
    public Outcome send(CheckpointReport report) {
        String token;
        try {
            token = Files.readString(tokenFile).strip();
        } catch (IOException e) {
            return new Outcome(Result.RETRY, Optional.empty(), "cannot read token file " + tokenFile + ": " + e.getMessage());
        }
        HttpClient http;
        try {
            http = trust.client();
        } catch (OperatorTrust.Unavailable e) {
            return Outcome.tlsFailed(TlsFailure.caUnavailable(e.getMessage()));
        }
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .header("Idempotency-Key", report.idempotencyKey())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(report)))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            Optional<TlsFailure> tls = TlsFailure.of(e, endpoint.getHost(), trust.source());
            if (tls.isPresent()) {
                return Outcome.tlsFailed(tls.get());
            }
            return new Outcome(Result.RETRY, Optional.empty(), "operator unreachable at " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Result.RETRY, Optional.empty(), "interrupted");
        }
        int code = response.statusCode();
        Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(ReportSender::seconds);
        String detail = code + " " + abbreviate(response.body());
        if (code >= 200 && code < 300) {
            return new Outcome(Result.DELIVERED, Optional.empty(), detail);
        }
        // 404 is not among them: an operator whose route or Service is not ready yet answers it for every report.
        if (code == 400 || code == 403 || code == 413 || code == 422) {
            return new Outcome(Result.REJECTED, Optional.empty(), detail);
        }
        return new Outcome(Result.RETRY, retryAfter, detail);
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String body) {
        String b = body == null ? "" : body.replaceAll("\\s+", " ");
        return b.length() > 300 ? b.substring(0, 300) + "…" : b;
    }
}
