package dev.purge.extracta;

import java.net.ServerSocket;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
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
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "tcp://127.0.0.1:" + port;
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", url));
        server.start();
        return new EmbeddedBroker(url, server);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
