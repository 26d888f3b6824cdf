package dev.landscape.probe.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.CheckpointReport;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reports waiting for delivery, on the pod's scratch volume, so that none is lost while the operator is
 * unreachable or when the sidecar restarts. Write-ahead: a report is spooled before the first delivery attempt
 * and removed only once the operator has acknowledged it. One file per (rank, step) — the idempotency key — named
 * so that lexical order is step order, written to a temporary name and renamed, so a crash never leaves a
 * half-written report. Reports the operator refuses for good (400/403/413) are moved to {@code rejected/} for
 * inspection rather than deleted; reports that kept failing while later ones got through are moved to
 * {@code dead-letter/} (see {@link Delivery}). Failed attempts are counted in a hidden file beside each report, so
 * the count survives a restart.
 */
public final class ReportSpool {

    /** Upper bound on pending reports (at ≤ 512 KiB each, a few hundred MB at most); beyond it the oldest are set aside. */
    public static final int MAX_PENDING = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path rejected;
    private final Path overflow;
    private final Path deadLetter;

    public ReportSpool(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.rejected = dir.resolve("rejected");
        this.overflow = dir.resolve("overflow");
        this.deadLetter = dir.resolve("dead-letter");
    }

    /** A spooled report and the file holding it. */
    public record Entry(Path file, CheckpointReport report) {
    }

    /** Failed delivery attempts of one report: how many, and when the first one failed. */
    public record Attempts(int count, Instant first) {
    }

    /** Spools {@code report}; a report with the same key replaces the earlier one (same step, re-analysed). */
    public Path add(CheckpointReport report) throws IOException {
        Path target = dir.resolve(fileName(report));
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), report);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        enforceBound();
        return target;
    }

    /** Pending reports, oldest step first. Unreadable files are set aside in {@code rejected/} with a note. */
    public List<Entry> pending() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Path f : files()) {
            try {
                out.add(new Entry(f, JSON.readValue(f.toFile(), CheckpointReport.class)));
            } catch (IOException e) {
                setAside(f, rejected, "unreadable spool file: " + e.getMessage());
            }
        }
        return out;
    }

    public int size() throws IOException {
        return files().size();
    }

    /** The operator acknowledged it. */
    public void delivered(Entry e) throws IOException {
        Files.deleteIfExists(e.file());
        Files.deleteIfExists(attemptsFile(e.file()));
    }

    /** The operator refused it for good; kept in {@code rejected/} with the reason beside it. */
    public void rejected(Entry e, String why) throws IOException {
        setAside(e.file(), rejected, why);
    }

    /** It kept failing while later reports got through; kept in {@code dead-letter/} with the reason beside it. */
    public void deadLettered(Entry e, String why) throws IOException {
        setAside(e.file(), deadLetter, why);
    }

    /** Counts one more failed attempt at {@code now}; returns the count so far. */
    public Attempts failedAttempt(Entry e, Instant now) throws IOException {
        Attempts before = attempts(e);
        Attempts after = new Attempts(before.count() + 1, before.count() == 0 ? now : before.first());
        Path f = attemptsFile(e.file());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, after.count() + " " + after.first().toEpochMilli());
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        return after;
    }

    /** Failed attempts so far (none when never tried, or when the count cannot be read). */
    public Attempts attempts(Entry e) {
        try {
            String[] parts = Files.readString(attemptsFile(e.file())).trim().split(" ");
            return new Attempts(Integer.parseInt(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])));
        } catch (IOException | RuntimeException unreadable) {
            return new Attempts(0, Instant.EPOCH);
        }
    }

    private static Path attemptsFile(Path report) {
        return report.resolveSibling("." + report.getFileName() + ".attempts");
    }

    static String fileName(CheckpointReport r) {
        return String.format(Locale.ROOT, "%020d-rank%d.json", r.step(), r.rank());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")
                            && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private void enforceBound() throws IOException {
        List<Path> all = files();
        for (int i = 0; i < all.size() - MAX_PENDING; i++) {
            setAside(all.get(i), overflow, "more than " + MAX_PENDING + " reports were waiting; the oldest were set aside");
        }
    }

    private static void setAside(Path file, Path where, String why) throws IOException {
        Files.createDirectories(where);
        Path target = where.resolve(file.getFileName());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(where.resolve(file.getFileName() + ".why"), why + System.lineSeparator());
        Files.deleteIfExists(attemptsFile(file));
    }
}
