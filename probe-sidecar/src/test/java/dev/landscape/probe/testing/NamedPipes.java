package dev.landscape.probe.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes (FIFOs) for the tests that prove a reader never opens one; skips where {@code mkfifo} is missing. */
public final class NamedPipes {

    private NamedPipes() {
    }

    /** Makes a FIFO at {@code path} with the system's {@code mkfifo}, or skips the calling test saying why. */
    public static Path make(Path path) throws IOException, InterruptedException {
        boolean made;
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            made = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            made = false;
        }
        Assumptions.assumeTrue(made && Files.exists(path) && !Files.isRegularFile(path),
                "mkfifo is not available here: skipping the named-pipe test");
        return path;
    }
}
