package dev.purge.extracta.ingest;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;

/**
 * The JMS connection factory of the queue input, its dead letters and replies, and the enqueue mode, declared as the
 * bean {@code artemisConnectionFactory} in routes/beans.camel.yaml. A YAML bean cannot be conditional, so this one is
 * cheap: the Artemis {@code ActiveMQConnectionFactory} is made (and its classes loaded) only at the first connection,
 * which a file-only run never asks for.
 * <p>
 * The Artemis factory sits behind a pool (pooled-jms): without it every send that is not in a queue message's
 * transaction (the enqueue mode's, from the file's worker threads) would open and close a broker connection, a
 * session and a producer. The pool keeps a few connections and their sessions and producers. The queue consumers take
 * one connection from it and keep their sessions and consumers themselves (Spring's listener container, cache level
 * CACHE_CONSUMER); the dead letters and the reply of a queue message are sent on that message's own transacted session
 * (Spring binds it to the consumer's thread for this very factory), so they are committed or rolled back with it.
 */
public class ArtemisConnectionFactory implements ConnectionFactory {

    private String brokerURL;
    private String user;
    private String password;
    private int maxConnections = 1;
    private volatile ConnectionFactory delegate;

    public void setBrokerURL(String brokerURL) {
        this.brokerURL = brokerURL;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** How many broker connections the pool keeps (each carries many sessions). */
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Whether the Artemis factory has been made (a first connection was asked for). */
    public boolean isCreated() {
        return delegate != null;
    }

    private ConnectionFactory delegate() {
        ConnectionFactory made = delegate;
        if (made == null) {
            synchronized (this) {
                made = delegate;
                if (made == null) {
                    made = Artemis.pooledConnectionFactory(brokerURL, user, password, maxConnections);
                    delegate = made;
                }
            }
        }
        return made;
    }

    @Override
    public Connection createConnection() throws JMSException {
        return delegate().createConnection();
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        return delegate().createConnection(userName, password);
    }

    @Override
    public JMSContext createContext() {
        return delegate().createContext();
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        return delegate().createContext(userName, password);
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        return delegate().createContext(userName, password, sessionMode);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        return delegate().createContext(sessionMode);
    }

    /** Closes the pooled connections (Camel calls it when the application stops); nothing to do if none was made. */
    public synchronized void stop() {
        if (delegate != null) {
            Artemis.stop(delegate);
            delegate = null;
        }
    }

    /**
     * The only place that names the Artemis client and the pool: this class is loaded at the first connection, not
     * before.
     */
    private static final class Artemis {
        static ConnectionFactory pooledConnectionFactory(String brokerURL, String user, String password,
                                                         int maxConnections) {
            org.messaginghub.pooled.jms.JmsPoolConnectionFactory pool =
                    new org.messaginghub.pooled.jms.JmsPoolConnectionFactory();
            pool.setConnectionFactory(connectionFactory(brokerURL, user, password));
            pool.setMaxConnections(maxConnections);
            return pool;
        }

        static void stop(ConnectionFactory factory) {
            ((org.messaginghub.pooled.jms.JmsPoolConnectionFactory) factory).stop();
        }

        static ConnectionFactory connectionFactory(String brokerURL, String user, String password) {
            org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory factory =
                    new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory();
            try {
                factory.setBrokerURL(brokerURL);
            } catch (JMSException e) {
                // the message names the URL, never the password
                throw new IllegalStateException("extracta.queue.broker-url is not a valid Artemis URL: "
                        + e.getMessage(), e);
            }
            factory.setUser(user);
            factory.setPassword(password);
            return factory;
        }
    }
}
