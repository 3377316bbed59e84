import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The plain reference the queue entrance is measured against: {@code threads} transacted JMS consumers, each with its
 * own connection, session and consumer, each looping {@code receive} → the same DELETE as the application sends (the
 * message text is the body) with one shared {@code java.net.http.HttpClient} → {@code commit}. No validation, no
 * idempotency, no dead letters, no replies. Stops once {@code count} messages are committed.
 * <p>
 * Run with the test classpath and the JDK's source launcher:
 * {@code java -cp CP bench/QueueBaseline.java BROKER_URL QUEUE COUNT BASE_URL THREADS}; the API key comes from the
 * environment variable EXTRACTA_API_KEY. Prints one line: {@code client=plain-jms messages=… ok=… wallMs=…}.
 */
public class QueueBaseline {

    public static void main(String[] args) throws Exception {
        String brokerUrl = args[0];
        String queue = args[1];
        int count = Integer.parseInt(args[2]);
        URI url = URI.create(args[3] + "/documentClassification/deleteBatch");
        int threads = Integer.parseInt(args[4]);
        String key = System.getenv("EXTRACTA_API_KEY");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(2)).build();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        List<Thread> consumers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try (Connection connection = factory.createConnection()) {
                    connection.start();
                    Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
                    while (committed.get() < count) {
                        Message message = consumer.receive(200);
                        if (message == null) {
                            continue;
                        }
                        HttpRequest request = HttpRequest.newBuilder(url)
                                .method("DELETE", HttpRequest.BodyPublishers.ofString(((TextMessage) message).getText()))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30)).build();
                        int status = client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
                        if (status / 100 == 2) {
                            ok.incrementAndGet();
                        }
                        session.commit();
                        committed.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "plain-consumer-" + t);
            thread.start();
            consumers.add(thread);
        }
        for (Thread thread : consumers) {
            thread.join();
        }
        long wall = (System.nanoTime() - start) / 1_000_000;
        System.out.println("client=plain-jms messages=" + committed.get() + " ok=" + ok.get() + " wallMs=" + wall);
        System.exit(0);
    }
}
