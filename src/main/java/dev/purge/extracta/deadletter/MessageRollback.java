package dev.purge.extracta.deadletter;

import dev.purge.extracta.call.SendGate;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileRun;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue message that is rolled back (a dead letter or reply the broker refused, the deleted-pairs repository down)
 * would come straight back and fail again, as fast as the broker can deliver it. Its consumer holds it for a delay
 * first, growing with the broker's delivery count ({@code JMSXDeliveryCount}, as the broker gives it): {@code initialDelay} doubled for
 * each earlier delivery, at most {@code maxDelay}. A shutdown or a halt is never held: those messages simply stay
 * on the broker. The broker's own limit (Artemis {@code max-delivery-attempts}) still applies: see the README.
 * Not Artemis redelivery-delay: no client can set it, and a default broker drops the message within ms (CamelFeatureFitTest).
 */
public class MessageRollback {

    private static final Logger LOG = LoggerFactory.getLogger(MessageRollback.class);
    private static final long STEP_MILLIS = 200;

    private long initialDelay = 1000;
    private long maxDelay = 60_000;
    private SendGate sendGate;

    public void setInitialDelay(long initialDelay) {
        this.initialDelay = initialDelay;
    }

    public void setMaxDelay(long maxDelay) {
        this.maxDelay = maxDelay;
    }

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    /** Logs why the message goes back and holds it for the delay its delivery count calls for. */
    public void holdBeforeRollback(Exchange exchange) {
        FileRun run = exchange.getProperty(FileRun.PROPERTY, FileRun.class);
        // the broker's own count, read from the JMS message when the run opened: never a header a sender can set
        int delivery = run == null ? 1 : run.deliveryCount();
        String id = run == null ? "?" : run.source();
        Throwable cause = Failures.caught(exchange);
        if (stoppingOrHalted() || (run != null && !run.deliveryAlive())) {
            LOG.info("Message {} stays on the broker: {}", id, Failures.oneLine(cause));
            return;
        }
        long delay = delayAfterDelivery(delivery);
        LOG.warn("Message {} (delivery {}) is rolled back for redelivery in {} ms: {}", id, delivery, delay,
                Failures.oneLine(cause));
        long until = System.currentTimeMillis() + delay;
        try {
            for (long left = delay; left > 0 && !stoppingOrHalted(); left = until - System.currentTimeMillis()) {
                TimeUnit.MILLISECONDS.sleep(Math.min(left, STEP_MILLIS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long delayAfterDelivery(int delivery) {
        int exponent = Math.min(Math.max(delivery - 1, 0), 30);
        return (long) Math.min((double) initialDelay * (1L << exponent), maxDelay);
    }

    private boolean stoppingOrHalted() {
        return sendGate != null && sendGate.isStoppingOrHalted();
    }
}
