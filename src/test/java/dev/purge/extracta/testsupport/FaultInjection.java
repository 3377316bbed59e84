package dev.purge.extracta.testsupport;

import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.ingest.RequestReader;
import dev.purge.extracta.ledger.FingerprintFileIdempotentRepository;
import dev.purge.extracta.outcome.OutcomeRecorder;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.RowSteps;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.util.Iterator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.SplitDefinition;
import org.apache.camel.model.language.MethodCallExpression;

/**
 * Beans that break on purpose: they stand for an OutOfMemoryError, a runaway recursion, a full disk or a thread that
 * dies, which a test cannot cause on demand. A bean of routes/beans.camel.yaml cannot be swapped through
 * {@code camel.beans.<sameName>} (Camel binds the YAML beans again when it loads the routes, after the properties):
 * an in-JVM test puts the wrappers below into a running route with Camel's {@code AdviceWith} on the step id
 * ({@link #adviseOutOfMemoryAfter100Rows}, {@link #adviseStackOverflowAtAdmit}); the packaged jar gets a subclass
 * from an extra YAML file loaded after ours ({@link #beanOverrideYaml}). A repository under a NEW bean name
 * ({@code camel.beans.flakyPairs}) is selected with extracta.idempotency.repository, which the ledger looks up by name.
 */
public final class FaultInjection {

    private FaultInjection() {
    }

    /**
     * Makes the running application's file split (step {@code file-split-rows} of route {@code process-file}) read
     * its rows through {@link OutOfMemoryRows}: the production reader, out of memory after 100 rows.
     */
    public static void adviseOutOfMemoryAfter100Rows(CamelContext context) throws Exception {
        RequestReader reader = context.getRegistry().lookupByNameAndType("requestReader", RequestReader.class);
        AdviceWith.adviceWith(context, "process-file", advice -> {
            SplitDefinition split = ProcessorDefinitionHelper
                    .filterTypeInOutputs(advice.getOriginalRoute().getOutputs(), SplitDefinition.class).stream()
                    .filter(s -> "file-split-rows".equals(s.getId())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no step file-split-rows in route process-file"));
            split.setExpression(new MethodCallExpression(new OutOfMemoryRows(reader), "open"));
        });
    }

    /**
     * Replaces the running application's step {@code row-admit} (route {@code process-row}) by the same kind of step
     * (a {@link RowSteps#step} processor) calling {@link StackOverflowAdmit}: the production outcome recorder, whose
     * row {@code boom} throws a StackOverflowError.
     */
    public static void adviseStackOverflowAtAdmit(CamelContext context) throws Exception {
        OutcomeRecorder recorder = context.getRegistry().lookupByNameAndType("outcomeRecorder", OutcomeRecorder.class);
        AdviceWith.adviceWith(context, "process-row", advice -> advice.weaveById("row-admit").replace()
                .process(RowSteps.step(new StackOverflowAdmit(recorder)::admit)).id("row-admit"));
    }

    /** The rows of the production reader; the 101st {@code hasNext} throws an OutOfMemoryError on the worker. */
    public static class OutOfMemoryRows {
        private final RequestReader reader;

        public OutOfMemoryRows(RequestReader reader) {
            this.reader = reader;
        }

        public Iterator<RequestRow> open(Exchange exchange) throws IOException, UnreadableFileException {
            return outOfMemoryAfter100(reader.open(exchange));
        }
    }

    /** The production recorder's admit, except for the row {@code boom}: a StackOverflowError. */
    public static class StackOverflowAdmit {
        private final OutcomeRecorder recorder;

        public StackOverflowAdmit(OutcomeRecorder recorder) {
            this.recorder = recorder;
        }

        public void admit(Exchange exchange) throws DeleteFailedException {
            RequestRow row = exchange.getMessage().getBody(RequestRow.class);
            if (row != null && "boom".equals(row.request().batchId())) {
                throw new StackOverflowError("injected by the test");
            }
            recorder.admit(exchange);
        }
    }

    /**
     * A YAML file that declares {@code bean} again as {@code type} with the given properties: loaded after
     * routes/beans.camel.yaml ({@code -Dcamel.main.routesIncludePattern=} {@link ExtractaPurgeApplication#ROUTES}
     * {@code + ",file:..."}), its bean is
     * the one bound last, in Camel's pre-parse and again when the routes are loaded.
     */
    public static String beanOverrideYaml(String bean, String type, java.util.Map<String, String> properties) {
        StringBuilder yaml = new StringBuilder("- beans:\n    - name: ").append(bean).append("\n      type: ")
                .append(type).append('\n');
        if (!properties.isEmpty()) {
            yaml.append("      properties:\n");
            properties.forEach((k, v) -> yaml.append("        ").append(k).append(": \"").append(v).append("\"\n"));
        }
        return yaml.toString();
    }

    static Iterator<RequestRow> outOfMemoryAfter100(Iterator<RequestRow> rows) {
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

    /** A reader whose file runs out of memory on a worker thread after 100 rows (inside the splitter's task). */
    public static class OutOfMemoryRequestReader extends RequestReader {
        @Override
        public Iterator<RequestRow> open(Exchange exchange) throws IOException, UnreadableFileException {
            return outOfMemoryAfter100(super.open(exchange));
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
