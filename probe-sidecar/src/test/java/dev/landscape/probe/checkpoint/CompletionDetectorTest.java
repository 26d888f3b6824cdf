package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.CompletionDetector.State;
import dev.landscape.probe.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class CompletionDetectorTest {

    private static final Duration QUIET = Duration.ofSeconds(10);

    private final TestingClock clock = new TestingClock();
    private final CompletionDetector detector = new CompletionDetector(clock, QUIET);

    @Test
    void fileIsCompleteOnlyAfterTwoObservationsAQuietPeriodApart(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), new byte[64]);

        assertThat(detector.observe(file).state()).isEqualTo(State.WRITING);
        clock.advance(Duration.ofSeconds(9));
        assertThat(detector.observe(file).state()).isEqualTo(State.WRITING);
        clock.advance(Duration.ofSeconds(1));
        assertThat(detector.observe(file).state()).isEqualTo(State.COMPLETE);
    }

    @Test
    void oneLateObservationIsNotEnough(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), new byte[64]);
        clock.advance(Duration.ofHours(1));

        assertThat(detector.observe(file).state()).isEqualTo(State.WRITING);
    }

    @Test
    void growthRestartsTheQuietPeriod(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), new byte[64]);
        detector.observe(file);
        clock.advance(Duration.ofSeconds(8));
        Files.write(file, new byte[128]);
        assertThat(detector.observe(file).reason()).isEqualTo("changed since the last observation");

        clock.advance(Duration.ofSeconds(8));
        assertThat(detector.observe(file).state()).isEqualTo(State.WRITING);
        clock.advance(Duration.ofSeconds(2));
        assertThat(detector.observe(file).state()).isEqualTo(State.COMPLETE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors.tmp", ".model.safetensors.tmp", "model.safetensors.incomplete", ".hidden",
            "tmp-checkpoint-500"})
    void temporaryNamesAreNeverCandidates(String name, @TempDir Path dir) throws IOException {
        Path p = name.startsWith("tmp-checkpoint") ? Files.createDirectory(dir.resolve(name)) : dir.resolve(name);
        if (!Files.exists(p)) {
            Files.write(p, new byte[8]);
        } else {
            Files.writeString(p.resolve("trainer_state.json"), "{}");
        }

        for (int i = 0; i < 3; i++) {
            assertThat(detector.observe(p).state()).isEqualTo(State.IGNORED);
            assertThat(detector.completeIn(dir)).isEmpty();
            clock.advance(QUIET);
        }
    }

    @Test
    void trainerFolderWaitsForTrainerState(@TempDir Path dir) throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-500"));
        Files.write(cp.resolve("model.safetensors"), new byte[64]);
        Files.write(cp.resolve("optimizer.pt"), new byte[64]);

        detector.observe(cp);
        clock.advance(QUIET.multipliedBy(3));
        CompletionDetector.Verdict stableWithoutMarker = detector.observe(cp);
        assertThat(stableWithoutMarker.state()).isEqualTo(State.WRITING);
        assertThat(stableWithoutMarker.reason()).contains("trainer_state.json");

        Files.writeString(cp.resolve("trainer_state.json"), "{\"global_step\": 500}");
        assertThat(detector.observe(cp).state()).isEqualTo(State.WRITING);
        clock.advance(QUIET);
        assertThat(detector.observe(cp).state()).isEqualTo(State.COMPLETE);
    }

    @Test
    void folderWithATemporaryFileInsideIsNotComplete(@TempDir Path dir) throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-7"));
        Files.writeString(cp.resolve("trainer_state.json"), "{}");
        Files.write(cp.resolve("model.safetensors.tmp"), new byte[8]);

        detector.observe(cp);
        clock.advance(QUIET);

        assertThat(detector.observe(cp).reason()).contains("temporary file model.safetensors.tmp");
    }

    @Test
    void deepSpeedTagIsCompleteOnceLatestNamesItOrALaterStep(@TempDir Path dir) throws IOException {
        Path step10 = Files.createDirectory(dir.resolve("global_step10"));
        Files.write(step10.resolve("mp_rank_00_model_states.pt"), new byte[64]);
        Path step20 = Files.createDirectory(dir.resolve("global_step20"));
        Files.write(step20.resolve("mp_rank_00_model_states.pt"), new byte[64]);
        detector.observe(step10);
        detector.observe(step20);
        clock.advance(QUIET);
        assertThat(detector.observe(step10).reason()).contains("waiting for").contains("latest");

        Files.writeString(dir.resolve("latest"), "global_step10");

        assertThat(detector.observe(step10).state()).isEqualTo(State.COMPLETE);
        assertThat(detector.observe(step20).reason()).contains("names global_step10, not yet global_step20");
        Files.writeString(dir.resolve("latest"), "global_step20\n");
        assertThat(detector.observe(step10).state()).isEqualTo(State.COMPLETE);
        assertThat(detector.observe(step20).state()).isEqualTo(State.COMPLETE);
    }

    @Test
    void distributedCheckpointWaitsForMetadata(@TempDir Path dir) throws IOException {
        Path cp = Files.createDirectory(dir.resolve("step_300"));
        Files.write(cp.resolve("__0_0.distcp"), new byte[64]);
        Files.write(cp.resolve("__1_0.distcp"), new byte[64]);
        detector.observe(cp);
        clock.advance(QUIET);
        assertThat(detector.observe(cp).reason()).contains(".metadata");

        Files.write(cp.resolve(".metadata"), new byte[16]);
        detector.observe(cp);
        clock.advance(QUIET);

        assertThat(detector.observe(cp).state()).isEqualTo(State.COMPLETE);
    }

    @Test
    void atomicRenameOfAFolderIsSeenOnlyUnderItsFinalName(@TempDir Path dir) throws IOException {
        Path tmp = Files.createDirectory(dir.resolve("tmp-checkpoint-9"));
        Files.write(tmp.resolve("model.safetensors"), new byte[64]);
        Files.writeString(tmp.resolve("trainer_state.json"), "{}");
        assertThat(detector.completeIn(dir)).isEmpty();
        clock.advance(QUIET);
        assertThat(detector.completeIn(dir)).isEmpty();

        Path done = Files.move(tmp, dir.resolve("checkpoint-9"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(detector.completeIn(dir)).isEmpty();
        clock.advance(QUIET);

        assertThat(detector.completeIn(dir)).containsExactly(done.toAbsolutePath().normalize());
    }

    @Test
    void vanishedCandidateIsForgotten(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), new byte[64]);
        detector.observe(file);
        Files.delete(file);

        assertThat(detector.observe(file).state()).isEqualTo(State.IGNORED);
    }

    /** A real writer, a real clock: the file grows every few ms and detection must wait for the writer to finish. */
    @Test
    void slowWriterIsNeverReportedCompleteEarly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        assertNeverEarly(dir, file, () -> {
            try (OutputStream out = Files.newOutputStream(file)) {
                writeSlowly(out);
            }
        });
    }

    @Test
    void slowWriterWithAtomicRenameIsNeverReportedCompleteEarly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Path tmp = dir.resolve(".model.safetensors.tmp");
        assertNeverEarly(dir, file, () -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writeSlowly(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        });
    }

    private interface Writer {
        void write() throws Exception;
    }

    private static void writeSlowly(OutputStream out) throws Exception {
        byte[] chunk = new byte[16 << 10];
        for (int i = 0; i < 60; i++) {
            out.write(chunk);
            out.flush();
            Thread.sleep(10);
        }
    }

    private static void assertNeverEarly(Path dir, Path file, Writer writer) throws Exception {
        Duration quiet = Duration.ofMillis(400);
        CompletionDetector real = new CompletionDetector(Clock.systemUTC(), quiet);
        AtomicBoolean finished = new AtomicBoolean();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try {
                writer.write();
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                finished.set(true);
            }
        }, "slow-writer");
        t.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean detected = false;
        while (!detected && System.nanoTime() < deadline) {
            boolean writerDoneBefore = finished.get();
            List<Path> complete = real.completeIn(dir);
            if (!complete.isEmpty()) {
                assertThat(writerDoneBefore).as("reported complete while the writer was still writing").isTrue();
                assertThat(complete).containsExactly(file.toAbsolutePath().normalize());
                assertThat(Files.size(file)).isEqualTo(60L * (16 << 10));
                detected = true;
            }
            Thread.sleep(5);
        }
        t.join();
        assertThat(failures).isEmpty();
        assertThat(detected).as("never detected after the writer finished").isTrue();
    }
}
