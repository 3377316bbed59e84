package dev.purge.extracta.ingest;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Brings back only the answer of a direct call: the caller's exchange keeps its own headers and properties, and
 * gets the outcomes as its body.
 */
public class AnswerOnly implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange caller, Exchange call) {
        if (call.getException() != null) {
            caller.setException(call.getException());
        } else {
            caller.getMessage().setBody(call.getMessage().getBody());
        }
        return caller;
    }
}
