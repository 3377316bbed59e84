package dev.purge.extracta.run;

import org.apache.camel.CamelContext;

/**
 * The application is stopping: a row waiting to be sent (for its retry, the rate limit, a pause, a claim) ends here,
 * not final and not dead-lettered, and resumes at the next start. Not an {@link InterruptedException}: Camel takes an
 * exchange failing with one as cut short and skips its error handling, so the row's claim and state would not be
 * given back.
 */
public class StoppingException extends Exception {

    public StoppingException(String message) {
        super(message, null, false, false);
    }

    /** Whether the application is stopping (or stopped): anything failing now is the stop's doing. */
    public static boolean isStopping(CamelContext context) {
        return context != null && (context.isStopping() || context.isStopped());
    }
}
