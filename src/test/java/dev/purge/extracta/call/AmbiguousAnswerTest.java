package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.forBatch;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hardening, ambiguous answers: only a 4xx proves the API did nothing. After a 502, 503, 504, a 2xx that does not say
 * success, a reset or a timeout, the pair may be gone, and a later 404 for it, in the same run or in the replay of its
 * dead-letter record, is ALREADY_ABSENT, never REJECTED.
 */
class AmbiguousAnswerTest {

    private static final String NOT_FOUND = "{\"status\":\"error\",\"message\":\"Batch not found\"}";
    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("ambiguous", Map.of("extracta.retry.max-attempts", "2",
                "extracta.retry.initial-delay", "10", "extracta.http.response-timeout", "300",
                "extracta.circuit.failure-threshold", "100"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** The batch answers {@code first} once, then 404. */
    private static void thenNotFound(String batch, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
        app.wireMock.stubFor(forBatch(batch).inScenario(batch).whenScenarioStateIs(STARTED).willReturn(first)
                .willSetStateTo("gone"));
        app.wireMock.stubFor(forBatch(batch).inScenario(batch).whenScenarioStateIs("gone")
                .willReturn(json(404, NOT_FOUND)));
    }

    @Test
    void aFourOhFourAfterA503InTheSameRunIsAlreadyAbsent() throws Exception {
        thenNotFound("amb503", json(503, "{\"status\":\"error\",\"message\":\"Service unavailable\"}"));
        thenNotFound("amb504", json(504, "{\"status\":\"error\",\"message\":\"Gateway timeout\"}"));
        app.drop("same-run.csv", "classificationId,batchId\nc1,amb503\nc1,amb504\n");
        JsonNode report = app.awaitReport("same-run.csv");
        assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get("REJECTED").asLong()).isZero();
        assertThat(app.deadLetters("same-run.csv")).isEmpty();
    }

    /**
     * An answer whose body stalls past the response timeout is a NETWORK failure like a timeout before the headers: the
     * delete may have been done, so it is retried and the retry's 404 is ALREADY_ABSENT (never an INTERNAL_ERROR of
     * ours, whichever step reads the body).
     */
    @Test
    void anAnswerWhoseBodyStallsPastTheResponseTimeoutIsANetworkFailure() throws Exception {
        thenNotFound("ambslow", json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")
                .withChunkedDribbleDelay(4, 2_000));
        app.drop("slow-body.csv", "classificationId,batchId\nc1,ambslow\n");
        JsonNode report = app.awaitReport("slow-body.csv");
        assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1);
        assertThat(report.get("outcomes").get("INTERNAL_ERROR").asLong()).isZero();
        assertThat(app.deadLetters("slow-body.csv")).isEmpty();
    }

    @Test
    void theReplayOfARecordThatEndedInAServerOrNetworkErrorReadsAFourOhFourAsAlreadyAbsent() throws Exception {
        // every attempt answered 502, a 2xx that is not a success, or reset after the body left
        app.wireMock.stubFor(forBatch("amb502").willReturn(json(502, "{\"status\":\"error\",\"message\":\"Bad gateway\"}")));
        app.wireMock.stubFor(forBatch("amb2xx").willReturn(json(200, "{\"status\":\"queued\"}")));
        app.wireMock.stubFor(forBatch("ambreset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        // and a definite refusal: a 429 deletes nothing, so its replay's 404 stays REJECTED
        app.wireMock.stubFor(forBatch("amb429").willReturn(json(429, "{\"status\":\"error\",\"message\":\"Slow\"}")));
        app.drop("first.csv", "classificationId,batchId\nc1,amb502\nc1,amb2xx\nc1,ambreset\nc1,amb429\n");
        app.awaitReport("first.csv");
        List<JsonNode> records = app.deadLetters("first.csv");
        assertThat(records).hasSize(4);
        for (JsonNode record : records) {
            boolean maybe = !record.get("batchId").asText().equals("amb429");
            assertThat(record.path("mayHaveBeenDeleted").asBoolean()).as(record.toString()).isEqualTo(maybe);
        }

        // the outage is over; the batches that were deleted after all are gone: 404
        for (String batch : new String[] {"amb502", "amb2xx", "ambreset", "amb429"}) {
            app.wireMock.stubFor(forBatch(batch).atPriority(1).willReturn(json(404, NOT_FOUND)));
        }
        Path records0 = app.dataDir.resolve("deadletter").resolve("first.csv.jsonl");
        Files.move(records0, app.inbox().resolve("first.csv.jsonl"));
        JsonNode replay = app.awaitReport("first.csv.jsonl");
        assertThat(replay.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(3);
        assertThat(replay.get("outcomes").get("REJECTED").asLong()).as("the 429 proved nothing was deleted")
                .isEqualTo(1);
        assertThat(app.deadLetters("first.csv.jsonl")).extracting(r -> r.get("batchId").asText())
                .containsExactly("amb429");
    }
}
