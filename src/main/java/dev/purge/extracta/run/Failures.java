package dev.purge.extracta.run;

import dev.purge.extracta.secret.SecretRedactor;
import org.apache.camel.Exchange;

/** Maps whatever ended a request to its {@link Outcome}. */
public final class Failures {

    private Failures() {
    }

    /** The exception that ended the current attempt: still on the exchange, or already moved to a property. */
    public static Throwable caught(Exchange exchange) {
        Throwable e = exchange.getException();
        return e != null ? e : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** The first exception of that type in the chain, or null. */
    public static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    public static Outcome outcomeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DeleteFailedException failed) {
                return failed.getOutcome();
            }
            if (t instanceof UnreadableMessageException) {
                return Outcome.UNREADABLE_MESSAGE;
            }
            if (t instanceof UnreadableFileException) {
                return Outcome.UNREADABLE_FILE;
            }
        }
        return Outcome.INTERNAL_ERROR;
    }

    /** The innermost exception of the chain that explains the outcome. */
    public static Throwable explaining(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DeleteFailedException || t instanceof UnreadableFileException) {
                return t;
            }
        }
        return e;
    }

    /** A one-line, key-free description: the API's message, else the exception's type and message. */
    public static String describe(Throwable e) {
        Throwable t = explaining(e);
        if (t == null) {
            return null;
        }
        return t instanceof DeleteFailedException || t instanceof UnreadableFileException
                ? SecretRedactor.redact(t.getMessage())
                : oneLine(t);
    }

    /** An exception as "Type: message" (or just "Type"), the key masked. */
    public static String oneLine(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        return SecretRedactor.redact(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }
}
