package dev.purge.extracta;

import java.net.ServerSocket;
import java.util.function.Consumer;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/** A real ActiveMQ Artemis broker in the test JVM, listening on a free TCP port on loopback. */
final class EmbeddedBroker implements AutoCloseable {

    final String url;
    private final EmbeddedActiveMQ server;

    private EmbeddedBroker(String url, EmbeddedActiveMQ server) {
        this.url = url;
        this.server = server;
    }

    static EmbeddedBroker start() throws Exception {
        return start(configuration -> { });
    }

    /** A broker whose configuration the test adjusts first (address settings, say). */
    static EmbeddedBroker start(Consumer<ConfigurationImpl> adjust) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "tcp://127.0.0.1:" + port;
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        ConfigurationImpl configuration = new ConfigurationImpl();
        configuration.setPersistenceEnabled(false).setSecurityEnabled(false).addAcceptorConfiguration("tcp", url);
        adjust.accept(configuration);
        server.setConfiguration(configuration);
        server.start();
        return new EmbeddedBroker(url, server);
    }

    /** Creates an anycast queue of that name, as an operator would. */
    void createQueue(String name) throws Exception {
        server.getActiveMQServer().createQueue(new QueueConfiguration(name).setRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddress(true));
    }

    /** Messages on the queue, delivered but not yet acknowledged ones included; 0 for a queue that does not exist. */
    long messageCount(String name) {
        Queue queue = server.getActiveMQServer().locateQueue(SimpleString.of(name));
        return queue == null ? 0 : queue.getMessageCount();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
