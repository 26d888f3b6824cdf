package dev.landscape.probe.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.contract.CheckpointReport;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * inspection rather than deleted.
 */
public final class ReportSpool {

    /** Upper bound on pending reports (at ≤ 512 KiB each, a few hundred MB at most); beyond it the oldest are set aside. */
    public static final int MAX_PENDING = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path rejected;
    private final Path overflow;

    public ReportSpool(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.rejected = dir.resolve("rejected");
        this.overflow = dir.resolve("overflow");
    }

    /** A spooled report and the file holding it. */
    public record Entry(Path file, CheckpointReport report) {
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
    }

    /** The operator refused it for good; kept in {@code rejected/} with the reason beside it. */
    public void rejected(Entry e, String why) throws IOException {
        setAside(e.file(), rejected, why);
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
    }
}
