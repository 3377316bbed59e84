package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Files that name only batches, with extracta.default-classification-id set. */
class DefaultClassificationTest {

    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("default-classification", Map.of("extracta.default-classification-id", "cls-default"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void batchIdOnlyHeaderHeaderlessColumnsAndJsonLinesUseTheDefault() throws Exception {
        app.drop("batch-header.csv", "batchId\nh1\nh2\n");
        app.drop("one-column.csv", "o1\no2\n");
        app.drop("two-columns.csv", "explicit,t1\n");
        app.drop("lines.jsonl", "{\"batchId\":\"j1\"}\n\n{\"batchId\":\" j2 \",\"classificationId\":\"explicit\","
                + "\"reason\":\"SERVER_ERROR\"}\n");
        for (String name : List.of("batch-header.csv", "one-column.csv", "two-columns.csv", "lines.jsonl")) {
            JsonNode report = app.awaitReport(name);
            assertThat(report.get("status").asText()).as(name).isEqualTo("DONE");
        }
        List<String> sent = app.wireMock.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                .map(LoggedRequest::getBodyAsString).toList();
        assertThat(sent).containsExactlyInAnyOrder(
                body("cls-default", "h1"), body("cls-default", "h2"),
                body("cls-default", "o1"), body("cls-default", "o2"),
                body("explicit", "t1"),
                body("cls-default", "j1"), body("explicit", "j2"));
    }

    @Test
    void aKeySpelledLikeOursButNotExactlyIsRefusedNeverReplacedByTheDefault() throws Exception {
        app.drop("look-alike.jsonl", "{\"classification_id\":\"meant\",\"batchId\":\"la1\"}\n"
                + "{\"classificationID\":\"meant\",\"batchId\":\"la2\"}\n"
                + "{\"batch_id\":\"la3\"}\n"
                + "{\"batchId\":\"la4\"}\n");
        JsonNode report = app.awaitReport("look-alike.jsonl");
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(3);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        List<JsonNode> records = app.deadLetters("look-alike.jsonl").stream()
                .sorted(java.util.Comparator.comparingLong(r -> r.get("line").asLong())).toList();
        assertThat(records).extracting(r -> r.get("line").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(records.get(0).get("message").asText()).contains("\"classification_id\" is not \"classificationId\"");
        assertThat(records.get(1).get("message").asText()).contains("\"classificationID\" is not");
        assertThat(records.get(2).get("message").asText()).contains("\"batch_id\" is not \"batchId\"");
        assertThat(records).allSatisfy(r -> assertThat(r.get("reason").asText()).isEqualTo("INVALID_INPUT"));

        try (var template = app.camelContext().createProducerTemplate()) {
            String answer = template.requestBody("direct:extracta-delete-batch",
                    "{\"Classification-Id\":\"meant\",\"batchId\":\"la5\"}", String.class);
            JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer).get(0);
            assertThat(result.get("outcome").asText()).isEqualTo("INVALID_INPUT");
            assertThat(result.get("message").asText()).contains("\"Classification-Id\" is not \"classificationId\"");
        }
        List<String> sent = app.wireMock.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                .map(LoggedRequest::getBodyAsString).filter(b -> b.contains("\"la")).toList();
        assertThat(sent).containsExactly(body("cls-default", "la4"));
    }
}
