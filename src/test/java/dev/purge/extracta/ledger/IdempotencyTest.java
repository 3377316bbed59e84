package dev.purge.extracta.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A pair is deleted once across files and restarts; a 404 for a request sent before means it is already gone. */
class IdempotencyTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final String NOT_FOUND = "{\"status\":\"error\",\"message\":\"Batch not found\"}";
    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("idempotency", Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @BeforeEach
    void resetServer() {
        app.wireMock.resetAll();
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
    }

    @Test
    void aPairDeletedBeforeIsSkippedInLaterFilesAndAfterARestart() throws Exception {
        app.drop("first.csv", "classificationId,batchId\nc1,once1\nc1,once2\n");
        assertThat(app.awaitReport("first.csv").get("outcomes").get("DELETED").asLong()).isEqualTo(2);

        app.drop("second.csv", "classificationId,batchId\nc1,once1\nc1,fresh1\n");
        JsonNode second = app.awaitReport("second.csv");
        assertThat(second.get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong()).isEqualTo(1);
        assertThat(second.get("outcomes").get("DELETED").asLong()).isEqualTo(1);

        app.restart();
        app.drop("third.csv", "classificationId,batchId\nc1,once2\nc1,fresh1\n");
        JsonNode third = app.awaitReport("third.csv");
        assertThat(third.get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong()).isEqualTo(2);

        for (String batch : new String[] {"once1", "once2", "fresh1"}) {
            app.wireMock.verify(1, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withRequestBody(matchingJsonPath("$.batchId", equalTo(batch))));
        }
        assertThat(app.deadLetters("second.csv")).isEmpty();
        assertThat(app.deadLetters("third.csv")).isEmpty();
    }

    @Test
    void a404OnAFirstAttemptIsRejectedButAfterATimedOutAttemptItIsAlreadyAbsent() throws Exception {
        app.wireMock.stubFor(forBatch("nf1").willReturn(json(404, NOT_FOUND)));
        // the first attempt times out (response-timeout is 1 s in tests) after the server deleted the batch
        app.wireMock.stubFor(forBatch("gone1").inScenario("timeout").whenScenarioStateIs(STARTED)
                .willReturn(json(200, SUCCESS).withFixedDelay(1500)).willSetStateTo("deleted"));
        app.wireMock.stubFor(forBatch("gone1").inScenario("timeout").whenScenarioStateIs("deleted")
                .willReturn(json(404, NOT_FOUND)));
        app.drop("absent.csv", "classificationId,batchId\nc1,nf1\nc1,gone1\n");
        JsonNode report = app.awaitReport("absent.csv");

        assertThat(report.get("outcomes").get("REJECTED").asLong()).isEqualTo(1);
        assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1);
        assertThat(app.deadLetters("absent.csv")).singleElement()
                .satisfies(r -> assertThat(r.get("batchId").asText()).isEqualTo("nf1"));
        // gone either way: remembered like a delete
        app.drop("absent-again.csv", "classificationId,batchId\nc1,gone1\n");
        assertThat(app.awaitReport("absent-again.csv").get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong())
                .isEqualTo(1);
        app.wireMock.verify(2, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("gone1"))));
    }

    @Test
    void aFileInterruptedEarlierResumesFromItsJournal() throws Exception {
        // as a killed run leaves it: lines 2 and 3 final (one deleted, one dead-lettered), line 4 in flight
        String csv = "classificationId,batchId\nc1,j2\nc1,j3\nc1,j4\nc1,j5\n";
        Path hidden = app.inbox().resolve(".resume.csv.part");
        Files.writeString(hidden, csv);
        Path journal = TestApp.writeJournal(app.dataDir.resolve("state"), hidden,
                "A 2", "A 3", "A 4", "F 2 DELETED", "F 3 REJECTED");
        app.wireMock.stubFor(forBatch("j4").willReturn(json(404, NOT_FOUND)));
        Files.move(hidden, app.inbox().resolve("resume.csv"), StandardCopyOption.ATOMIC_MOVE);

        JsonNode report = app.awaitReport("resume.csv");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(4);
        assertThat(report.get("rowsFromEarlierRuns").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);       // j2 earlier, j5 now
        assertThat(report.get("outcomes").get("REJECTED").asLong()).isEqualTo(1);      // j3 earlier
        assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1); // j4 re-sent: 404
        assertThat(app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))))
                .extracting(r -> r.getBodyAsString())
                .containsExactlyInAnyOrder(DeleteBatchPipelineTest.body("c1", "j4"),
                        DeleteBatchPipelineTest.body("c1", "j5"));
        assertThat(app.deadLetters("resume.csv")).as("j3 was dead-lettered by the earlier run, not again").isEmpty();
        assertThat(journal).as("journal removed once the file is done").doesNotExist();
    }

    @Test
    void withIdempotencyOffAPairIsSentAgain() throws Exception {
        try (TestApp off = TestApp.start("idempotency-off", Map.of("extracta.idempotency.enabled", "false"))) {
            off.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            off.drop("a.csv", "classificationId,batchId\nc1,twice1\n");
            off.awaitReport("a.csv");
            off.drop("b.csv", "classificationId,batchId\nc1,twice1\n");
            assertThat(off.awaitReport("b.csv").get("outcomes").get("DELETED").asLong()).isEqualTo(1);
            off.wireMock.verify(2, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)));
        }
    }

    @Test
    void theRepositoryIsABeanChosenByConfiguration() throws Exception {
        // Camel's in-memory repository instead of the file one: it forgets everything at a restart
        try (TestApp memory = TestApp.start("idempotency-memory", Map.of(
                "camel.beans.memoryPairs", "#class:org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository",
                "extracta.idempotency.repository", "memoryPairs"))) {
            memory.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            memory.drop("m1.csv", "classificationId,batchId\nc1,mem1\n");
            memory.awaitReport("m1.csv");
            memory.drop("m2.csv", "classificationId,batchId\nc1,mem1\n");
            assertThat(memory.awaitReport("m2.csv").get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong())
                    .isEqualTo(1);
            assertThat(memory.dataDir.resolve("state").resolve("deleted-pairs.fp")).doesNotExist();
            memory.restart();
            memory.drop("m3.csv", "classificationId,batchId\nc1,mem1\n");
            assertThat(memory.awaitReport("m3.csv").get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        }
    }

    private static MappingBuilder forBatch(String batchId) {
        return delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId)));
    }
}
