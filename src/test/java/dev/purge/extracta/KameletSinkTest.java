package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reusable {@code extracta-delete-batch-sink} Kamelet, loaded from the classpath by a plain CamelContext (not this
 * application), against WireMock on loopback: the exact request, headers that cannot redirect it, failures thrown.
 */
class KameletSinkTest {

    static final String API_KEY = "xk-kamelet-0b7e-NEVER-LOGGED";
    private static final String KEY = API_KEY;
    private static final String PATH = "/api/v1/documentClassification/deleteBatch";
    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final String EXACT_BODY = "{\"classificationId\":\"-OPXR1F82I0cRYJPcHNo\",\"batchId\":\"b9dAUzUVlw\"}";

    private WireMockServer api;
    private WireMockServer other;
    private CamelContext camel;
    private ProducerTemplate producer;
    private LogCapture logs;

    @BeforeEach
    void start() throws Exception {
        api = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        other = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        other.start();
        other.stubFor(any(anyUrl()).willReturn(json(200, SUCCESS)));
        logs = LogCapture.capture();
        String sink = "kamelet:extracta-delete-batch-sink?apiKey=" + KEY
                + "&baseUrl=http://127.0.0.1:" + api.port() + "/api/v1";
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("caller").to(sink);
                // retries belong to the caller: the Kamelet must be safe to call again with the same exchange
                from("direct:retrying").routeId("retrying-caller")
                        .errorHandler(defaultErrorHandler().maximumRedeliveries(2).redeliveryDelay(0))
                        .to(sink);
                from("direct:impatient").routeId("impatient-caller").to(sink + "&responseTimeout=300");
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        api.stop();
        other.stop();
        logs.close();
        assertThat(logs.lines()).as("no log line carries the key").noneMatch(l -> l.contains(KEY));
    }

    @Test
    void sendsExactlyTheDocumentedRequestAndDropsExtraFields() {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, SUCCESS)));

        Exchange result = send("direct:in",
                "{\"batchId\":\"b9dAUzUVlw\",\"note\":\"x\",\"classificationId\":\"-OPXR1F82I0cRYJPcHNo\",\"n\":1}",
                Map.of());

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getBody(String.class)).isEqualTo(SUCCESS);
        List<LoggedRequest> requests = api.findAll(deleteRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.get(0);
        assertThat(request.getMethod().getName()).isEqualTo("DELETE");
        assertThat(request.getUrl()).isEqualTo(PATH);
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.getBodyAsString()).isEqualTo(EXACT_BODY);
        assertThat(api.getAllServeEvents()).hasSize(1);
    }

    @Test
    void acceptsTheBodyAsBytesOrAsAMap() {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, SUCCESS)));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("batchId", "b9dAUzUVlw");
        map.put("classificationId", "-OPXR1F82I0cRYJPcHNo");
        map.put("extra", List.of(1, 2));

        Exchange fromBytes = send("direct:in",
                "{\"classificationId\":\"-OPXR1F82I0cRYJPcHNo\",\"batchId\":\"b9dAUzUVlw\",\"x\":null}"
                        .getBytes(StandardCharsets.UTF_8), Map.of());
        Exchange fromMap = send("direct:in", map, Map.of());

        assertThat(fromBytes.getException()).isNull();
        assertThat(fromMap.getException()).isNull();
        assertThat(api.findAll(deleteRequestedFor(urlEqualTo(PATH))))
                .extracting(LoggedRequest::getBodyAsString).containsExactly(EXACT_BODY, EXACT_BODY);
    }

    @Test
    void upstreamHeadersCanNeitherRedirectTheCallNorSwapTheKey() {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, SUCCESS)));
        Map<String, Object> hostile = new LinkedHashMap<>();
        hostile.put(Exchange.HTTP_URI, "http://127.0.0.1:" + other.port() + "/steal");
        hostile.put(Exchange.HTTP_PATH, "/steal");
        hostile.put(Exchange.HTTP_QUERY, "batchId=all");
        hostile.put(Exchange.HTTP_METHOD, "GET");
        hostile.put("Authorization", "Bearer evil");
        hostile.put("X-HTTP-Method-Override", "PURGE");

        Exchange result = send("direct:in", EXACT_BODY, hostile);

        assertThat(result.getException()).isNull();
        assertThat(other.getAllServeEvents()).as("the other server got nothing").isEmpty();
        List<LoggedRequest> requests = api.findAll(deleteRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getUrl()).isEqualTo(PATH);
        assertThat(requests.get(0).getHeaders().getHeader("Authorization").values())
                .containsExactly("Bearer " + KEY);
        assertThat(requests.get(0).containsHeader("X-HTTP-Method-Override")).isFalse();
        assertThat(requests.get(0).getBodyAsString()).isEqualTo(EXACT_BODY);
        assertThat(result.getMessage().getHeader("Authorization")).as("the key does not go back to the caller")
                .isNull();
    }

    @Test
    void aNon2xxAnswerThrowsWithoutTheKeyInTheMessage() {
        // even a server that echoes the key must not get it into the exception message
        api.stubFor(delete(urlEqualTo(PATH))
                .willReturn(json(404, "{\"status\":\"error\",\"message\":\"unknown batch for key " + KEY + "\"}")));

        Exchange result = send("direct:in", EXACT_BODY, Map.of());

        assertThat(result.getException()).isInstanceOf(HttpOperationFailedException.class);
        HttpOperationFailedException failure = (HttpOperationFailedException) result.getException();
        assertThat(failure.getStatusCode()).isEqualTo(404);
        assertThat(failure.getMessage()).contains("404").contains(PATH).doesNotContain(KEY);
        assertThat(result.getMessage().getHeader("Authorization")).as("the key does not go back to the caller")
                .isNull();
        assertThat(api.getAllServeEvents()).hasSize(1);
    }

    @Test
    void a2xxWhoseStatusIsNotSuccessThrows() {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, "{\"status\":\"error\",\"message\":\"x\"}")));

        Exchange result = send("direct:in", EXACT_BODY, Map.of());

        assertThat(result.getException()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HTTP 200").hasMessageContaining("status 'error'");
        assertThat(result.getException().getMessage()).doesNotContain(KEY);
        assertThat(result.getMessage().getHeader("Authorization")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"message\":\"Batch deleted\"}", "{\"status\":\"SUCCESS\"}",
            "{\"status\":true}", "{\"status\":\"" + KEY + "\"}", "{\"status\":\"NEVER\"}"})
    void a2xxThatIsNotAJsonSuccessThrowsWithoutTheKey(String answer) {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, answer)));

        Exchange result = send("direct:in", EXACT_BODY, Map.of());

        assertThat(result.getException()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HTTP 200");
        assertThat(result.getException().getMessage()).doesNotContain(KEY).doesNotContain("'NEVER'");
    }

    @Test
    void aBodyWithoutBatchIdThrowsAndSendsNothing() {
        Exchange result = send("direct:in", "{\"classificationId\":\"-OPXR1F82I0cRYJPcHNo\"}", Map.of());

        assertThat(result.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchId is missing").hasMessageContaining("nothing was sent");
        assertThat(api.getAllServeEvents()).isEmpty();
        assertThat(other.getAllServeEvents()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "[]", "{}", "{\"classificationId\":\"c1\",\"batchId\":\"\"}",
            "{\"classificationId\":\"\",\"batchId\":\"b1\"}", "{\"classificationId\":\"c1\",\"batchId\":null}",
            "{\"classificationId\":\"c1\",\"batchId\":42}", "{\"classificationId\":\"c1\",\"batchId\":[\"b1\"]}",
            "{\"classificationId\":\"c1\",\"batchId\":\" b1\"}",
            "{\"classificationId\":\"c1\",\"batchId\":\"b1\\\",\\\"fileIds\\\":\\\"*\"}",
            "{\"classificationId\":\"c1\",\"batchId\":\"../b1\"}", "{\"classificationId\":\"c1\",\"batchId\":\"b\u0131\"}",
            "{\"classificationId\":\"c1\",\"batchId\":\"${header.Authorization}\"}",
            "{\"classificationId\":\"c1\",\"batchId\":\"b1\",\"batchId\":\"b2\"}",
            "{\"classificationId\":\"c1\", \"classificationId\" :\"c2\",\"batchId\":\"b1\"}"})
    void anInvalidBodyThrowsAndSendsNothing(String body) {
        Exchange result = send("direct:in", body, Map.of());

        assertThat(result.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing was sent");
        assertThat(api.getAllServeEvents()).isEmpty();
    }

    @Test
    void aKeyTwiceIsRefusedWhateverItsOrder() {
        Exchange twice = send("direct:in", "{\"batchId\":\"b1\",\"classificationId\":\"c1\",\"batchId\":\"b2\"}",
                Map.of());
        assertThat(twice.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a key appears twice");
        assertThat(api.getAllServeEvents()).isEmpty();
    }

    @Test
    void aCallersPropertyNamedLikeTheKameletsOwnNeverStandsForTheAnswer() {
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(500, "{\"status\":\"error\",\"message\":\"busy\"}")));
        Exchange result = producer.send("direct:in", exchange -> {
            exchange.getMessage().setBody(EXACT_BODY);
            exchange.setProperty("extractaDeleteBatchAnswer", SUCCESS);
            exchange.getMessage().setHeader("CamelHttpUri", "http://127.0.0.1:9/evil");
        });
        assertThat(result.getException()).as("the API's own 500, not the forged success").isNotNull()
                .hasMessageContaining("500");
        assertThat(api.findAll(deleteRequestedFor(urlEqualTo(PATH)))).hasSize(1);
    }

    @Test
    void theCallerCanRetryTheSameExchange() {
        api.stubFor(delete(urlEqualTo(PATH)).inScenario("retry").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(500, "{\"status\":\"error\",\"message\":\"busy\"}")).willSetStateTo("up"));
        api.stubFor(delete(urlEqualTo(PATH)).inScenario("retry").whenScenarioStateIs("up")
                .willReturn(json(200, SUCCESS)));

        Exchange result = send("direct:retrying", "{\"classificationId\":\"-OPXR1F82I0cRYJPcHNo\","
                + "\"batchId\":\"b9dAUzUVlw\",\"extra\":1}", Map.of("Authorization", "Bearer evil"));

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getBody(String.class)).isEqualTo(SUCCESS);
        List<LoggedRequest> requests = api.findAll(deleteRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
        assertThat(requests).extracting(LoggedRequest::getBodyAsString).containsExactly(EXACT_BODY, EXACT_BODY);
    }

    @Test
    void theHttpClientNeverRetriesUnderneathTheCaller() {
        // Apache HttpClient 5 would by itself send an idempotent DELETE again after a 503 or a 429
        api.stubFor(delete(urlEqualTo(PATH)).inScenario("hidden").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(503, "{\"status\":\"error\",\"message\":\"busy\"}").withHeader("Retry-After", "0"))
                .willSetStateTo("up"));
        api.stubFor(delete(urlEqualTo(PATH)).inScenario("hidden").whenScenarioStateIs("up")
                .willReturn(json(200, SUCCESS)));

        Exchange result = send("direct:in", EXACT_BODY, Map.of());

        assertThat(result.getException()).isInstanceOf(HttpOperationFailedException.class);
        assertThat(((HttpOperationFailedException) result.getException()).getStatusCode()).isEqualTo(503);
        assertThat(api.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aSlowAnswerTimesOut() {
        // the answer comes after 5 s: a timeout exception (not a success) proves the timeout cut it, on a machine of
        // any speed
        api.stubFor(delete(urlEqualTo(PATH)).willReturn(json(200, SUCCESS).withFixedDelay(5_000)));

        Exchange result = send("direct:impatient", EXACT_BODY, Map.of());

        assertThat(result.getException()).isInstanceOf(SocketTimeoutException.class);
        assertThat(result.getException().getMessage()).doesNotContain(KEY);
        assertThat(result.getMessage().getHeader("Authorization")).isNull();
    }

    @Test
    void theApiKeyIsRequired() throws Exception {
        try (CamelContext withoutKey = new DefaultCamelContext()) {
            withoutKey.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:nokey").to("kamelet:extracta-delete-batch-sink?baseUrl=http://127.0.0.1:"
                            + api.port() + "/api/v1");
                }
            });
            assertThatThrownBy(withoutKey::start).rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mandatory parameters").hasMessageContaining("apiKey");
        }
        assertThat(api.getAllServeEvents()).isEmpty();
    }

    private Exchange send(String endpoint, Object body, Map<String, Object> headers) {
        return producer.send(endpoint, exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().getHeaders().putAll(headers);
        });
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
