package dev.purge.extracta.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.RunInterruptedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue message's or a direct call's way: opens its run (whatever a sender put on the exchange is dropped first)
 * and, once every request has its outcome, answers with the outcome of each, in order.
 */
public class MessageRuns {

    private static final Logger LOG = LoggerFactory.getLogger(MessageRuns.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private String fileDeadLetterUri = "";
    private String queueDeadLetterUri = "";
    private boolean dryRun;

    /**
     * Opens the run of a queue message; its failures go to the queue's dead-letter endpoint. What the broker says of
     * the delivery is read from the JMS message itself; every header a sender could have set is dropped.
     */
    public void startMessage(Exchange exchange) {
        QueueDelivery delivery = QueueDelivery.of(exchange);
        FileRun run = start(exchange, queueDeadLetterUri,
                body -> delivery == null ? "message " + exchange.getExchangeId() : delivery.name(body));
        if (delivery != null) {
            run.delivery(delivery.deliveryCount(), delivery::alive);
        }
        // its requests run on the worker pool; its JMS session (the transaction its dead letters join) is this thread's
        run.holdDeadLetters();
    }

    /** Opens the run of a call to direct:extracta-delete-batch; its failures go to the dead-letter folder. */
    public void startDirectCall(Exchange exchange) throws IOException {
        Object raw = exchange.getMessage().getBody();
        if (raw != null && !(raw instanceof String) && !(raw instanceof byte[]) && !(raw instanceof InputStream)) {
            exchange.getMessage().setBody(MAPPER.writeValueAsString(raw)); // a Map or a bean: as JSON
        }
        start(exchange, fileDeadLetterUri, body -> "direct-calls");
    }

    /** Opens a message's run, named from its body by {@code nameOf}. */
    private FileRun start(Exchange exchange, String deadLetterUri, UnaryOperator<String> nameOf) {
        FileRuns.clearInternalState(exchange);
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(body); // read once: a stream body is kept as text
        String source = nameOf.apply(body);
        // nothing a sender set may steer the rows (CamelHttp*, CamelRedeliveryDelay...): the reply and the
        // transaction are the JMS consumer's, taken from the JMS message, not from these headers
        exchange.getMessage().removeHeaders("*");
        FileRun run = FileRun.forMessage(source, dryRun);
        run.setDeadLetterUri(deadLetterUri);
        exchange.setProperty(FileRun.PROPERTY, run);
        return run;
    }

    /** Every request of the message has its outcome: the reply body is the outcome of each, in order. */
    public void finishMessage(Exchange exchange) throws IOException, RunInterruptedException {
        FileRun run = FileRun.of(exchange);
        if (run.interrupted()) {
            throw new RunInterruptedException(run.source() + " was " + run.interruptedBecause()
                    + " before every request had an outcome");
        }
        LOG.info("Message {}: {} requests, {}", run.source(), run.rowsRead(), run.totalsText());
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(MAPPER.writeValueAsString(run.results()));
    }

    public void setDeadLetterUri(String deadLetterUri) {
        this.fileDeadLetterUri = deadLetterUri;
    }

    public void setQueueDeadLetterUri(String queueDeadLetterUri) {
        this.queueDeadLetterUri = queueDeadLetterUri;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }
}
