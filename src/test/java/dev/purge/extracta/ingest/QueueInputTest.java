package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.TestApp;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The queue entrance against a real Artemis broker embedded in the test JVM, reached over TCP on loopback. */
class QueueInputTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final String QUEUE = "extracta.delete-batch";
    private static final String DLQ = "extracta.delete-batch.DLQ";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static EmbeddedBroker broker;
    static TestApp app;
    static Connection connection;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start();
        // one consumer: a poison message redelivered forever would block the queue, and the test would see it
        app = TestApp.start("queue", Map.of("extracta.queue.enabled", "true",
                "extracta.queue.broker-url", broker.url, "extracta.concurrency", "1"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("refused1")))
                .willReturn(json(400, "{\"status\":\"error\",\"message\":\"Invalid batch\"}")));
        connection = new ActiveMQConnectionFactory(broker.url).createConnection();
        connection.start();
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        app.close();
        broker.close();
    }

    @Test
    void objectArrayAndCsvBodiesGoThroughThePipelineAndAreAnswered() throws Exception {
        List<JsonNode> object = sendAndAwaitReply("{\"classificationId\":\"q1\",\"batchId\":\"obj1\",\"note\":\"x\"}");
        List<JsonNode> array = sendAndAwaitReply("[{\"classificationId\":\"q1\",\"batchId\":\"arr1\"},"
                + "{\"classificationId\":\"q1\",\"batchId\":\"arr2\"}]");
        List<JsonNode> csv = sendAndAwaitReply("classificationId;batchId\nq1;csv1\nq1;csv2\n");

        assertThat(object).singleElement().satisfies(r -> {
            assertThat(r.get("batchId").asText()).isEqualTo("obj1");
            assertThat(r.get("outcome").asText()).isEqualTo("DELETED");
        });
        assertThat(array).extracting(r -> r.get("outcome").asText()).containsExactly("DELETED", "DELETED");
        assertThat(csv).extracting(r -> r.get("batchId").asText()).containsExactly("csv1", "csv2");
        for (String batch : List.of("obj1", "arr1", "arr2", "csv1", "csv2")) {
            app.wireMock.verify(1, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY))
                    .withRequestBody(equalTo(body("q1", batch))));
        }
    }

    @Test
    void aFailingRequestGoesToTheDeadLetterQueueWithTheMessageIdAsSource() throws Exception {
        List<JsonNode> reply = sendAndAwaitReply("[{\"classificationId\":\"q2\",\"batchId\":\"refused1\"},"
                + "{\"classificationId\":\"q2\",\"batchId\":\"fine1\"}]");
        assertThat(reply).extracting(r -> r.get("outcome").asText()).containsExactly("REJECTED", "DELETED");
        JsonNode record = receive(DLQ, "refused1");
        assertThat(record.get("reason").asText()).isEqualTo("REJECTED");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(400);
        assertThat(record.get("classificationId").asText()).isEqualTo("q2");
        assertThat(record.get("line").asLong()).isEqualTo(1);
        assertThat(record.get("source").asText()).startsWith("ID:");
        assertThat(record.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aPoisonMessageEndsInTheDeadLetterQueueAndDoesNotBlockTheQueue() throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
        producer.send(session.createTextMessage("{this is not json"));
        producer.send(session.createTextMessage("{\"classificationId\":\"q3\"}"));
        session.close();
        JsonNode poison = receive(DLQ, "UNREADABLE_MESSAGE");
        assertThat(poison.get("message").asText()).contains("not valid JSON");
        JsonNode missing = receive(DLQ, "\"q3\"");
        assertThat(missing.get("reason").asText()).isEqualTo("INVALID_INPUT");
        assertThat(missing.get("message").asText()).contains("batchId");
        // the queue keeps flowing
        assertThat(sendAndAwaitReply("{\"classificationId\":\"q3\",\"batchId\":\"after-poison\"}"))
                .singleElement().satisfies(r -> assertThat(r.get("outcome").asText()).isEqualTo("DELETED"));
    }

    @Test
    void aMessageWithAKeyTwiceOrAHeaderThatNamesNoAcceptedColumnIsRefusedWholeAndNothingIsSent() throws Exception {
        List<JsonNode> twice = sendAndAwaitReply(
                "{\"classificationId\":\"q9\",\"batchId\":\"twice-first\",\"batchId\":\"twice-second\"}");
        assertThat(twice).singleElement().satisfies(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("UNREADABLE_MESSAGE");
            assertThat(r.get("message").asText()).contains("a key appears twice");
        });
        List<JsonNode> header = sendAndAwaitReply("id,batch\nq9,header-as-row\n");
        assertThat(header).singleElement().satisfies(r ->
                assertThat(r.get("message").asText()).contains("looks like a header"));
        assertThat(receive(DLQ, "a key appears twice").get("reason").asText()).isEqualTo("UNREADABLE_MESSAGE");
        for (String batch : List.of("twice-first", "twice-second", "batch", "header-as-row")) {
            app.wireMock.verify(0, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withRequestBody(matchingJsonPath("$.batchId", equalTo(batch))));
        }
    }

    private static List<JsonNode> sendAndAwaitReply(String text) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            Destination replyTo = session.createTemporaryQueue();
            TextMessage message = session.createTextMessage(text);
            message.setJMSReplyTo(replyTo);
            session.createProducer(session.createQueue(QUEUE)).send(message);
            MessageConsumer consumer = session.createConsumer(replyTo);
            Message reply = consumer.receive(TestApp.TIMEOUT.toMillis());
            assertThat(reply).as("reply to " + text).isNotNull();
            return MAPPER.readValue(((TextMessage) reply).getText(),
                    MAPPER.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
        } finally {
            session.close();
        }
    }

    /** The first record on the queue whose text contains the marker; others are left alone. */
    private static JsonNode receive(String queue, String marker) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue),
                    null);
            JsonNode[] found = new JsonNode[1];
            await().atMost(TestApp.TIMEOUT).until(() -> {
                Message m = consumer.receive(200);
                if (m instanceof TextMessage t && t.getText().contains(marker)) {
                    found[0] = MAPPER.readTree(t.getText());
                    return true;
                }
                return false;
            });
            return found[0];
        } finally {
            session.close();
        }
    }
}
