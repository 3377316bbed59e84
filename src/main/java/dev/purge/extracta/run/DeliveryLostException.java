package dev.purge.extracta.run;

/**
 * The JMS session of the queue message being processed is gone (the broker restarted or the connection broke): the
 * broker gives the message to a consumer again, so this delivery must not send anything more.
 */
public class DeliveryLostException extends Exception {

    public DeliveryLostException(String message) {
        super(message, null, false, false);
    }
}
