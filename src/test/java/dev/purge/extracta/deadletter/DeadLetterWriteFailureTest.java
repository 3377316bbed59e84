package dev.purge.extracta.deadletter;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A dead-letter record that cannot be written is logged whole and its request is not final: the file stays in the
 * inbox with its journal (never FAILED, never DONE without its record), readiness says why, the file is not taken
 * again at every poll, and once records can be written it finishes with its record.
 */
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
        if (Files.isDirectory(blocker)) {
            try (var files = Files.walk(blocker)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.deleteIfExists(blocker);
    }

    @Test
    void theRequestIsNotFinalTheFileWaitsAndFinishesOnceRecordsCanBeWritten() throws Exception {
        try (LogCapture logs = LogCapture.capture()) {
            app.drop("unwritable.csv", "classificationId,batchId\nc1,x1\n");
            Path report = app.dataDir.resolve("reports").resolve("unwritable.csv.report.json");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report));
            JsonNode interrupted = new ObjectMapper().readTree(report.toFile());
            assertThat(interrupted.get("status").asText()).isEqualTo("INTERRUPTED");
            assertThat(interrupted.get("error").asText()).contains("cannot write a dead-letter record");
            assertThat(interrupted.get("outcomes").get("REJECTED").asLong()).as("not final: no outcome").isZero();
            assertThat(app.inbox().resolve("unwritable.csv")).as("stays in the inbox").exists();
            assertThat(app.movedTo(".failed", "unwritable.csv")).isEmpty();
            List<String> lines = logs.lines();
            assertThat(lines).anyMatch(l -> l.startsWith("ERROR Cannot write") && l.contains("dead letter")
                    && l.contains("\"batchId\":\"x1\"") && l.contains("\"reason\":\"REJECTED\""));
            StateWrites writes = app.camelContext().getRegistry().lookupByNameAndType("stateWrites",
                    StateWrites.class);
            assertThat(writes.healthy()).as("readiness is DOWN while records cannot be written").isFalse();

            // set aside: not taken again at every poll (100 ms) while the failure lasts
            int sent = sent();
            await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(5)).until(() -> sent() == sent);

            // the folder can be written again: the file is taken up after its delay, and finishes with its record
            Files.delete(blocker);
            Files.createDirectories(blocker.resolve("deadletter"));
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(blocker.resolve("deadletter")
                    .resolve("unwritable.csv.jsonl")) && !Files.exists(app.inbox().resolve("unwritable.csv")));
            JsonNode done = app.awaitReport("unwritable.csv");
            assertThat(done.get("status").asText()).isEqualTo("DONE");
            assertThat(done.get("outcomes").get("REJECTED").asLong()).isEqualTo(1);
            assertThat(Files.readAllLines(blocker.resolve("deadletter").resolve("unwritable.csv.jsonl")))
                    .hasSize(1).allSatisfy(l -> assertThat(l).contains("\"batchId\":\"x1\""));
            assertThat(writes.healthy()).as("writes work again: readiness UP").isTrue();
        }
    }

    private static int sent() {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }
}
