package dev.landscape.probe.report;

import dev.landscape.contract.CheckpointReport;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drains the spool to the operator, oldest step first, one report at a time: a report is never sent before an
 * older one was acknowledged or set aside, so the operator sees each rank's history in order. A transient failure
 * (unreachable, 401 while a token rotates, 404 while the operator's route is not ready, 429, 5xx) stops the round
 * and backs off; nothing is dropped for it. A TLS failure backs off the same way (a CA rotation reaches the pod
 * within minutes) but is logged as a warning with its cause and counted by reason, because unlike an outage it
 * needs someone to fix the trust. Runs on its own daemon thread so the analysis never waits for the network.
 *
 * <p>One report that keeps failing must not hold back every later one. After {@link Limits#attempts()} failed
 * attempts, or {@link Limits#age()} since its first failure, a report is a suspect. It is sent once more between two
 * re-sends of the last report the operator accepted (answered "duplicate", nothing changes): unless the operator
 * answers both while the suspect fails, it is an outage beginning or ending, and the round backs off. Otherwise
 * the round sends the next report to tell a bad report from an operator that cannot store any: if the operator
 * takes the next one, the suspect is moved to the spool's {@code dead-letter/} folder (logged, counted in
 * {@code landscape_reports_dead_lettered_total}) and delivery goes on in step order; if the next one fails too,
 * nobody is blamed and the round backs off. An outage of any length therefore dead-letters nothing (before this
 * process delivered its first report there is nothing to re-send, and the next report alone judges), and neither
 * does a TLS failure, which is never one report's fault. A suspect with no report after it waits for the next
 * checkpoint's.
 */
public final class Delivery implements Runnable {

    /** When a failing report becomes a suspect: after this many failed attempts, or this long after the first. */
    public record Limits(int attempts, Duration age) {
        public static final Limits DEFAULT = new Limits(8, Duration.ofMinutes(15));

        boolean exceeded(ReportSpool.Attempts a, Instant now) {
            return a.count() >= attempts || Duration.between(a.first(), now).compareTo(age) >= 0;
        }
    }

    /** One delivery attempt of one report ({@link ReportSender} in production). */
    @FunctionalInterface
    public interface Sender {
        ReportSender.Outcome send(CheckpointReport report);
    }

    private static final Logger LOG = Logger.getLogger(Delivery.class.getName());

    private final ReportSpool spool;
    private final Sender sender;
    private final Backoff backoff;
    private final Duration idlePoll;
    private final Limits limits;
    private final Clock clock;
    private final Object wake = new Object();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Map<String, AtomicLong> tlsFailures = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile String lastError = "";
    private CheckpointReport lastDelivered;

    public Delivery(ReportSpool spool, Sender sender, Backoff backoff, Duration idlePoll, Limits limits, Clock clock) {
        this.spool = spool;
        this.sender = sender;
        this.backoff = backoff;
        this.idlePoll = idlePoll;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * The injected sidecar's delivery: backoff from 1 s doubling to 2 min with full jitter, a look at the spool every
     * 30 s when nothing nudges it, {@link Limits#DEFAULT}.
     */
    public static Delivery forSidecar(ReportSpool spool, Sender sender, Clock clock) {
        return new Delivery(spool, sender, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2), new Random()),
                Duration.ofSeconds(30), Limits.DEFAULT, clock);
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
        List<ReportSpool.Entry> suspects = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            if (stopping) {
                return Duration.ZERO;
            }
            ReportSpool.Entry e = pending.get(i);
            ReportSender.Outcome o = sender.send(e.report());
            switch (o.result()) {
                case DELIVERED -> {
                    delivered(e);
                    deadLetter(suspects, e);
                }
                case REJECTED -> {
                    spool.rejected(e, o.detail());
                    rejected.incrementAndGet();
                    LOG.log(Level.SEVERE, "operator refused report {0} for good ({1}); kept in the spool''s rejected/ folder",
                            new Object[] {e.report().idempotencyKey(), o.detail()});
                    deadLetter(suspects, e);
                }
                case RETRY -> {
                    retries.incrementAndGet();
                    lastError = o.detail();
                    if (!suspects.isEmpty()) {
                        // The report after the suspect failed as well: the operator is down, not the report bad.
                        return retryIn(e, o);
                    }
                    ReportSpool.Attempts a = spool.failedAttempt(e, clock.instant());
                    if (limits.exceeded(a, clock.instant()) && i + 1 < pending.size()) {
                        Verdict v = lastDelivered == null ? Verdict.SUSPECT : bracket(e);
                        if (v == Verdict.DOWN) {
                            return retryIn(e, o);
                        }
                        if (v == Verdict.SUSPECT) {
                            suspects.add(e);
                            LOG.log(Level.WARNING, "report {0} failed {1} times since {2} ({3}); trying the next report to"
                                    + " tell a bad report from an unreachable operator",
                                    new Object[] {e.report().idempotencyKey(), a.count(), a.first(), lastError});
                        }
                        continue;
                    }
                    return retryIn(e, o);
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

    private void delivered(ReportSpool.Entry e) throws IOException {
        spool.delivered(e);
        delivered.incrementAndGet();
        backoff.reset();
        lastDelivered = e.report();
    }

    /** What {@link #bracket} found. */
    private enum Verdict { DELIVERED, SUSPECT, DOWN }

    /**
     * Sends a {@code suspect} again between two re-sends of the last report the operator accepted (it answers
     * "duplicate" and changes nothing). Only if the operator answers both while the suspect fails is the suspect
     * handed to the next report to judge: a suspect that failed because an outage was just beginning or ending
     * is not blamed, which the next report alone cannot tell when it goes through a moment after the outage ends.
     *
     * @return DELIVERED when the suspect went through now (or was refused for good), DOWN when the operator did not
     *         answer around it
     */
    private Verdict bracket(ReportSpool.Entry suspect) throws IOException {
        if (!answersLastDelivered()) {
            return Verdict.DOWN;
        }
        ReportSender.Outcome o = sender.send(suspect.report());
        switch (o.result()) {
            case DELIVERED -> {
                delivered(suspect);
                return Verdict.DELIVERED;
            }
            case REJECTED -> {
                spool.rejected(suspect, o.detail());
                rejected.incrementAndGet();
                LOG.log(Level.SEVERE, "operator refused report {0} for good ({1}); kept in the spool''s rejected/ folder",
                        new Object[] {suspect.report().idempotencyKey(), o.detail()});
                return Verdict.DELIVERED;
            }
            case RETRY -> {
                retries.incrementAndGet();
                lastError = o.detail();
                spool.failedAttempt(suspect, clock.instant());
                return answersLastDelivered() ? Verdict.SUSPECT : Verdict.DOWN;
            }
            default -> {
                return Verdict.DOWN; // a TLS failure is never one report's fault
            }
        }
    }

    /** Whether the operator answers a re-send of the last report it accepted (it deduplicates: nothing changes). */
    private boolean answersLastDelivered() {
        return sender.send(lastDelivered).result() == ReportSender.Result.DELIVERED;
    }

    private void deadLetter(ReportSpool.Entry s, String why) throws IOException {
        spool.deadLettered(s, why);
        deadLettered.incrementAndGet();
        LOG.log(Level.SEVERE, "report {0} dead-lettered: {1}; kept in the spool''s dead-letter/ folder",
                new Object[] {s.report().idempotencyKey(), why});
    }

    /** The operator answered {@code after}, so the suspects before it are bad reports, not victims of an outage. */
    private void deadLetter(List<ReportSpool.Entry> suspects, ReportSpool.Entry after) throws IOException {
        for (ReportSpool.Entry s : suspects) {
            ReportSpool.Attempts a = spool.attempts(s);
            deadLetter(s, "failed " + a.count() + " delivery attempts since " + a.first() + " (last: " + lastError
                    + ") while the operator answered the later report " + after.report().idempotencyKey());
        }
        suspects.clear();
    }

    private Duration retryIn(ReportSpool.Entry e, ReportSender.Outcome o) {
        Duration wait = backoff.next(o.retryAfter().orElse(null));
        LOG.log(Level.INFO, "report {0} not delivered ({1}); retrying in {2} ms",
                new Object[] {e.report().idempotencyKey(), o.detail(), wait.toMillis()});
        return wait;
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

    public long deadLettered() {
        return deadLettered.get();
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
