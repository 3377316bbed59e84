package dev.purge.extracta;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's own writes (progress journals, the deleted-pairs file, dead-letter records, reports, moving a
 * finished file out of the inbox) are never taken as done when they failed. Each failure is said once, loudly: an
 * ERROR naming the file and the reason (later failures of the same kind at WARN), a count in
 * {@code extracta_state_write_failures_total{kind}}, and readiness DOWN (check {@code extracta-writes}) until a write
 * of that kind succeeds again. A finished file that cannot be moved out of the inbox stays listed here (and in
 * {@code extracta_inbox_files_unmovable}) until it is moved or removed.
 */
public class StateWrites extends AbstractHealthCheck {

    static final String ID = "extracta-writes";
    private static final Logger LOG = LoggerFactory.getLogger(StateWrites.class);

    /** What was being written. */
    enum Kind {
        JOURNAL, LEDGER, DEAD_LETTER, REPORT, MOVE
    }

    private record Failure(String target, String reason, Instant since) {
    }

    private final Map<Kind, Failure> failing = new ConcurrentHashMap<>();
    private final Map<Path, String> unmovable = new ConcurrentHashMap<>();
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public StateWrites() {
        super("extracta", ID);
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
        metrics.watchUnmovable(unmovable::size);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    /** A write of this kind to {@code target} failed; {@code consequence} says what the application does about it. */
    void failed(Kind kind, Object target, Throwable e, String consequence) {
        String reason = Failures.oneLine(e);
        Failure earlier = failing.put(kind, new Failure(String.valueOf(target), reason, Instant.now()));
        metrics.stateWriteFailed(kind);
        if (earlier == null) {
            LOG.error("Cannot write {} ({}): {}; {}", target, kind.name().toLowerCase().replace('_', ' '), reason,
                    consequence);
        } else {
            LOG.warn("Still cannot write {}: {}; {}", target, reason, consequence);
        }
    }

    /** A write of this kind succeeded: that kind is healthy again. */
    void succeeded(Kind kind) {
        if (!failing.isEmpty() && failing.remove(kind) != null) {
            LOG.info("Writing {} works again", kind.name().toLowerCase().replace('_', ' '));
        }
    }

    /** A finished file could not be moved out of the inbox; said once per file. */
    void unmovable(Path file, Throwable e) {
        String reason = Failures.oneLine(e);
        metrics.stateWriteFailed(Kind.MOVE);
        if (unmovable.put(file, reason) == null) {
            LOG.error("{} is finished (every row has its outcome, the report is written) but cannot be moved out of "
                    + "the inbox: {}. Nothing of it is sent again; it is moved as soon as that works (it is tried "
                    + "again from time to time), or move it away by hand", file, reason);
        }
    }

    /** A file once listed as unmovable has left the inbox. */
    void moved(Path file) {
        if (unmovable.remove(file) != null) {
            LOG.info("{} has left the inbox at last", file);
        }
    }

    boolean healthy() {
        return failing.isEmpty() && unmovable.isEmpty();
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (healthy()) {
            builder.up();
            return;
        }
        Map<String, Object> details = new TreeMap<>();
        StringBuilder message = new StringBuilder();
        failing.forEach((kind, failure) -> {
            details.put(kind.name().toLowerCase(), failure.target() + ": " + failure.reason() + " (since "
                    + failure.since() + ")");
            message.append(message.length() == 0 ? "" : "; ").append("cannot write ").append(failure.target())
                    .append(": ").append(failure.reason());
        });
        unmovable.forEach((file, reason) -> {
            details.put("unmovable " + file.getFileName(), reason);
            message.append(message.length() == 0 ? "" : "; ").append(file.getFileName())
                    .append(" is finished but cannot be moved out of the inbox: ").append(reason);
        });
        builder.down().message(message.toString());
        details.forEach(builder::detail);
    }
}
