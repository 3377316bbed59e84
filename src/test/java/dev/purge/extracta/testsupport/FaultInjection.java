package dev.purge.extracta.testsupport;

import dev.purge.extracta.ingest.RequestReader;
import dev.purge.extracta.ledger.FingerprintFileIdempotentRepository;
import dev.purge.extracta.outcome.OutcomeRecorder;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.util.Iterator;
import org.apache.camel.Exchange;

/**
 * Beans that break on purpose, swapped in by a test through {@code camel.beans.<name>} (a property of the test, or
 * {@code -D} to the packaged jar): they stand for an OutOfMemoryError or a thread that dies, which a test cannot
 * cause on demand.
 */
public final class FaultInjection {

    private FaultInjection() {
    }

    /** An outcome recorder whose row {@code boom} throws a StackOverflowError, as a runaway recursion would. */
    public static class StackOverflowOutcomeRecorder extends OutcomeRecorder {
        @Override
        public void admit(Exchange exchange) throws DeleteFailedException {
            RequestRow row = exchange.getMessage().getBody(RequestRow.class);
            if (row != null && "boom".equals(row.request().batchId())) {
                throw new StackOverflowError("injected by the test");
            }
            super.admit(exchange);
        }
    }

    /** A reader whose file runs out of memory on a worker thread after 100 rows (inside the splitter's task). */
    public static class OutOfMemoryRequestReader extends RequestReader {
        @Override
        public Iterator<RequestRow> open(Exchange exchange) throws IOException, UnreadableFileException {
            Iterator<RequestRow> rows = super.open(exchange);
            return new Iterator<>() {
                private int handedOut;

                @Override
                public boolean hasNext() {
                    if (handedOut >= 100) {
                        throw new OutOfMemoryError("injected by the test: Java heap space");
                    }
                    return rows.hasNext();
                }

                @Override
                public RequestRow next() {
                    handedOut++;
                    return rows.next();
                }
            };
        }
    }

    /**
     * The deleted-pairs file, whose write of one deleted pair (a batch ID containing {@code failFor}) fails once, as
     * a full disk would make it fail right after the API confirmed the delete.
     */
    public static class FailingOnceRepository extends FingerprintFileIdempotentRepository {
        private String failFor = "\u0000";
        private boolean beforeSend;
        private boolean always;
        private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();

        public void setFailFor(String failFor) {
            this.failFor = failFor;
        }

        /** Fail the "maybe deleted" mark written before the send, instead of the deleted pair written after it. */
        public void setBeforeSend(boolean beforeSend) {
            this.beforeSend = beforeSend;
        }

        /** Fail every time, not only the first. */
        public void setAlways(boolean always) {
            this.always = always;
        }

        @Override
        public synchronized boolean add(String key) {
            if (key.startsWith("maybe:") == beforeSend && key.contains(failFor)
                    && (always || failed.compareAndSet(false, true))) {
                throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
            }
            return super.add(key);
        }
    }

    /** A bean whose own thread dies of an unexpected exception a moment after the start. */
    public static class DyingThread {
        public DyingThread() {
            Thread thread = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    return;
                }
                throw new IllegalStateException("injected by the test: a thread that dies");
            }, "extracta-test-dying");
            thread.setDaemon(true);
            thread.start();
        }
    }
}
