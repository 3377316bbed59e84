package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.requestMadeFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HappyPathTest {

    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("happy", Map.of());
        app.wireMock.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void threeRowsAreDeletedWithExactRequests() throws Exception {
        app.drop("three.csv", "classificationId,batchId\nc1,b1\nc1,b2\nc2,b3\n");
        JsonNode report = app.awaitReport("three.csv");

        for (String[] pair : new String[][] {{"c1", "b1"}, {"c1", "b2"}, {"c2", "b3"}}) {
            app.wireMock.verify(exactly(1), deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withHeader("Content-Type", equalTo("application/json"))
                    .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY))
                    .withRequestBody(equalTo("{\"classificationId\":\"" + pair[0] + "\",\"batchId\":\"" + pair[1] + "\"}")));
        }
        assertThat(app.wireMock.getAllServeEvents()).hasSize(3);
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(3);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(3);
        assertThat(app.movedTo(".done", "three.csv")).isPresent();
        assertThat(app.deadLetters("three.csv")).isEmpty();
    }
}
