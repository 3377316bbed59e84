package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.StatefulDeleteApi;
import dev.purge.extracta.testsupport.TestApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several instances on one queue: an ingest instance in enqueue mode feeding the queue, and two worker instances
 * (separate Camel contexts, separate connections) sharing one JDBC idempotent repository on a real PostgreSQL.
 */
class ScaleOutTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * The ceiling for a thousand messages to pass: the waits end as soon as they have, so a generous one costs nothing;
     * on a loaded 2-core machine (several builds beside it) one pass took over two minutes.
     */
    private static final Duration THOUSAND_MESSAGES = Duration.ofMinutes(15);
    static EmbeddedBroker broker;
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start();
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
        broker.close();
    }

    private static Map<String, String> worker(String repository) {
        Map<String, String> p = new HashMap<>(Map.of(
                "extracta.queue.enabled", "true",
                "extracta.queue.broker-url", broker.url,
                "extracta.queue.uri", "jms:queue:scale.delete-batch",
                "extracta.idempotency.repository", repository,
                "extracta.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "extracta.jdbc.username", "postgres"));
        return p;
    }

    @Test
    void enqueueModeTurnsAThousandRowFileIntoAThousandMessagesForAWorker() throws Exception {
        Map<String, String> ingestProperties = new HashMap<>(worker("deletedPairsFile"));
        ingestProperties.put("extracta.queue.enabled", "false");
        ingestProperties.put("extracta.inbox.mode", "enqueue");
        ingestProperties.put("extracta.queue.uri", "jms:queue:enqueue.delete-batch");
        Map<String, String> workerProperties = new HashMap<>(worker("deletedPairsFile"));
        workerProperties.put("extracta.queue.uri", "jms:queue:enqueue.delete-batch");
        try (TestApp ingest = TestApp.start("enqueue-ingest", ingestProperties);
             TestApp worker = TestApp.start("enqueue-worker", workerProperties)) {
            worker.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 0; i < 1000; i++) {
                csv.append("e1,enq").append(i).append('\n');
            }
            csv.append("e1,\"not valid\"\n");
            ingest.drop("thousand.csv", csv.toString());
            var report = ingest.awaitReport("thousand.csv");
            assertThat(report.get("outcomes").get("ENQUEUED").asLong()).isEqualTo(1000);
            assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(1);
            assertThat(ingest.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size())
                    .as("the ingest instance deletes nothing").isZero();

            await().atMost(THOUSAND_MESSAGES).until(() -> worker.wireMock
                    .findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size() >= 1000);
            assertThat(perBatch(worker.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))))
                    .hasSize(1000).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
        }
    }

    @Test
    void twoInstancesShareTheQueueAndOneJdbcRepository() throws Exception {
        try (TestApp first = TestApp.start("scale-1", worker("deletedPairsJdbc"));
             TestApp second = TestApp.start("scale-2", worker("deletedPairsJdbc"))) {
            first.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(json(200, SUCCESS).withFixedDelay(5)));
            second.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(json(200, SUCCESS).withFixedDelay(5)));
            publish("scale.delete-batch", 1000);
            await().atMost(THOUSAND_MESSAGES).until(() -> deletes(first) + deletes(second) >= 1000);

            Map<String, Integer> all = perBatch(first.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))));
            perBatch(second.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))))
                    .forEach((batch, n) -> all.merge(batch, n, Integer::sum));
            assertThat(all).hasSize(1000).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            assertThat(deletes(first)).as("work split: first instance").isPositive();
            assertThat(deletes(second)).as("work split: second instance").isPositive();
            assertThat(countPairsInDatabase()).isEqualTo(1000);
            assertThat(claimsInDatabase()).as("every claim given back").isZero();

            // the same requests again, on either instance: the shared repository skips every one
            publish("scale.delete-batch", 1000);
            await().atMost(THOUSAND_MESSAGES).until(() -> drained("scale.delete-batch"));
            assertThat(deletes(first) + deletes(second)).as("nothing deleted twice").isEqualTo(1000);
        }
    }

    @Test
    void theSamePairsInManyMessagesOnTwoInstancesAreEachDeletedOnce() throws Exception {
        // one API for both instances, which answers a second delete of a batch with 404, as the real one would
        try (TestApp first = TestApp.start("overlap-1", overlapWorker(null),
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options()
                        .extensions(new StatefulDeleteApi()))) {
            first.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(
                    com.github.tomakehurst.wiremock.client.WireMock.aResponse().withFixedDelay(20)
                            .withTransformers(StatefulDeleteApi.NAME)));
            try (TestApp second = TestApp.start("overlap-2", overlapWorker(first))) {
                // 100 pairs, each in 4 messages (one object, and 3 arrays in different orders), published at once
                List<String> messages = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    messages.add(pair(i));
                }
                for (int round = 1; round <= 3; round++) {
                    for (int start = 0; start < 100; start += 10) {
                        StringBuilder array = new StringBuilder("[");
                        for (int k = 0; k < 10; k++) {
                            int i = start + (round == 2 ? 9 - k : (k * 3 + round) % 10);
                            array.append(k == 0 ? "" : ",").append(pair(i));
                        }
                        messages.add(array.append(']').toString());
                    }
                }
                java.util.Collections.shuffle(messages, new java.util.Random(7));
                publishTexts("overlap.delete-batch", messages);
                await().atMost(THOUSAND_MESSAGES).until(() -> drained("overlap.delete-batch")
                        && claimsInDatabase() == 0 && perBatch(first.wireMock.findAll(
                                deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))).size() == 100);

                Map<String, Integer> sent = perBatch(first.wireMock.findAll(
                        deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))));
                assertThat(sent).hasSize(100).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
                assertThat(deletes(second)).as("the second instance has no API of its own").isZero();
                assertThat(drained("overlap.delete-batch.DLQ")).as("no request failed, none dead-lettered").isTrue();
            }
        }
    }

    /** A worker on the overlap queue with 3 consumers; the second one calls the first one's API server. */
    private static Map<String, String> overlapWorker(TestApp sharedApi) {
        Map<String, String> p = worker("deletedPairsJdbc");
        p.put("extracta.queue.uri", "jms:queue:overlap.delete-batch");
        p.put("extracta.queue.deadletter-uri", "jms:queue:overlap.delete-batch.DLQ");
        p.put("extracta.concurrency", "3");
        if (sharedApi != null) {
            p.put("extracta.base-url", "http://127.0.0.1:" + sharedApi.wireMock.port());
        }
        return p;
    }

    private static String pair(int i) {
        return "{\"classificationId\":\"ov1\",\"batchId\":\"overlap" + i + "\"}";
    }

    private static void publishTexts(String queue, List<String> texts) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(broker.url).createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (String text : texts) {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    /** Claims still held in the shared table (none once every request has ended). */
    private static long claimsInDatabase() throws Exception {
        try (var connection = postgres.getPostgresDatabase().getConnection();
             var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select count(*) from EXTRACTA_CLAIMS")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void publish(String queue, int count) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(broker.url).createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (int i = 0; i < count; i++) {
                producer.send(session.createTextMessage(
                        "{\"classificationId\":\"s1\",\"batchId\":\"scale" + i + "\"}"));
            }
        }
    }

    private static boolean drained(String queue) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(broker.url).createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var browser = session.createBrowser(session.createQueue(queue));
            return !browser.getEnumeration().hasMoreElements();
        }
    }

    private static int deletes(TestApp app) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }

    private static long countPairsInDatabase() throws Exception {
        try (var connection = postgres.getPostgresDatabase().getConnection();
             var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "select count(*) from CAMEL_MESSAGEPROCESSED where processorName = 'extracta-deleted-pairs'"
                             + " and messageId not like 'maybe:%' and messageId like '%scale%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Map<String, Integer> perBatch(List<LoggedRequest> requests) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (LoggedRequest request : requests) {
            counts.merge(MAPPER.readTree(request.getBodyAsString()).get("batchId").asText(), 1, Integer::sum);
        }
        return counts;
    }
}
