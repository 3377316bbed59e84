package dev.purge.extracta;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * What the broker itself says about a queue message, read from the JMS message and session, never from Camel headers:
 * a sender can set any property, and Camel's case-insensitive header map lets {@code jmsredelivered} or
 * {@code jmsXDeliveryCount} sent over STOMP pass for the broker's own {@code JMSRedelivered} and
 * {@code JMSXDeliveryCount} (tried on Artemis 2.40). The session tells whether this delivery is still alive: once the
 * broker connection is gone, the broker delivers the message again, and this copy must stop sending.
 */
record QueueDelivery(String messageId, int deliveryCount, Session session) {

    /** The delivery of the exchange's JMS message, or null for an exchange that did not come from JMS. */
    static QueueDelivery of(Exchange exchange) {
        JmsMessage jms = exchange.getIn(JmsMessage.class);
        Message message = jms == null ? null : jms.getJmsMessage();
        if (message == null) {
            return null;
        }
        String id;
        int count;
        try {
            id = message.getJMSMessageID();
            count = Math.max(1, message.getIntProperty("JMSXDeliveryCount"));
        } catch (JMSException | NumberFormatException e) {
            id = null;
            count = 1;
        }
        return new QueueDelivery(id, count, jms.getJmsSession());
    }

    /** Whether the session the message came on is still open (a closed JMS session refuses every call). */
    boolean alive() {
        if (session == null) {
            return true;
        }
        try {
            session.getTransacted();
            return true;
        } catch (JMSException | RuntimeException e) {
            return false;
        }
    }
}
