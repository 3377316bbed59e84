package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
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
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.run.RunInterruptedException;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code extracta-delete-batch-sink} Kamelet is a thin wrapper over {@code direct:extracta-delete-batch}: the real
 * application (loaded from the classpath by Camel Main) with a caller route in YAML that sends through the Kamelet,
 * against WireMock on loopback. A second application, its API stubbed alike, gets the same input straight at the direct
 * entrance: both must send the same request, answer the same outcomes and write the same dead-letter records.
 */
public class KameletSinkTest {

    /** The key both applications use; the leak scan (ApiKeyLeakScanIT) greps every test output for it. */
    public static final String API_KEY = "xk-kamelet-0b7e-NEVER-LOGGED";
    private static final String CALLER = "direct:kamelet-caller";
    private static final String DIRECT = "direct:extracta-delete-batch";
    private static final String CALLER_ROUTE = """
            - route:
                id: kamelet-caller
                from:
                  uri: direct:kamelet-caller
                  steps:
                    - to: kamelet:extracta-delete-batch-sink
            """;
    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static LogCapture logs;
    static WireMockServer other;
    static TestApp viaKamelet;
    static TestApp viaDirect;
    static ProducerTemplate kamelet;
    static ProducerTemplate direct;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.capture();
        other = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        other.start();
        other.stubFor(any(anyUrl()).willReturn(json(200, SUCCESS)));
        viaKamelet = TestApp.start("kamelet", Map.of("extracta.api-key", API_KEY));
        viaDirect = TestApp.start("kamelet-direct", Map.of("extracta.api-key", API_KEY));
        for (TestApp app : List.of(viaKamelet, viaDirect)) {
            stubApi(app.wireMock);
        }
        // a route of the application's own, as one in its routes folder would be
        PluginHelper.getRoutesLoader(viaKamelet.camelContext())
                .loadRoutes(ResourceHelper.fromString("kamelet-caller.camel.yaml", CALLER_ROUTE));
        kamelet = viaKamelet.camelContext().createProducerTemplate();
        direct = viaDirect.camelContext().createProducerTemplate();
    }

    private static void stubApi(WireMockServer api) {
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("gone1")))
                .willReturn(json(404, "{\"status\":\"error\",\"message\":\"Batch not found\"}")));
        // a 500 that deleted all the same: the retry finds the batch gone
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1).inScenario("late")
                .whenScenarioStateIs(Scenario.STARTED)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("late1")))
                .willReturn(json(500, "{\"status\":\"error\",\"message\":\"busy\"}")).willSetStateTo("gone"));
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1).inScenario("late")
                .whenScenarioStateIs("gone")
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("late1")))
                .willReturn(json(404, "{\"status\":\"error\",\"message\":\"Batch not found\"}")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            kamelet.close();
            direct.close();
            viaKamelet.close();
            viaDirect.close();
            other.stop();
        } finally {
            logs.close();
        }
        assertThat(logs.lines()).as("lines logged").isNotEmpty();
        assertThat(logs.lines()).as("no log line carries the key").noneMatch(l -> l.contains(API_KEY));
    }

    @Test
    void aValidRequestIsDeletedOnceWithTheApplicationsKeyAndTheExactBody() throws Exception {
        String request = body("-OPXR1F82I0cRYJPcHNo", "b9dAUzUVlw");

        Same same = sendBoth(request);

        assertThat(same.answer()).hasSize(1);
        assertThat(same.answer().get(0).get("outcome").asText()).isEqualTo("DELETED");
        assertThat(same.answer().get(0).get("batchId").asText()).isEqualTo("b9dAUzUVlw");
        assertThat(same.deadLetters()).isEmpty();
        LoggedRequest sent = onlyRequestFor(viaKamelet.wireMock, "b9dAUzUVlw");
        assertThat(sent.getMethod().getName()).isEqualTo("DELETE");
        assertThat(sent.getUrl()).isEqualTo(TestApp.DELETE_PATH);
        assertThat(sent.getHeaders().getHeader("Authorization").values()).containsExactly("Bearer " + API_KEY);
        assertThat(sent.getHeader("Content-Type")).startsWith("application/json");
        assertThat(sent.getBodyAsString()).isEqualTo(request);
        LoggedRequest sentDirect = onlyRequestFor(viaDirect.wireMock, "b9dAUzUVlw");
        assertThat(sent.getBodyAsString()).isEqualTo(sentDirect.getBodyAsString());
        assertThat(sent.getHeader("Authorization")).isEqualTo(sentDirect.getHeader("Authorization"));

        // the same pair again: the application remembers it, nothing is sent a second time
        Same again = sendBoth(request);
        assertThat(again.answer().get(0).get("outcome").asText()).isEqualTo("SKIPPED_ALREADY_DELETED");
        assertThat(viaKamelet.wireMock.findAll(requestsFor("b9dAUzUVlw"))).hasSize(1);
    }

    @Test
    void a404AfterAnAttemptThatMayHaveDeletedIsAlreadyAbsent() throws Exception {
        Same same = sendBoth(body("c1", "late1"));

        assertThat(same.answer().get(0).get("outcome").asText()).isEqualTo("ALREADY_ABSENT");
        assertThat(same.deadLetters()).isEmpty();
        assertThat(viaKamelet.wireMock.findAll(requestsFor("late1"))).as("the 500, then its retry").hasSize(2);
        assertThat(viaDirect.wireMock.findAll(requestsFor("late1"))).hasSize(2);
    }

    @Test
    void aFirst404IsRejectedAnsweredAndDeadLetteredNotThrown() throws Exception {
        Same same = sendBoth(body("c1", "gone1"));

        assertThat(same.answer().get(0).get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(same.answer().get(0).get("message").asText()).isEqualTo("Batch not found");
        assertThat(same.deadLetters()).hasSize(1);
        JsonNode record = same.deadLetters().get(0);
        assertThat(record.get("batchId").asText()).isEqualTo("gone1");
        assertThat(record.get("source").asText()).isEqualTo("direct-calls");
        assertThat(record.get("reason").asText()).isEqualTo("REJECTED");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(404);
        assertThat(viaKamelet.wireMock.findAll(requestsFor("gone1"))).as("a 4xx is not retried").hasSize(1);
    }

    @Test
    void anInvalidIdIsInvalidInputDeadLetteredAndNothingIsSent() throws Exception {
        int before = viaKamelet.wireMock.getAllServeEvents().size();

        Same same = sendBoth(body("c1", "has space"));

        assertThat(same.answer().get(0).get("outcome").asText()).isEqualTo("INVALID_INPUT");
        assertThat(same.deadLetters()).hasSize(1);
        assertThat(same.deadLetters().get(0).get("reason").asText()).isEqualTo("INVALID_INPUT");
        assertThat(same.deadLetters().get(0).get("batchId").asText()).isEqualTo("has space");
        assertThat(viaKamelet.wireMock.getAllServeEvents()).as("nothing sent").hasSize(before);
    }

    @Test
    void aKeyTwiceIsRefusedAsTheDirectEntranceRefusesItAndNothingIsSent() throws Exception {
        int before = viaKamelet.wireMock.getAllServeEvents().size();

        Same same = sendBoth("{\"classificationId\":\"c1\",\"batchId\":\"twice1\",\"batchId\":\"twice2\"}");

        assertThat(same.answer().get(0).get("outcome").asText()).isEqualTo("UNREADABLE_MESSAGE");
        assertThat(same.deadLetters()).hasSize(1);
        assertThat(viaKamelet.wireMock.getAllServeEvents()).as("nothing sent").hasSize(before);
    }

    @Test
    void takesTheBodyAsBytesOrAMapAsTheDirectEntranceDoes() throws Exception {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("batchId", "map1");
        map.put("classificationId", "c1");

        Same fromMap = sendBoth(map);
        Same fromBytes = sendBoth(body("c1", "bytes1").getBytes(StandardCharsets.UTF_8));

        assertThat(fromMap.answer().get(0).get("outcome").asText()).isEqualTo("DELETED");
        assertThat(fromBytes.answer().get(0).get("outcome").asText()).isEqualTo("DELETED");
        assertThat(onlyRequestFor(viaKamelet.wireMock, "map1").getBodyAsString()).isEqualTo(body("c1", "map1"));
        assertThat(onlyRequestFor(viaKamelet.wireMock, "bytes1").getBodyAsString()).isEqualTo(body("c1", "bytes1"));
    }

    @Test
    void callersHeadersCanNeitherRedirectTheCallNorSwapTheKey() throws Exception {
        Map<String, Object> hostile = new LinkedHashMap<>();
        hostile.put(Exchange.HTTP_URI, "http://127.0.0.1:" + other.port() + "/steal");
        hostile.put(Exchange.HTTP_PATH, "/steal");
        hostile.put(Exchange.HTTP_QUERY, "batchId=all");
        hostile.put(Exchange.HTTP_METHOD, "GET");
        hostile.put("Authorization", "Bearer evil");
        hostile.put("X-HTTP-Method-Override", "PURGE");
        hostile.put("Content-Type", "text/plain");

        Exchange result = kamelet.request(CALLER, e -> {
            e.getMessage().setBody(body("c1", "hdr1"));
            e.getMessage().getHeaders().putAll(hostile);
            e.setProperty("callerState", "mine");
        });

        assertThat(result.getException()).isNull();
        assertThat(answerOf(result).get(0).get("outcome").asText()).isEqualTo("DELETED");
        assertThat(other.findAll(anyRequestedFor(anyUrl()))).as("the other server got nothing").isEmpty();
        LoggedRequest sent = onlyRequestFor(viaKamelet.wireMock, "hdr1");
        assertThat(sent.getMethod().getName()).isEqualTo("DELETE");
        assertThat(sent.getUrl()).isEqualTo(TestApp.DELETE_PATH);
        assertThat(sent.getHeaders().getHeader("Authorization").values()).containsExactly("Bearer " + API_KEY);
        assertThat(sent.containsHeader("X-HTTP-Method-Override")).isFalse();
        assertThat(sent.getBodyAsString()).isEqualTo(body("c1", "hdr1"));
        // the Kamelet removed the caller's headers before the call: they do not come back; properties do
        assertThat(result.getMessage().getHeaders()).doesNotContainKeys(hostile.keySet().toArray(String[]::new));
        assertThat(result.getProperty("callerState")).isEqualTo("mine");
        assertKeyNotIn(result);
    }

    @Test
    void aRefusedKeyThrowsAsTheDirectEntranceThrowsAndDeadLettersNothing() throws Exception {
        // a 401 halts all sending of an application: this pair of applications is this test's own
        try (TestApp refusedKamelet = TestApp.start("kamelet-401", Map.of("extracta.api-key", API_KEY));
             TestApp refusedDirect = TestApp.start("kamelet-401-direct", Map.of("extracta.api-key", API_KEY))) {
            for (TestApp app : List.of(refusedKamelet, refusedDirect)) {
                app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                        .willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
            }
            PluginHelper.getRoutesLoader(refusedKamelet.camelContext())
                    .loadRoutes(ResourceHelper.fromString("kamelet-caller.camel.yaml", CALLER_ROUTE));

            Exchange throughKamelet = refusedKamelet.camelContext().createFluentProducerTemplate().to(CALLER)
                    .withBody(body("c1", "refused1")).send();
            Exchange throughDirect = refusedDirect.camelContext().createFluentProducerTemplate().to(DIRECT)
                    .withBody(body("c1", "refused1")).send();

            assertThat(throughKamelet.getException()).as("through the Kamelet").isNotNull()
                    .isExactlyInstanceOf(throughDirect.getException().getClass())
                    .hasMessage(throughDirect.getException().getMessage());
            assertThat(throughKamelet.getException()).isInstanceOf(RunInterruptedException.class);
            assertThat(throughKamelet.getException().getMessage()).doesNotContain(API_KEY);
            assertThat(refusedKamelet.deadLetters("direct-calls")).as("a stopped request is not final").isEmpty();
            assertThat(refusedDirect.deadLetters("direct-calls")).isEmpty();
            assertThat(refusedKamelet.wireMock.findAll(requestsFor("refused1"))).hasSize(1);
            assertKeyNotIn(throughKamelet);
        }
    }

    /** The answer and dead-letter records of one input sent through the Kamelet, once checked equal to the direct's. */
    private record Same(JsonNode answer, List<JsonNode> deadLetters) {
    }

    /**
     * Sends {@code body} through the Kamelet in one application and to the direct entrance in the other; asserts that
     * neither throws, that both answer the same outcomes and write the same dead-letter records (but for their times),
     * and that the key reached neither exchange.
     */
    private static Same sendBoth(Object body) throws Exception {
        int kameletRecords = viaKamelet.deadLetters("direct-calls").size();
        int directRecords = viaDirect.deadLetters("direct-calls").size();

        Exchange throughKamelet = kamelet.request(CALLER, e -> e.getMessage().setBody(body));
        Exchange throughDirect = direct.request(DIRECT, e -> e.getMessage().setBody(body));

        assertThat(throughKamelet.getException()).as("through the Kamelet").isNull();
        assertThat(throughDirect.getException()).as("through the direct entrance").isNull();
        assertKeyNotIn(throughKamelet);
        JsonNode answer = answerOf(throughKamelet);
        assertThat(answer).as("the Kamelet's answer is the direct entrance's").isEqualTo(answerOf(throughDirect));
        List<JsonNode> records = newRecords(viaKamelet, kameletRecords);
        assertThat(records).as("the Kamelet's dead letters are the direct entrance's")
                .isEqualTo(newRecords(viaDirect, directRecords));
        return new Same(answer, records);
    }

    private static JsonNode answerOf(Exchange exchange) throws Exception {
        JsonNode answer = MAPPER.readTree(exchange.getMessage().getBody(String.class));
        assertThat(answer.isArray()).as("the body is the JSON array of outcomes").isTrue();
        return answer;
    }

    /** The records written since there were {@code before}, without their attempt times. */
    private static List<JsonNode> newRecords(TestApp app, int before) throws Exception {
        List<JsonNode> records = app.deadLetters("direct-calls");
        return records.subList(before, records.size()).stream().map(r -> {
            ObjectNode copy = ((ObjectNode) r).deepCopy();
            copy.remove(List.of("firstAttemptAt", "lastAttemptAt"));
            return (JsonNode) copy;
        }).toList();
    }

    private static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder requestsFor(String batchId) {
        return deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId)));
    }

    private static LoggedRequest onlyRequestFor(WireMockServer api, String batchId) {
        List<LoggedRequest> requests = api.findAll(requestsFor(batchId));
        assertThat(requests).as("requests for " + batchId).hasSize(1);
        return requests.get(0);
    }

    /** The key is added inside the HTTP client: it never enters the caller's exchange. */
    private static void assertKeyNotIn(Exchange exchange) {
        assertThat(exchange.getMessage().getHeaders().values()).noneMatch(v -> String.valueOf(v).contains(API_KEY));
        assertThat(exchange.getProperties().values()).noneMatch(v -> String.valueOf(v).contains(API_KEY));
        assertThat(exchange.getMessage().getBody(String.class)).doesNotContain(API_KEY);
    }
}
