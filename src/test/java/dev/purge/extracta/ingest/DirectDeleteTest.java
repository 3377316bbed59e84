package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.TestApp;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** direct:extracta-delete-batch answers the outcome, through the same pipeline as files. */
class DirectDeleteTest {

    static TestApp app;
    static ProducerTemplate template;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("direct", Map.of());
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10)
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("nope1")))
                .willReturn(json(404, "{\"status\":\"error\",\"message\":\"Batch not found\"}")));
        template = app.camelContext().createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        template.close();
        app.close();
    }

    @Test
    void answersDeletedForASuccess() throws Exception {
        JsonNode answer = call("{\"classificationId\":\"d1\",\"batchId\":\"ok1\"}");
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0).get("outcome").asText()).isEqualTo("DELETED");
        assertThat(answer.get(0).get("batchId").asText()).isEqualTo("ok1");
        app.wireMock.verify(1, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY))
                .withRequestBody(equalTo(body("d1", "ok1"))));
        // once deleted, a second call is not sent again
        assertThat(call("{\"classificationId\":\"d1\",\"batchId\":\"ok1\"}").get(0).get("outcome").asText())
                .isEqualTo("SKIPPED_ALREADY_DELETED");
    }

    @Test
    void answersRejectedWithTheApiMessageForAFailureAndDeadLettersIt() throws Exception {
        JsonNode answer = call(Map.of("classificationId", "d1", "batchId", "nope1"));
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0).get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(answer.get(0).get("message").asText()).isEqualTo("Batch not found");
        assertThat(app.deadLetters("direct-calls")).anySatisfy(r -> {
            assertThat(r.get("batchId").asText()).isEqualTo("nope1");
            assertThat(r.get("reason").asText()).isEqualTo("REJECTED");
        });
    }

    @Test
    void answersInvalidInputWithoutACall() throws Exception {
        JsonNode answer = call("{\"classificationId\":\"d1\",\"batchId\":\"has space\"}");
        assertThat(answer.get(0).get("outcome").asText()).isEqualTo("INVALID_INPUT");
        app.wireMock.verify(0, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("has space"))));
    }

    @Test
    void theCallersHeadersAndPropertiesAreLeftAlone() throws Exception {
        org.apache.camel.Exchange exchange = template.request("direct:extracta-delete-batch", e -> {
            e.getMessage().setBody("{\"classificationId\":\"d1\",\"batchId\":\"keep1\"}");
            e.getMessage().setHeader("CorrelationId", "abc-123");
            e.getMessage().setHeader("JMSRedelivered", true);
            e.setProperty("callerState", "mine");
        });
        assertThat(exchange.getException()).isNull();
        assertThat(exchange.getMessage().getHeader("CorrelationId")).isEqualTo("abc-123");
        assertThat(exchange.getProperty("callerState")).isEqualTo("mine");
        assertThat(exchange.getProperties().keySet()).noneMatch(k -> k.startsWith("extracta"));
        JsonNode answer = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
        assertThat(answer.get(0).get("outcome").asText()).isEqualTo("DELETED");
    }

    private static JsonNode call(Object request) throws Exception {
        String answer = template.requestBody("direct:extracta-delete-batch", request, String.class);
        return new ObjectMapper().readTree(answer);
    }
}
