package dev.purge.extracta.secret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.ingest.KameletSinkTest;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test (see junit-platform.properties): the API keys the tests used appear in no log, report,
 * dead-letter record, state file or test output they produced.
 */
@Order(Integer.MAX_VALUE)
class ApiKeyLeakScanIT {

    @Test
    void noApiKeyInAnyTestOutput() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<Path> scanned = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (String dir : List.of("surefire-reports", "failsafe-reports", "test-data", "it-work")) {
            Path root = target.resolve(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    scanned.add(file);
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    for (String key : List.of(TestApp.API_KEY, JarProcess.API_KEY, KameletSinkTest.API_KEY,
                            SecretLeakIT.API_KEY)) {
                        if (text.contains(key)) {
                            leaks.add(file + " contains the key starting " + key.substring(0, 8));
                        }
                    }
                }
            }
        }
        assertThat(scanned).as("test outputs to scan").anyMatch(p -> p.toString().endsWith("-output.txt"));
        assertThat(scanned).anyMatch(p -> p.toString().endsWith("app.log"));
        assertThat(scanned).anyMatch(p -> p.toString().endsWith(".jsonl"));
        assertThat(scanned).anyMatch(p -> p.toString().endsWith(".report.json"));
        assertThat(leaks).isEmpty();
    }
}
