package dev.landscape.probe.runtime;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.report.Delivery;
import dev.landscape.probe.report.ReportSender;
import dev.landscape.probe.report.ReportSpool;
import dev.landscape.probe.report.SidecarTelemetry;
import dev.landscape.telemetry.MetricsExport;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The in-pod process: the watch loop on a low-priority thread, delivery on another, metrics and health endpoints.
 * Filesystem events wake the loop early where the volume delivers them; polling every {@code poll-interval}
 * covers network volumes that do not. On SIGTERM the current analysis may finish within {@link #STOP_DEADLINE},
 * delivery gets one last round, and whatever is undelivered stays spooled for the next start. An {@link Error} on
 * either thread stops the process with {@link #fatal()} set, so that {@code watch} exits non-zero and the kubelet
 * restarts it, rather than leaving a live process whose analysis thread is dead.
 */
public final class Sidecar implements AutoCloseable {

    static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());

    private final SidecarConfig config;
    private final ReportSpool spool;
    private final Delivery delivery;
    private final MetricsExport metrics;
    private final WatchLoop loop;
    private final HealthServer health;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Error fatal;
    private Thread worker;
    private Thread sender;

    /**
     * @param formats the checkpoint readers, shared with {@code tier2} so that both read a checkpoint alike
     * @param tier2   curvature on the probe's model and batch, or {@code null} for tier 1 only; made by the caller
     *                ({@code cli.WatchCommand}), so this package never names the ND4J code
     */
    public Sidecar(SidecarConfig config, Clock clock, CheckpointFormats formats, Tier2Runner tier2) throws IOException {
        this.config = config;
        this.spool = new ReportSpool(config.spoolDir());
        this.delivery = Delivery.forSidecar(spool, ReportSender.forOperator(config.reportUrl(), config.tokenFile(), config.caFile()),
                clock);
        this.metrics = new MetricsExport("landscape-probe-sidecar", config.metricsPort(), Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")),
                Duration.ofSeconds(30));
        SidecarTelemetry telemetry = new SidecarTelemetry(metrics.provider().get("dev.landscape.probe"), config.namespace(),
                config.pod(), config.probe(), config.rank(), this::pendingQuietly, delivery::delivered, delivery::rejected, delivery::retries,
                delivery::deadLettered);
        telemetry.observeTlsFailures(delivery::tlsFailures);
        Path stateFile = config.spoolDir().toAbsolutePath().getParent().resolve("watch-state.json");
        this.loop = new WatchLoop(config, formats, spool, telemetry, clock, stateFile, tier2);
        Duration stale = config.pollInterval().multipliedBy(6).plus(Duration.ofMinutes(5));
        this.health = config.healthPort() < 0 ? null : new HealthServer(config.healthPort(),
                () -> {
                    Instant last = loop.lastTick();
                    boolean ok = Duration.between(last, Instant.now(clock)).compareTo(stale) < 0 || last.equals(Instant.EPOCH) && !stopping;
                    return new HealthServer.Verdict(ok, "last pass " + last);
                },
                () -> {
                    boolean readable = Files.isDirectory(config.dir()) && Files.isReadable(config.dir());
                    return new HealthServer.Verdict(readable, readable ? "watching " + config.dir() : config.dir() + " is not a readable folder");
                });
    }

    /** Starts the threads and returns; {@link #awaitStop()} blocks until stopped. */
    public void start() {
        sender = new Thread(() -> {
            try {
                delivery.run();
            } catch (Error e) {
                die(e);
            }
        }, "landscape-delivery");
        sender.setDaemon(true);
        sender.start();
        worker = new Thread(this::watch, "landscape-watch");
        worker.setPriority(Thread.MIN_PRIORITY);
        worker.start();
        LOG.log(Level.INFO, "watching {0} for probe {1}/{2}, rank {3}; reports to {4}",
                new Object[] {config.dir(), config.namespace(), config.probe(), config.rank(), config.reportUrl()});
    }

    private void watch() {
        try (WatchService events = FileSystems.getDefault().newWatchService()) {
            try {
                config.dir().register(events, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException e) {
                LOG.log(Level.INFO, "no filesystem events for {0} ({1}); polling every {2}", new Object[] {config.dir(), e.getMessage(), config.pollInterval()});
            }
            while (!stopping) {
                try {
                    if (loop.tick().isPresent()) {
                        delivery.nudge();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "watch pass failed, retrying at the next interval: {0}", e.toString());
                }
                var key = events.poll(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "watch service failed: {0}", e.toString());
        } catch (Error e) {
            die(e);
        } finally {
            stopped.countDown();
        }
    }

    /** Records the first Error and releases {@link #awaitStop()}; the caller's thread then ends. */
    private void die(Error e) {
        if (fatal == null) {
            fatal = e;
        }
        stopping = true;
        LOG.log(Level.SEVERE, "stopping after {0}; the kubelet restarts the sidecar", e.toString());
        stopped.countDown();
    }

    /** The Error that stopped the sidecar, or {@code null} when it stopped normally. */
    public Error fatal() {
        return fatal;
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public WatchLoop loop() {
        return loop;
    }

    public Delivery delivery() {
        return delivery;
    }

    /** Graceful stop (SIGTERM): finish or abandon the current analysis within the deadline, keep the spool. */
    @Override
    public void close() {
        stopping = true;
        try {
            if (worker != null && !stopped.await(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("analysis did not finish within " + STOP_DEADLINE + "; abandoning it (the checkpoint is re-read after restart)");
                worker.interrupt();
            }
            delivery.stop();
            if (sender != null) {
                sender.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            loop.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the last checkpoint: {0}", e.toString());
        }
        metrics.close();
        if (health != null) {
            health.close();
        }
    }

    private long pendingQuietly() {
        try {
            return spool.size();
        } catch (IOException e) {
            return -1;
        }
    }
}
