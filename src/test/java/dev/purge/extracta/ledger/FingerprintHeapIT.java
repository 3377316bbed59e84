package dev.purge.extracta.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.testsupport.FingerprintLoad;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Memory: the deleted-pairs repository and a file's duplicate check hold a million pairs each in a 32 MB heap (in the
 * heap, each table alone needed 32 MB, plus the half-size table it grew from), and leave no scratch file behind.
 */
class FingerprintHeapIT {

    @Test
    void aMillionPairsFitInA32MbHeap() throws Exception {
        Path workDir = JarProcess.workDir("fingerprint-heap");
        Path log = workDir.resolve("load.log");
        Process load = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", Path.of(System.getProperty("app.jar")).toAbsolutePath() + File.pathSeparator
                        + Path.of("target", "test-classes").toAbsolutePath(),
                FingerprintLoad.class.getName(), workDir.toString(), "1000000"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = load.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            load.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as("ends; output: %s", output).isTrue();
        assertThat(load.exitValue()).as("output: %s", output).isZero();
        assertThat(output).contains("repository: 1000000 pairs remembered, contains the first: true",
                "file check: 1000000 pairs, the first seen again: true");
        try (var files = Files.list(workDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("load.log",
                    "deleted-pairs.fp", "files");
        }
        try (var files = Files.list(workDir.resolve("files"))) {
            assertThat(files).isEmpty();
        }
    }
}
