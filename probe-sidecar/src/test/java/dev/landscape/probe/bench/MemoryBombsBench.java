package dev.landscape.probe.bench;

import dev.landscape.probe.testing.MemoryBombs;
import dev.landscape.probe.testing.MemoryBombs.Bomb;
import dev.landscape.probe.testing.MemoryBombs.JarRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Benchmark, not a test ({@code bench/memory-bombs.sh}): each memory bomb of issue 17 through
 * {@code java -Xmx128m -jar landscape-probe.jar inspect}, the best of {@code repeats} runs. Prints a Markdown table
 * (bomb, file size, exit code, seconds, the one line on stderr) and exits 1 unless every bomb was refused with exit 2
 * in under 30 s (the target).
 */
public final class MemoryBombsBench {

    private static final Duration TARGET = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("landscape-bombs");
        boolean ok = true;
        System.out.println("| bomb | file | exit | seconds (best of " + repeats + ") | stderr |");
        System.out.println("|---|---:|---:|---:|---|");
        for (Bomb bomb : MemoryBombs.ALL.keySet()) {
            Path file = MemoryBombs.write(bomb, dir);
            JarRun best = null;
            for (int r = 0; r < repeats; r++) {
                JarRun run = MemoryBombs.inspect(jar, file, TARGET.multipliedBy(2));
                if (best == null || run.seconds() < best.seconds()) {
                    best = run;
                }
            }
            boolean met = best.ended() && best.exit() == 2 && best.seconds() < TARGET.toSeconds();
            ok &= met;
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f%s | %s |%n", bomb.name(), size(Files.size(file)),
                    best.ended() ? Integer.toString(best.exit()) : "killed", best.seconds(), met ? "" : " **not met**",
                    best.err().strip().replace(file.toString(), bomb.fileName()).replace("|", "\\|"));
            Files.delete(file);
        }
        Files.delete(dir);
        System.exit(ok ? 0 : 1);
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.0f MB", bytes / 1e6) : String.format(Locale.ROOT, "%.0f KB", bytes / 1e3);
    }
}
