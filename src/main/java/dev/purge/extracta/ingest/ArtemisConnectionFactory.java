package dev.purge.extracta.ingest;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;

/**
 * The JMS connection factory of the queue input and the queue dead letters, declared as the bean
 * {@code artemisConnectionFactory} in routes/beans.camel.yaml. A YAML bean cannot be conditional, so this one is
 * cheap: the Artemis {@code ActiveMQConnectionFactory} is made (and its classes loaded) only at the first connection,
 * which a file-only run never asks for.
 */
public class ArtemisConnectionFactory implements ConnectionFactory {

    private String brokerURL;
    private String user;
    private String password;
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
                    made = Artemis.connectionFactory(brokerURL, user, password);
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

    /** The only place that names the Artemis client: this class is loaded at the first connection, not before. */
    private static final class Artemis {
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
