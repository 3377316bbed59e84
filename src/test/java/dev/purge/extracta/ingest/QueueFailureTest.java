package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.StatefulDeleteApi;
import dev.purge.extracta.testsupport.TestApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What happens to a queue message when something other than the API fails, on a real Artemis broker (TCP on
 * loopback), a real PostgreSQL for the shared repository, and an API on WireMock that deletes a batch once and
 * answers 404 after: the dead-letter queue refusing records, the database going away before and after a delete, the
 * key refused mid-message, a shutdown mid-message, and the same pair in several messages at once.
 */
class QueueFailureTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Its address may not be created on the fly: sending a record to it fails until the test creates it. */
    private static final String REFUSING_DLQ = "refusing.DLQ";
    private static final String TABLE = "CAMEL_MESSAGEPROCESSED";
    static EmbeddedBroker broker;
    static EmbeddedPostgres postgres;
    static Connection connection;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start(configuration -> configuration
                // what the README asks operators to set: the broker never drops a message after N deliveries
                .addAddressSetting("#", new AddressSettings().setMaxDeliveryAttempts(-1))
                .addAddressSetting(REFUSING_DLQ, refusing())
                // the client falls back to the 1.x name of a queue it cannot find
                .addAddressSetting("jms.queue." + REFUSING_DLQ, refusing()));
        postgres = EmbeddedPostgres.builder().start();
        connection = new ActiveMQConnectionFactory(broker.url).createConnection();
        connection.start();
    }

    private static AddressSettings refusing() {
        return new AddressSettings().setMaxDeliveryAttempts(-1).setAutoCreateAddresses(false).setAutoCreateQueues(false);
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        postgres.close();
        broker.close();
    }

    private static Map<String, String> worker(String name, String repository) {
        Map<String, String> p = new HashMap<>();
        p.put("extracta.queue.enabled", "true");
        p.put("extracta.queue.broker-url", broker.url);
        p.put("extracta.queue.uri", "jms:queue:" + name + ".delete-batch");
        p.put("extracta.queue.deadletter-uri", "jms:queue:" + name + ".DLQ");
        p.put("extracta.queue.redelivery-delay", "200");
        p.put("extracta.queue.max-redelivery-delay", "1000");
        p.put("extracta.idempotency.repository", repository);
        p.put("extracta.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"));
        p.put("extracta.jdbc.username", "postgres");
        return p;
    }

    /** An API that deletes a batch once and answers 404 after, 400 for batches named bad…, with these extras. */
    private static TestApp startWithApi(String name, Map<String, String> properties, int latencyMillis,
            ResponseDefinitionTransformerV2... extras) throws Exception {
        List<Object> extensions = new ArrayList<>(List.of(new StatefulDeleteApi()));
        extensions.addAll(List.of(extras));
        TestApp app = TestApp.start(name, properties, WireMockConfiguration.options()
                .extensions(extensions.toArray(new com.github.tomakehurst.wiremock.extension.Extension[0])));
        List<String> transformers = new ArrayList<>();
        for (ResponseDefinitionTransformerV2 extra : extras) {
            transformers.add(extra.getName());
        }
        transformers.add(StatefulDeleteApi.NAME);
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(aResponse()
                .withFixedDelay(latencyMillis).withTransformers(transformers.toArray(new String[0]))));
        return app;
    }

    @Test
    void aDeadLetterQueueThatRefusesTheRecordRollsTheMessageBackUntilTheRecordCanBeWritten() throws Exception {
        Map<String, String> properties = worker("refusing", "deletedPairsFile");
        properties.put("extracta.queue.deadletter-uri", "jms:queue:" + REFUSING_DLQ);
        properties.put("extracta.concurrency", "1");
        try (LogCapture log = LogCapture.capture();
             TestApp app = startWithApi("dlq-refused", properties, 0)) {
            send("refusing.delete-batch", "{\"classificationId\":\"f1\",\"batchId\":\"bad-dlq1\"}", null);

            // the record cannot be written: the message goes back, held a while first, and comes again
            await().atMost(TestApp.TIMEOUT).until(() -> requestsFor(app, "bad-dlq1").size() >= 3);
            assertThat(broker.messageCount("refusing.delete-batch")).as("the message is not lost").isEqualTo(1);
            assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN Message ID:")
                    && l.contains("is rolled back for redelivery") && l.contains("dead-letter record"));
            List<LoggedRequest> attempts = requestsFor(app, "bad-dlq1");
            long firstGap = attempts.get(1).getLoggedDate().getTime() - attempts.get(0).getLoggedDate().getTime();
            long secondGap = attempts.get(2).getLoggedDate().getTime() - attempts.get(1).getLoggedDate().getTime();
            assertThat(firstGap).as("held 200 ms before the first redelivery").isGreaterThanOrEqualTo(190);
            assertThat(secondGap).as("then 400 ms").isGreaterThanOrEqualTo(390);
            StateWrites writes = app.camelContext().getRegistry().lookupByNameAndType("stateWrites",
                    StateWrites.class);
            assertThat(writes.healthy()).as("readiness DOWN while the dead-letter queue refuses records").isFalse();

            // the operator creates the queue: the next delivery writes the record and the message is acknowledged
            broker.createQueue(REFUSING_DLQ);
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount("refusing.delete-batch") == 0
                    && broker.messageCount(REFUSING_DLQ) == 1);
            JsonNode record = receive(REFUSING_DLQ);
            assertThat(record.get("batchId").asText()).isEqualTo("bad-dlq1");
            assertThat(record.get("reason").asText()).isEqualTo("REJECTED");
            assertThat(record.get("httpStatus").asInt()).isEqualTo(400);
            assertThat(record.get("source").asText()).startsWith("ID:");
            assertThat(broker.messageCount(REFUSING_DLQ)).as("exactly one record").isZero();
            assertThat(writes.healthy()).as("readiness UP once a record went through").isTrue();
        }
    }

    @Test
    void aDatabaseOutageBeforeTheDeleteRollsTheMessageBackWithoutSendingOrDeadLettering() throws Exception {
        try (LogCapture log = LogCapture.capture();
             TestApp app = startWithApi("db-before", worker("dbbefore", "deletedPairsJdbc"), 0)) {
            send("dbbefore.delete-batch", "{\"classificationId\":\"d1\",\"batchId\":\"db-warm-up\"}", null);
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount("dbbefore.delete-batch") == 0
                    && requestsFor(app, "db-warm-up").size() == 1);

            sql("ALTER TABLE " + TABLE + " RENAME TO extracta_away");
            try {
                send("dbbefore.delete-batch", "{\"classificationId\":\"d1\",\"batchId\":\"db-before\"}", null);
                await().atMost(TestApp.TIMEOUT).until(() -> log.lines().stream()
                        .filter(l -> l.contains("is rolled back for redelivery")
                                && l.contains("deleted-pairs repository failed")).count() >= 2);
                assertThat(requestsFor(app, "db-before")).as("nothing sent while the database is away").isEmpty();
                assertThat(broker.messageCount("dbbefore.delete-batch")).as("the message is kept").isEqualTo(1);
            } finally {
                sql("ALTER TABLE extracta_away RENAME TO " + TABLE);
            }
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount("dbbefore.delete-batch") == 0);
            assertThat(requestsFor(app, "db-before")).hasSize(1);
            assertThat(broker.messageCount("dbbefore.DLQ")).as("nothing dead-lettered").isZero();
            assertThat(rows("d1/db-before")).isEqualTo(1);
            assertThat(claims()).as("its claim given back").isZero();
        }
    }

    @Test
    void aDatabaseOutageRightAfterTheDeleteCountsItAsDeletedAndItIsNeverSentAgain() throws Exception {
        BreakTheDatabaseOnce breaker = new BreakTheDatabaseOnce("db-after");
        try (LogCapture log = LogCapture.capture();
             TestApp app = startWithApi("db-after", worker("dbafter", "deletedPairsJdbc"), 0, breaker)) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination replyTo = session.createTemporaryQueue();
            MessageConsumer replies = session.createConsumer(replyTo);
            List<JsonNode> first;
            List<JsonNode> second;
            try {
                // the delete went through but could not be remembered: it counts as deleted
                send("dbafter.delete-batch", "{\"classificationId\":\"d2\",\"batchId\":\"db-after\"}", replyTo);
                first = outcomes(replies.receive(TestApp.TIMEOUT.toMillis()));
                assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("line 1: the API confirmed "
                        + "the delete, but it could not be remembered") && l.contains("counts as DELETED"));
                // a message whose requests cannot consult the repository is rolled back, nothing of it sent (its
                // requests run in parallel: whichever starts first stops the message)
                send("dbafter.delete-batch", "[{\"classificationId\":\"d2\",\"batchId\":\"db-after-2\"},"
                        + "{\"classificationId\":\"d2\",\"batchId\":\"db-after\"}]", replyTo);
                await().atMost(TestApp.TIMEOUT).until(() -> log.lines().stream().anyMatch(l ->
                        l.contains("is rolled back for redelivery") && l.contains("deleted-pairs repository failed")));
                assertThat(requestsFor(app, "db-after-2")).as("nothing sent while the repository is away").isEmpty();
            } finally {
                breaker.repair();
            }
            second = outcomes(replies.receive(TestApp.TIMEOUT.toMillis()));
            session.close();
            assertThat(first).extracting(r -> r.get("outcome").asText()).containsExactly("DELETED");
            assertThat(second).extracting(r -> r.get("outcome").asText())
                    .containsExactly("DELETED", "SKIPPED_ALREADY_DELETED");
            assertThat(requestsFor(app, "db-after")).as("never sent again: the process remembers it").hasSize(1);
            assertThat(requestsFor(app, "db-after-2")).hasSize(1);
            assertThat(broker.messageCount("dbafter.DLQ")).as("nothing dead-lettered").isZero();
            assertThat(rows("d2/db-after")).as("written once the repository works again").isEqualTo(1);
            assertThat(claims()).as("every claim given back").isZero();
        }
    }

    @Test
    void aKeyRefusedMidMessageLeavesTheMessageOnTheBrokerWithoutDeadLetters() throws Exception {
        // one request in flight at a time (the send gate's slots): nothing may start once the 401 came back
        Map<String, String> properties = worker("halt", "deletedPairsFile");
        properties.put("extracta.concurrency", "1");
        try (TestApp app = startWithApi("halt-queue", properties, 0)) {
            StubMapping refused = app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.batchId", equalTo("halt-2")))
                    .willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination replyTo = session.createTemporaryQueue();
            send("halt.delete-batch", "[{\"classificationId\":\"h1\",\"batchId\":\"halt-1\"},"
                    + "{\"classificationId\":\"h1\",\"batchId\":\"halt-2\"},"
                    + "{\"classificationId\":\"h1\",\"batchId\":\"halt-3\"}]", replyTo);
            await().atMost(TestApp.TIMEOUT).until(() -> !app.camelContext().getRouteController()
                    .getRouteStatus("queue").isStarted());
            assertThat(broker.messageCount("halt.delete-batch")).as("the message stays on the broker").isEqualTo(1);
            // WireMock lists what it served latest first
            assertThat(app.wireMock.getAllServeEvents().stream()
                    .filter(e -> e.getRequest().getUrl().equals(TestApp.DELETE_PATH)).findFirst().orElseThrow()
                    .getRequest().getBodyAsString()).as("nothing sent after the 401").contains("\"halt-2\"");
            assertThat(broker.messageCount("halt.DLQ")).as("no dead letters for a refused key").isZero();

            // the key is fixed and the application restarted: the message is taken up where it stopped
            app.wireMock.removeStub(refused);
            app.restart();
            MessageConsumer replies = session.createConsumer(replyTo);
            List<JsonNode> reply = outcomes(replies.receive(TestApp.TIMEOUT.toMillis()));
            assertThat(reply).extracting(r -> r.get("outcome").asText())
                    .allSatisfy(o -> assertThat(o).isIn("DELETED", "SKIPPED_ALREADY_DELETED"));
            assertThat(reply.get(1).get("outcome").asText()).isEqualTo("DELETED");
            assertThat(requestsFor(app, "halt-1")).as("deleted once").hasSize(1);
            assertThat(requestsFor(app, "halt-2")).as("the 401, then the delete").hasSize(2);
            assertThat(requestsFor(app, "halt-3")).as("deleted once").hasSize(1);
            assertThat(broker.messageCount("halt.DLQ")).isZero();
            session.close();
        }
    }

    @Test
    void aShutdownMidMessageLeavesItOnTheBrokerAndTheRestartDeletesEachBatchOnce() throws Exception {
        try (TestApp app = startWithApi("stop-queue", worker("stop", "deletedPairsFile"), 150)) {
            StringBuilder array = new StringBuilder("[");
            for (int i = 0; i < 20; i++) {
                array.append(i == 0 ? "" : ",").append("{\"classificationId\":\"s1\",\"batchId\":\"stop-")
                        .append(i).append("\"}");
            }
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination replyTo = session.createTemporaryQueue();
            send("stop.delete-batch", array.append(']').toString(), replyTo);
            await().atMost(TestApp.TIMEOUT).until(() -> deletes(app) >= 3);

            app.restart(); // a graceful stop mid-message, then a new start on the same folders
            MessageConsumer replies = session.createConsumer(replyTo);
            List<JsonNode> reply = outcomes(replies.receive(TestApp.TIMEOUT.toMillis()));
            assertThat(reply).hasSize(20).allSatisfy(r -> assertThat(r.get("outcome").asText())
                    .isIn("DELETED", "SKIPPED_ALREADY_DELETED"));
            assertThat(reply).filteredOn(r -> r.get("outcome").asText().equals("SKIPPED_ALREADY_DELETED"))
                    .as("deleted before the stop, not sent again").hasSizeGreaterThanOrEqualTo(3);
            for (int i = 0; i < 20; i++) {
                assertThat(requestsFor(app, "stop-" + i)).as("stop-" + i).hasSize(1);
            }
            assertThat(broker.messageCount("stop.delete-batch")).isZero();
            session.close();
        }
    }

    @Test
    void theSamePairsInSeveralMessagesOnOneInstanceAreEachSentOnce() throws Exception {
        Map<String, String> properties = worker("same", "deletedPairsFile");
        properties.put("extracta.concurrency", "4");
        try (TestApp app = startWithApi("same-pairs", properties, 30)) {
            List<String> messages = new ArrayList<>();
            for (int copy = 0; copy < 4; copy++) {
                for (int i = 0; i < 10; i++) {
                    messages.add("{\"classificationId\":\"p1\",\"batchId\":\"same-" + i + "\"}");
                }
            }
            Collections.shuffle(messages, new Random(3));
            for (String message : messages) {
                send("same.delete-batch", message, null);
            }
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount("same.delete-batch") == 0);
            for (int i = 0; i < 10; i++) {
                assertThat(requestsFor(app, "same-" + i)).as("same-" + i).hasSize(1);
            }
            assertThat(broker.messageCount("same.DLQ")).isZero();
        }
    }

    /** Renames the repository's table away when the API answers the delete of one batch, until repaired. */
    private static final class BreakTheDatabaseOnce implements ResponseDefinitionTransformerV2 {

        private final String batchId;
        final AtomicBoolean broke = new AtomicBoolean();
        private final AtomicBoolean repaired = new AtomicBoolean();

        BreakTheDatabaseOnce(String batchId) {
            this.batchId = batchId;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            if (serveEvent.getRequest().getBodyAsString().contains("\"" + batchId + "\"") && broke.compareAndSet(false, true)) {
                sql("ALTER TABLE " + TABLE + " RENAME TO extracta_broken");
            }
            return serveEvent.getResponseDefinition();
        }

        void repair() {
            if (broke.get() && repaired.compareAndSet(false, true)) {
                sql("ALTER TABLE extracta_broken RENAME TO " + TABLE);
            }
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "break-the-database-once";
        }
    }

    private static void send(String queue, String text, Destination replyTo) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            TextMessage message = session.createTextMessage(text);
            if (replyTo != null) {
                message.setJMSReplyTo(replyTo);
            }
            session.createProducer(session.createQueue(queue)).send(message);
        } finally {
            session.close();
        }
    }

    private static List<JsonNode> outcomes(Message reply) throws Exception {
        assertThat(reply).as("a reply").isNotNull();
        return MAPPER.readValue(((TextMessage) reply).getText(),
                MAPPER.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
    }

    private static JsonNode receive(String queue) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            Message message = session.createConsumer(session.createQueue(queue)).receive(TestApp.TIMEOUT.toMillis());
            assertThat(message).as("a record on " + queue).isNotNull();
            return MAPPER.readTree(((TextMessage) message).getText());
        } finally {
            session.close();
        }
    }

    private static List<LoggedRequest> requestsFor(TestApp app, String batchId) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId))));
    }

    private static int deletes(TestApp app) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }

    private static long rows(String messageId) throws SQLException {
        try (var db = postgres.getPostgresDatabase().getConnection();
             var statement = db.prepareStatement("select count(*) from " + TABLE + " where messageId = ?")) {
            statement.setString(1, messageId);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    /** Claims held in the shared claims table, by any instance. */
    private static long claims() throws SQLException {
        try (var db = postgres.getPostgresDatabase().getConnection();
             var statement = db.prepareStatement("select count(*) from extracta_claims");
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void sql(String statement) {
        try (var db = postgres.getPostgresDatabase().getConnection(); var s = db.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
