package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.StatefulDeleteApi;
import dev.purge.extracta.testsupport.TestApp;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * Hardening, one queue message never processed twice at once: when the broker restarts while a message is in flight,
 * the first delivery (whose session died) stops sending at once, and the copy the broker delivers again waits for
 * every claim the first one still holds; the same when a file of this instance holds the pairs. Each pair is sent once.
 */
class BrokerRestartTest {

    private static String pairs(String prefix, int count) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            array.append(i == 0 ? "" : ",").append("{\"classificationId\":\"br1\",\"batchId\":\"").append(prefix)
                    .append(i).append("\"}");
        }
        return array.append(']').toString();
    }

    private static void send(EmbeddedBroker broker, String queue, String text) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(broker.url).createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage(text));
        }
    }

    private static TestApp worker(String name, EmbeddedBroker broker, String queue) throws Exception {
        TestApp app = TestApp.start(name, Map.of("extracta.queue.enabled", "true",
                "extracta.queue.broker-url", broker.url, "extracta.queue.uri", "jms:queue:" + queue,
                "extracta.queue.deadletter-uri", "jms:queue:" + queue + ".DLQ", "extracta.concurrency", "3"),
                WireMockConfiguration.options().extensions(new StatefulDeleteApi()));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(aResponse().withFixedDelay(200).withTransformers(StatefulDeleteApi.NAME)));
        return app;
    }

    @Test
    void aMessageInFlightWhenTheBrokerRestartsIsSentOncePairByPair() throws Exception {
        Path store = Files.createTempDirectory(Path.of("target"), "broker-restart");
        try (EmbeddedBroker broker = EmbeddedBroker.startPersistent(store);
             TestApp app = worker("broker-restart", broker, "restart.delete-batch")) {
            send(broker, "restart.delete-batch", pairs("rb", 60));
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app) >= 8);
            broker.restart();

            await().atMost(TestApp.TIMEOUT).until(() -> TestApp.sentPerBatch(app.wireMock)
                    .size() == 60 && broker.messageCount("restart.delete-batch") == 0);
            Map<String, Integer> perBatch = TestApp.sentPerBatch(app.wireMock);
            assertThat(perBatch).hasSize(60).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            assertThat(broker.messageCount("restart.delete-batch.DLQ")).as("nothing dead-lettered").isZero();
        }
    }

    @Test
    void aPairHeldByAFileIsNotSentAgainByARedeliveredMessage() throws Exception {
        Path store = Files.createTempDirectory(Path.of("target"), "broker-restart-file");
        try (EmbeddedBroker broker = EmbeddedBroker.startPersistent(store);
             TestApp app = worker("broker-restart-file", broker, "both.delete-batch")) {
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 0; i < 120; i++) {
                csv.append("br1,fb").append(i).append('\n');
            }
            app.drop("both.csv", csv.toString());
            send(broker, "both.delete-batch", pairs("fb", 120));
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app) >= 6);
            broker.restart();

            app.awaitReport("both.csv");
            await().atMost(TestApp.TIMEOUT).until(() -> broker.messageCount("both.delete-batch") == 0);
            Map<String, Integer> perBatch = TestApp.sentPerBatch(app.wireMock);
            assertThat(perBatch).hasSize(120).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
        }
    }

    private static int sent(TestApp app) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }
}
