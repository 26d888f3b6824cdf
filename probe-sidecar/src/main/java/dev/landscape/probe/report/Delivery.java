package dev.landscape.probe.report;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drains the spool to the operator, oldest step first, one report at a time: a report is never sent before an
 * older one was acknowledged or refused for good, so the operator sees each rank's history in order. A transient
 * failure (unreachable, 401 while a token rotates, 429, 5xx) stops the round and backs off; nothing is dropped.
 * A TLS failure backs off the same way (a CA rotation reaches the pod within minutes) but is logged as a warning
 * with its cause and counted by reason, because unlike an outage it needs someone to fix the trust.
 * Runs on its own daemon thread so the analysis never waits for the network.
 */
public final class Delivery implements Runnable {

    private static final Logger LOG = Logger.getLogger(Delivery.class.getName());

    private final ReportSpool spool;
    private final ReportSender sender;
    private final Backoff backoff;
    private final Duration idlePoll;
    private final Object wake = new Object();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<String, AtomicLong> tlsFailures = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile String lastError = "";

    public Delivery(ReportSpool spool, ReportSender sender, Backoff backoff, Duration idlePoll) {
        this.spool = spool;
        this.sender = sender;
        this.backoff = backoff;
        this.idlePoll = idlePoll;
    }

    /** Wakes the loop after a new report was spooled. */
    public void nudge() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    public void stop() {
        stopping = true;
        nudge();
    }

    @Override
    public void run() {
        while (!stopping) {
            Duration wait;
            try {
                wait = drainOnce();
            } catch (IOException e) {
                lastError = "spool: " + e.getMessage();
                LOG.log(Level.WARNING, "report spool unreadable: {0}", e.getMessage());
                wait = backoff.next(null);
            }
            sleep(wait);
        }
    }

    /**
     * Sends pending reports in order until the spool is empty or an attempt must be retried.
     *
     * @return how long to wait before the next round
     */
    public Duration drainOnce() throws IOException {
        List<ReportSpool.Entry> pending = spool.pending();
        for (ReportSpool.Entry e : pending) {
            if (stopping) {
                return Duration.ZERO;
            }
            ReportSender.Outcome o = sender.send(e.report());
            switch (o.result()) {
                case DELIVERED -> {
                    spool.delivered(e);
                    delivered.incrementAndGet();
                    backoff.reset();
                }
                case REJECTED -> {
                    spool.rejected(e, o.detail());
                    rejected.incrementAndGet();
                    LOG.log(Level.SEVERE, "operator refused report {0} for good ({1}); kept in the spool''s rejected/ folder",
                            new Object[] {e.report().idempotencyKey(), o.detail()});
                }
                case RETRY -> {
                    retries.incrementAndGet();
                    lastError = o.detail();
                    Duration wait = backoff.next(o.retryAfter().orElse(null));
                    LOG.log(Level.INFO, "report {0} not delivered ({1}); retrying in {2} ms",
                            new Object[] {e.report().idempotencyKey(), o.detail(), wait.toMillis()});
                    return wait;
                }
                case TLS_FAILED -> {
                    o.tls().ifPresent(t -> tlsFailures.computeIfAbsent(t.reason(), r -> new AtomicLong()).incrementAndGet());
                    lastError = o.detail();
                    Duration wait = backoff.next(null);
                    LOG.log(Level.WARNING, "report {0} not delivered: {1}; retrying in {2} ms",
                            new Object[] {e.report().idempotencyKey(), o.detail(), wait.toMillis()});
                    return wait;
                }
                default -> throw new AssertionError(o.result());
            }
        }
        return idlePoll;
    }

    public long delivered() {
        return delivered.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public long retries() {
        return retries.get();
    }

    /** Failed TLS handshakes by {@link TlsFailure#reason()}. */
    public Map<String, Long> tlsFailures() {
        Map<String, Long> out = new TreeMap<>();
        tlsFailures.forEach((reason, n) -> out.put(reason, n.get()));
        return out;
    }

    public String lastError() {
        return lastError;
    }

    private void sleep(Duration d) {
        if (d.isZero() || stopping) {
            return;
        }
        synchronized (wake) {
            try {
                wake.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }
}
