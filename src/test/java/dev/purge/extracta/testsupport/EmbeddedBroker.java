package dev.purge.extracta.testsupport;

import java.net.ServerSocket;
import java.util.function.Consumer;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/** A real ActiveMQ Artemis broker in the test JVM, listening on a free TCP port on loopback (CORE and STOMP). */
public final class EmbeddedBroker implements AutoCloseable {

    public final String url;
    private EmbeddedActiveMQ server;
    private final ConfigurationImpl configuration;

    private EmbeddedBroker(String url, EmbeddedActiveMQ server, ConfigurationImpl configuration) {
        this.url = url;
        this.server = server;
        this.configuration = configuration;
    }

    /** A broker that keeps its messages on disk under {@code dir}, so they survive {@link #restart()}. */
    public static EmbeddedBroker startPersistent(java.nio.file.Path dir) throws Exception {
        return start(configuration -> configuration.setPersistenceEnabled(true)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString()));
    }

    /** Stops the broker and starts it again on the same port and store, as a broker restart in production. */
    public void restart() throws Exception {
        server.stop();
        EmbeddedActiveMQ again = new EmbeddedActiveMQ();
        again.setConfiguration(configuration);
        again.start();
        server = again;
    }

    public static EmbeddedBroker start() throws Exception {
        return start(configuration -> { });
    }

    /** A broker whose configuration the test adjusts first (address settings, say). */
    public static EmbeddedBroker start(Consumer<ConfigurationImpl> adjust) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "tcp://127.0.0.1:" + port;
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        ConfigurationImpl configuration = new ConfigurationImpl();
        configuration.setPersistenceEnabled(false).setSecurityEnabled(false).addAcceptorConfiguration("tcp",
                url + "?protocols=CORE,STOMP");
        adjust.accept(configuration);
        server.setConfiguration(configuration);
        server.start();
        return new EmbeddedBroker(url, server, configuration);
    }

    /** Creates an anycast queue of that name, as an operator would. */
    public void createQueue(String name) throws Exception {
        server.getActiveMQServer().createQueue(new QueueConfiguration(name).setRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddress(true));
    }

    /** Messages on the queue, delivered but not yet acknowledged ones included; 0 for a queue that does not exist. */
    public long messageCount(String name) {
        Queue queue = server.getActiveMQServer().locateQueue(SimpleString.of(name));
        return queue == null ? 0 : queue.getMessageCount();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
