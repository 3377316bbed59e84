package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A dead-letter record that cannot be written is logged whole, and its file fails visibly instead of finishing. */
class DeadLetterWriteFailureTest {

    static TestApp app;
    static Path blocker;

    @BeforeAll
    static void start() throws Exception {
        // the dead-letter folder's parent is a regular file: every write fails, whoever runs the test
        blocker = Files.createTempFile("extracta-blocker", ".txt");
        app = TestApp.start("dead-letter-failure",
                Map.of("extracta.deadletter.uri", "file:" + blocker.resolve("deadletter") + "?fileExist=Append"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(400, "{\"status\":\"error\",\"message\":\"Bad batch\"}")));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        Files.deleteIfExists(blocker);
    }

    private static long progressLines(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.contains("Progress unwritable.csv")).count();
    }

    @Test
    void theFileGoesToFailedWithAReportAndTheRecordIsLogged() throws Exception {
        try (LogCapture logs = LogCapture.capture()) {
            app.drop("unwritable.csv", "classificationId,batchId\nc1,x1\n");
            JsonNode report = app.awaitReport("unwritable.csv");
            assertThat(report.get("status").asText()).isEqualTo("FAILED");
            assertThat(report.get("error").asText()).contains("could not write a dead-letter record");
            assertThat(app.movedTo(".failed", "unwritable.csv")).isPresent();
            List<String> lines = logs.lines();
            assertThat(lines).anyMatch(l -> l.startsWith("ERROR Could not write a dead-letter record")
                    && l.contains("\"batchId\":\"x1\"") && l.contains("\"reason\":\"REJECTED\""));
            // the run is closed: no progress line goes on reporting a file that has gone (interval is 500 ms)
            long before = progressLines(logs);
            org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(1200))
                    .atMost(java.time.Duration.ofSeconds(5)).until(() -> progressLines(logs) == before);
        }
    }
}
