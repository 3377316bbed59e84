package dev.purge.extracta.outcome;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.forBatch;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.StompSender;
import dev.purge.extracta.testsupport.TestApp;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hardening, trust boundaries: nothing a sender or caller sets steers a safety decision. A message's forged
 * {@code jmsredelivered}, {@code jmsXDeliveryCount}, {@code CamelRedeliveryDelay} or {@code cAmElHttpUri} (over STOMP or
 * as JMS properties), or a direct caller's exchange properties named like ours, never turn a first-attempt 404 into
 * ALREADY_ABSENT, never hold a retry, never redirect the call.
 */
class ForgedStateTest {

    private static final String NOT_FOUND = "{\"status\":\"error\",\"message\":\"Batch not found\"}";
    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static EmbeddedBroker broker;
    static TestApp app;
    static Connection connection;
    static ProducerTemplate template;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start();
        broker.createQueue("forged.delete-batch");
        app = TestApp.start("forged", Map.of("extracta.queue.enabled", "true", "extracta.queue.broker-url", broker.url,
                "extracta.queue.uri", "jms:queue:forged.delete-batch",
                "extracta.queue.deadletter-uri", "jms:queue:forged.delete-batch.DLQ",
                "extracta.retry.initial-delay", "10"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(404, NOT_FOUND)));
        connection = new ActiveMQConnectionFactory(broker.url).createConnection();
        connection.start();
        template = app.camelContext().createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        template.close();
        connection.close();
        app.close();
        broker.close();
    }

    private static final Map<String, String> FORGED = Map.of(
            "jmsredelivered", "true",
            "jmsXDeliveryCount", "7",
            "CamelRedeliveryDelay", "600000",
            "cAmElHttpUri", "http://127.0.0.1:9/evil",
            "extractaClaimTakenOver", "true");

    /** A temporary reply queue and its consumer, for a message sent by another client. */
    private static JsonNode replyTo(Destination replies, MessageConsumer consumer) throws Exception {
        return replyTo(replies, consumer, null);
    }

    /** The reply, which carries the request's correlation ID (the headers dropped on entry never include it). */
    private static JsonNode replyTo(Destination replies, MessageConsumer consumer, String correlationId)
            throws Exception {
        Message reply = consumer.receive(TestApp.TIMEOUT.toMillis());
        assertThat(reply).as("a reply").isNotNull();
        if (correlationId != null) {
            assertThat(reply.getJMSCorrelationID()).isEqualTo(correlationId);
        }
        return MAPPER.readTree(((TextMessage) reply).getText());
    }

    @Test
    void headersForgedOverStompSteerNothing() throws Exception {
        // a file of this instance holds the pair (its delete is slow); a message for the same pair then claims to
        // be a redelivery: it must wait for the file's request like any other, and find the pair gone
        app.wireMock.stubFor(forBatch("held-stomp").willReturn(json(200, SUCCESS).withFixedDelay(700)));
        app.drop("held-stomp.csv", "classificationId,batchId\nf1,held-stomp\n");
        org.awaitility.Awaitility.await().atMost(TestApp.TIMEOUT).until(() -> sent("held-stomp") == 1);
        StompSender.send(broker.url, "forged.delete-batch", FORGED,
                "[{\"classificationId\":\"f1\",\"batchId\":\"held-stomp\"},"
                        + "{\"classificationId\":\"f1\",\"batchId\":\"stomp-404\"}]");
        JsonNode record = receive("forged.delete-batch.DLQ", "stomp-404");
        assertThat(record.get("reason").asText()).as("a first-attempt 404 is a refusal, whatever the headers say")
                .isEqualTo("REJECTED");
        assertThat(record.has("mayHaveBeenDeleted")).isFalse();
        // a message sent over STOMP has no JMS message ID: it is named by its queue, time and body digest
        assertThat(record.get("source").asText()).matches("forged\\.delete-batch message sent "
                + "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z sha256:[0-9a-f]{12}");
        assertThat(sent("held-stomp")).as("never sent twice: the forged redelivery waited for the claim").isEqualTo(1);
        assertThat(sent("stomp-404")).isEqualTo(1);
    }

    private static int sent(String batch) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batch)))).size();
    }

    @Test
    void propertiesForgedByAJmsProducerSteerNothing() throws Exception {
        // the first attempt fails (503), the retry is at once despite a forged CamelRedeliveryDelay of 10 minutes
        app.wireMock.stubFor(forBatch("jms-retry").inScenario("jms-retry").whenScenarioStateIs(STARTED)
                .willReturn(json(503, "{\"status\":\"error\"}")).willSetStateTo("ok"));
        app.wireMock.stubFor(forBatch("jms-retry").inScenario("jms-retry").whenScenarioStateIs("ok")
                .willReturn(json(200, SUCCESS)));
        app.wireMock.stubFor(forBatch("held-jms").willReturn(json(200, SUCCESS).withFixedDelay(700)));
        app.drop("held-jms.csv", "classificationId,batchId\nf1,held-jms\n");
        org.awaitility.Awaitility.await().atMost(TestApp.TIMEOUT).until(() -> sent("held-jms") == 1);
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            Destination replies = session.createTemporaryQueue();
            MessageConsumer consumer = session.createConsumer(replies);
            TextMessage message = session.createTextMessage("[{\"classificationId\":\"f1\",\"batchId\":\"held-jms\"},"
                    + "{\"classificationId\":\"f1\",\"batchId\":\"jms-404\"},"
                    + "{\"classificationId\":\"f1\",\"batchId\":\"jms-retry\"}]");
            FORGED.forEach((name, value) -> {
                try {
                    message.setStringProperty(name, value);
                } catch (jakarta.jms.JMSException e) {
                    throw new IllegalStateException(e);
                }
            });
            message.setJMSReplyTo(replies);
            message.setJMSCorrelationID("forged-correlation-1");
            session.createProducer(session.createQueue("forged.delete-batch")).send(message);
            JsonNode reply = replyTo(replies, consumer, "forged-correlation-1");
            assertThat(reply).extracting(r -> r.get("outcome").asText())
                    .containsExactly("SKIPPED_ALREADY_DELETED", "REJECTED", "DELETED");
        } finally {
            session.close();
        }
        assertThat(sent("jms-retry")).isEqualTo(2);
        assertThat(sent("held-jms")).as("never sent twice").isEqualTo(1);
    }

    @Test
    void exchangePropertiesAndHeadersForgedByADirectCallerSteerNothing() throws Exception {
        Exchange result = template.request("direct:extracta-delete-batch", e -> {
            e.getMessage().setBody("{\"classificationId\":\"f1\",\"batchId\":\"direct-404\"}");
            e.setProperty("extractaClaimTakenOver", true);
            e.setProperty("extractaSentEarlier", true);
            e.setProperty("extractaRow", "not a row");
            e.setProperty("extractaRun", "not a run");
            e.setProperty("extractaDeadLetterUri", "file:/tmp/elsewhere");
            e.getMessage().setHeader("CamelHttpUri", "http://127.0.0.1:9/evil");
            e.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 600_000L);
            e.getMessage().setHeader("JMSRedelivered", true);
        });
        assertThat(result.getException()).isNull();
        JsonNode answer = MAPPER.readTree(result.getMessage().getBody(String.class));
        assertThat(answer).singleElement().satisfies(r ->
                assertThat(r.get("outcome").asText()).isEqualTo("REJECTED"));
        assertThat(app.deadLetters("direct-calls")).anySatisfy(r ->
                assertThat(r.get("batchId").asText()).isEqualTo("direct-404"));
        assertThat(result.getProperty("extractaClaimTakenOver")).as("the caller's own state is left alone")
                .isEqualTo(true);
    }

    private static JsonNode receive(String queue, String marker) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            long until = System.currentTimeMillis() + TestApp.TIMEOUT.toMillis();
            while (System.currentTimeMillis() < until) {
                Message m = consumer.receive(500);
                if (m instanceof TextMessage t && t.getText().contains(marker)) {
                    return MAPPER.readTree(t.getText());
                }
            }
            throw new AssertionError("no record with " + marker + " on " + queue);
        } finally {
            session.close();
        }
    }

}
