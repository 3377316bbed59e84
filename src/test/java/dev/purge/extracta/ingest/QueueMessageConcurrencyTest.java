package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.TestApp;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A queue message that holds many requests is processed with the instance's concurrency, inside one transaction: its
 * requests overlap on the API's side (counted there, no clock involved), and its dead letters are committed or rolled
 * back with the message, never sent on their own. A real Artemis broker over TCP and a real HTTP server on loopback,
 * which answers each request only when the test lets it.
 */
class QueueMessageConcurrencyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CONCURRENCY = 4;
    static EmbeddedBroker broker;
    static Connection connection;
    private HeldApi api;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start();
        connection = new ActiveMQConnectionFactory(broker.url).createConnection();
        connection.start();
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        broker.close();
    }

    @AfterEach
    void stopApi() {
        if (api != null) {
            api.close();
        }
    }

    private Map<String, String> worker(String name) {
        Map<String, String> p = new HashMap<>();
        p.put("extracta.queue.enabled", "true");
        p.put("extracta.queue.broker-url", broker.url);
        p.put("extracta.queue.uri", "jms:queue:" + name);
        p.put("extracta.queue.deadletter-uri", "jms:queue:" + name + ".DLQ");
        p.put("extracta.concurrency", String.valueOf(CONCURRENCY));
        // the API holds requests as long as the test wants: no timeout of ours may cut them
        p.put("extracta.http.response-timeout", String.valueOf(TestApp.TIMEOUT.toMillis()));
        return p;
    }

    @Test
    void theRequestsOfOneMessageOverlapUpToTheConcurrencyAndEachIsDeletedOnce() throws Exception {
        // the first CONCURRENCY requests are answered only once all of them are in flight at the same time: one
        // after the other, the first would wait for the others until the ceiling and the gate would count it
        CountDownLatch together = new CountDownLatch(CONCURRENCY);
        AtomicBoolean gateTimedOut = new AtomicBoolean();
        api = HeldApi.start(batch -> {
            if (together.getCount() > 0) {
                together.countDown();
                try {
                    if (!together.await(TestApp.TIMEOUT.toSeconds() / 3, TimeUnit.SECONDS)) {
                        gateTimedOut.set(true);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        });
        try (TestApp app = TestApp.startAgainst("message-concurrency", api.baseUrl(), worker("conc.delete-batch"))) {
            List<String> batches = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batches.add("conc-" + i);
            }
            List<JsonNode> reply = sendAndAwaitReply("conc.delete-batch", array("c1", batches));

            assertThat(gateTimedOut).as("the first requests were in flight together").isFalse();
            assertThat(api.peakInFlight.get()).as("never more than the instance's concurrency")
                    .isGreaterThanOrEqualTo(CONCURRENCY).isLessThanOrEqualTo(CONCURRENCY);
            assertThat(reply).hasSize(300).allSatisfy(r -> assertThat(r.get("outcome").asText()).isEqualTo("DELETED"));
            assertThat(reply).extracting(r -> r.get("batchId").asText()).as("answered in the message's order")
                    .containsExactlyElementsOf(batches);
            assertThat(api.requests).hasSize(300).allSatisfy((batch, n) -> assertThat(n.get()).as(batch).isEqualTo(1));
            assertThat(broker.messageCount("conc.delete-batch")).isZero();
            assertThat(broker.messageCount("conc.delete-batch.DLQ")).isZero();
        }
    }

    @Test
    void aMessageStoppedMidWayRollsBackItsDeadLettersWithItAndTheRedeliveryWritesEachOnce() throws Exception {
        // bad-*: refused at once (REJECTED, a dead letter each); ok-*: held until the test lets them go
        CountDownLatch letGo = new CountDownLatch(1);
        api = HeldApi.start(batch -> {
            if (batch.startsWith("bad-")) {
                return 400;
            }
            try {
                letGo.await(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 200;
        });
        String queue = "stopped.delete-batch";
        String dlq = queue + ".DLQ";
        try (TestApp app = TestApp.startAgainst("message-rollback", api.baseUrl(), worker(queue))) {
            List<String> batches = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batches.add("bad-" + i);
            }
            for (int i = 0; i < 30; i++) {
                batches.add("ok-" + i);
            }
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination replyTo = session.createTemporaryQueue();
            send(queue, array("r1", batches), replyTo);

            // every refused request has its dead letter made, and requests of the message are still in flight
            await().atMost(TestApp.TIMEOUT).until(() -> api.count(b -> b.startsWith("bad-")) == 10
                    && api.inFlight.get() > 0);
            assertThat(broker.messageCount(dlq)).as("no dead letter leaves before its message commits").isZero();

            // a graceful stop mid-message: the requests in flight finish, the message is rolled back with its records
            Thread restart = new Thread(() -> {
                try {
                    app.restart();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            restart.start();
            await().atMost(TestApp.TIMEOUT).until(() -> app.camelContext() == null
                    || app.camelContext().isStopping() || app.camelContext().isStopped());
            letGo.countDown();
            restart.join(TestApp.TIMEOUT.toMillis());

            MessageConsumer replies = session.createConsumer(replyTo);
            List<JsonNode> reply = outcomes(replies.receive(TestApp.TIMEOUT.toMillis()));
            assertThat(reply).hasSize(40);
            assertThat(reply.subList(0, 10)).allSatisfy(r -> assertThat(r.get("outcome").asText())
                    .isEqualTo("REJECTED"));
            assertThat(reply.subList(10, 40)).allSatisfy(r -> assertThat(r.get("outcome").asText())
                    .isIn("DELETED", "SKIPPED_ALREADY_DELETED"));
            for (int i = 0; i < 30; i++) {
                assertThat(api.requests.get("ok-" + i).get()).as("ok-" + i + " deleted once").isEqualTo(1);
            }
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount(queue) == 0);
            List<JsonNode> records = drain(dlq);
            assertThat(records).extracting(r -> r.get("batchId").asText()).as("one record per refused request")
                    .containsExactlyInAnyOrderElementsOf(batches.subList(0, 10));
            assertThat(records).allSatisfy(r -> assertThat(r.get("reason").asText()).isEqualTo("REJECTED"));
            session.close();
        }
    }

    private static String array(String classificationId, List<String> batches) {
        StringBuilder array = new StringBuilder("[");
        for (String batch : batches) {
            array.append(array.length() == 1 ? "" : ",").append("{\"classificationId\":\"").append(classificationId)
                    .append("\",\"batchId\":\"").append(batch).append("\"}");
        }
        return array.append(']').toString();
    }

    private static List<JsonNode> sendAndAwaitReply(String queue, String text) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            Destination replyTo = session.createTemporaryQueue();
            send(queue, text, replyTo);
            return outcomes(session.createConsumer(replyTo).receive(TestApp.TIMEOUT.toMillis()));
        } finally {
            session.close();
        }
    }

    private static void send(String queue, String text, Destination replyTo) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            TextMessage message = session.createTextMessage(text);
            message.setJMSReplyTo(replyTo);
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

    /**
     * Every record on the queue, once the message that wrote them is acknowledged: they were committed with it, so the
     * broker's count is complete.
     */
    private static List<JsonNode> drain(String queue) throws Exception {
        long count = broker.messageCount(queue);
        List<JsonNode> records = new ArrayList<>();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            for (long i = 0; i < count; i++) {
                Message message = consumer.receive(TestApp.TIMEOUT.toMillis());
                assertThat(message).as("a record on " + queue).isNotNull();
                records.add(MAPPER.readTree(((TextMessage) message).getText()));
            }
        } finally {
            session.close();
        }
        return records;
    }

    /**
     * The delete API on loopback (GET /credits, DELETE …/deleteBatch), answering each delete with the status the
     * test's function gives for its batch, after whatever that function waits for; counts requests per batch and the
     * most requests in flight at the same moment.
     */
    private static final class HeldApi implements AutoCloseable {

        interface Answer {
            int status(String batchId);
        }

        final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peakInFlight = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        private HeldApi(HttpServer server) {
            this.server = server;
        }

        static HeldApi start(Answer answer) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            HeldApi api = new HeldApi(server);
            server.createContext("/credits", exchange -> reply(exchange, 200, "{\"status\":\"ok\",\"credits\":100}"));
            server.createContext(TestApp.DELETE_PATH, exchange -> {
                int now = api.inFlight.incrementAndGet();
                api.peakInFlight.accumulateAndGet(now, Math::max);
                try {
                    String batch = MAPPER.readTree(exchange.getRequestBody()).get("batchId").asText();
                    api.requests.computeIfAbsent(batch, b -> new AtomicInteger()).incrementAndGet();
                    int status = answer.status(batch);
                    reply(exchange, status, status == 200 ? "{\"status\":\"success\",\"message\":\"Batch deleted\"}"
                            : "{\"status\":\"error\",\"message\":\"Invalid batch\"}");
                } finally {
                    api.inFlight.decrementAndGet();
                }
            });
            server.setExecutor(api.threads);
            server.start();
            return api;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        long count(Predicate<String> batches) {
            return requests.entrySet().stream().filter(e -> batches.test(e.getKey()))
                    .mapToLong(e -> e.getValue().get()).sum();
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
