import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The broker of the queue benchmark (bench/run queue): a real ActiveMQ Artemis, the one the tests embed, on a free
 * port on loopback; its journal on disk as a standalone broker keeps it when the system property {@code persistent}
 * is true, else in memory as in the tests (then the figures show the clients' own cost, not the disk's). Run with the
 * test classpath (mvn dependency:build-classpath) and the JDK's source launcher:
 * <ul>
 * <li>{@code serve DIR QUEUE…}: starts the broker (journal under DIR), prints {@code broker listening on URL}, creates
 * the queues, and every 50 ms appends one line to DIR/samples.tsv: the time (ms), the connections open now, the
 * connections made since start, and each queue's depth (messages not yet acknowledged); runs until killed;</li>
 * <li>{@code fill URL QUEUE N PREFIX}: sends N persistent JSON messages {@code {"classificationId":"cls-bench",
 * "batchId":"PREFIX-i"}}, committed in batches;</li>
 * <li>{@code window DIR QUEUE N}: reads the samples and prints, for the time the queue went from N to 0, the rate and
 * the connection counts: {@code messagesPerSecond=… connectionsMin=… connectionsMax=… connectionsMade=…}.</li>
 * </ul>
 * The rate is timed on the broker's side, the same way for every consumer: from the last sample with all N messages
 * still on the queue to the first sample with none (start-up of the consumer excluded, 50 ms resolution).
 */
public class QueueBroker {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve" -> serve(Path.of(args[1]), List.of(args).subList(2, args.length));
            case "fill" -> fill(args[1], args[2], Integer.parseInt(args[3]), args[4]);
            case "window" -> window(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("serve, fill or window");
        }
    }

    static void serve(Path dir, List<String> queues) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "tcp://127.0.0.1:" + port;
        ConfigurationImpl configuration = new ConfigurationImpl();
        configuration.setPersistenceEnabled(Boolean.getBoolean("persistent")).setSecurityEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .addAcceptorConfiguration("tcp", url + "?protocols=CORE");
        EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
        embedded.setConfiguration(configuration);
        embedded.start();
        ActiveMQServer server = embedded.getActiveMQServer();
        for (String name : queues) {
            server.createQueue(QueueConfiguration.of(name).setRoutingType(RoutingType.ANYCAST)
                    .setAutoCreateAddress(true));
        }
        System.out.println("broker listening on " + url);
        System.out.flush();
        try (PrintWriter samples = new PrintWriter(Files.newBufferedWriter(dir.resolve("samples.tsv")), true)) {
            samples.println("millis\tconnections\tconnectionsMade\t" + String.join("\t", queues));
            while (true) {
                StringBuilder line = new StringBuilder().append(System.currentTimeMillis()).append('\t')
                        .append(server.getConnectionCount()).append('\t').append(server.getTotalConnectionCount());
                for (String name : queues) {
                    Queue queue = server.locateQueue(SimpleString.of(name));
                    line.append('\t').append(queue == null ? 0 : queue.getMessageCount());
                }
                samples.println(line);
                Thread.sleep(50);
            }
        }
    }

    static void fill(String url, String queueName, int count, String prefix) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(url).createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = session.createProducer(session.createQueue(queueName));
            for (int i = 1; i <= count; i++) {
                producer.send(session.createTextMessage(
                        "{\"classificationId\":\"cls-bench\",\"batchId\":\"" + prefix + "-" + i + "\"}"));
                if (i % 500 == 0 || i == count) {
                    session.commit();
                }
            }
        }
    }

    static void window(Path dir, String queueName, int count) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("samples.tsv"));
        int column = List.of(lines.get(0).split("\t")).indexOf(queueName);
        List<long[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t");
            if (cells.length > column) {
                rows.add(new long[] {Long.parseLong(cells[0]), Long.parseLong(cells[1]), Long.parseLong(cells[2]),
                        Long.parseLong(cells[column])});
            }
        }
        int start = -1;
        int end = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i)[3] >= count) {
                start = i;
                end = -1;
            } else if (start >= 0 && end < 0 && rows.get(i)[3] == 0) {
                end = i;
            }
        }
        if (start < 0 || end < 0) {
            System.out.println("queue=" + queueName + " not drained");
            return;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = start; i <= end; i++) {
            min = Math.min(min, rows.get(i)[1]);
            max = Math.max(max, rows.get(i)[1]);
        }
        long millis = rows.get(end)[0] - rows.get(start)[0];
        System.out.printf("queue=%s messages=%d ms=%d messagesPerSecond=%.0f connectionsMin=%d connectionsMax=%d"
                        + " connectionsMade=%d%n", queueName, count, millis, count * 1000.0 / millis, min, max,
                rows.get(end)[2] - rows.get(start)[2]);
    }
}
