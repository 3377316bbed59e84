package dev.purge.extracta.ingest;

import dev.purge.extracta.run.InboxFile;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
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
record QueueDelivery(String messageId, String queue, long sentAt, int deliveryCount, Session session) {

    /** The delivery of the exchange's JMS message, or null for an exchange that did not come from JMS. */
    static QueueDelivery of(Exchange exchange) {
        JmsMessage jms = exchange.getIn(JmsMessage.class);
        Message message = jms == null ? null : jms.getJmsMessage();
        if (message == null) {
            return null;
        }
        String id = null;
        String queue = null;
        long sentAt = 0;
        int count = 1;
        try {
            id = message.getJMSMessageID();
            sentAt = message.getJMSTimestamp();
            queue = message.getJMSDestination() instanceof Queue q ? q.getQueueName() : null;
            count = Math.max(1, message.getIntProperty("JMSXDeliveryCount"));
        } catch (JMSException | NumberFormatException e) {
            // named by what could be read; a first delivery
        }
        return new QueueDelivery(id, queue, sentAt, count, jms.getJmsSession());
    }

    /**
     * How records and logs name the message: its JMS message ID, or, for a message that has none (sent over STOMP,
     * say), its queue, when it was sent and a digest of its body, which tell it apart and find it again.
     */
    String name(String body) {
        if (messageId != null) {
            return messageId;
        }
        String digest = java.util.HexFormat.of().formatHex(InboxFile.sha256()
                .digest((body == null ? "" : body).getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 6);
        return (queue == null ? "queue" : queue) + " message"
                + (sentAt > 0 ? " sent " + java.time.Instant.ofEpochMilli(sentAt) : "") + " sha256:" + digest;
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
