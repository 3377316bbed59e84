package dev.purge.extracta.health;

import dev.purge.extracta.run.Failures;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * {@code extracta_inbox_files_unmovable}) until it is moved or removed. The folders the application writes to (inbox,
 * state, reports, dead letters) are looked at whenever readiness is asked: one that is not a writable folder (and
 * cannot be created) makes readiness DOWN before any write fails, and UP again once it is fixed.
 */
public class StateWrites extends AbstractHealthCheck {

    static final String ID = "extracta-writes";
    private static final Logger LOG = LoggerFactory.getLogger(StateWrites.class);

    /** What was being written. */
    public enum Kind {
        JOURNAL, LEDGER, DEAD_LETTER, REPORT, MOVE
    }

    private record Failure(String target, String reason, Instant since) {
    }

    private final Map<Kind, Failure> failing = new ConcurrentHashMap<>();
    private final Map<Path, String> unmovable = new ConcurrentHashMap<>();
    /** The folders written to, by what they hold. */
    private final Map<String, Path> folders = new ConcurrentHashMap<>();
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public StateWrites() {
        super("extracta", ID);
    }

    public void setInbox(String inbox) {
        folders.put("inbox", Path.of(inbox));
    }

    public void setStateDir(String stateDir) {
        folders.put("state folder", Path.of(stateDir));
    }

    public void setReportsDir(String reportsDir) {
        folders.put("reports folder", Path.of(reportsDir));
    }

    /** The dead-letter endpoint: its folder when it is a {@code file:} URI, else nothing to look at here. */
    public void setDeadLetterUri(String deadLetterUri) {
        Path folder = folderOf(deadLetterUri);
        if (folder != null) {
            folders.put("dead-letter folder", folder);
        }
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
    public void failed(Kind kind, Object target, Throwable e, String consequence) {
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
    public void succeeded(Kind kind) {
        if (!failing.isEmpty() && failing.remove(kind) != null) {
            LOG.info("Writing {} works again", kind.name().toLowerCase().replace('_', ' '));
        }
    }

    /** A finished file could not be moved out of the inbox; said once per file. */
    public void unmovable(Path file, Throwable e) {
        String reason = Failures.oneLine(e);
        metrics.stateWriteFailed(Kind.MOVE);
        if (unmovable.put(file, reason) == null) {
            LOG.error("{} is finished (every row has its outcome, the report is written) but cannot be moved out of "
                    + "the inbox: {}. Nothing of it is sent again; it is moved as soon as that works (it is tried "
                    + "again from time to time), or move it away by hand", file, reason);
        }
    }

    /** A file once listed as unmovable has left the inbox. */
    public void moved(Path file) {
        if (unmovable.remove(file) != null) {
            LOG.info("{} has left the inbox at last", file);
        }
    }

    public boolean healthy() {
        return failing.isEmpty() && unmovable.isEmpty();
    }

    /** Why {@code folder} cannot be written to, or null: it is a writable folder, or can be created as one. */
    static String folderProblem(Path folder) {
        Path path = folder.toAbsolutePath();
        if (Files.isDirectory(path)) {
            return Files.isWritable(path) ? null : "is not writable";
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return "is not a folder";
        }
        Path parent = path.getParent();
        while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent)) {
            return "cannot be created (" + parent + " is not a folder)";
        }
        return Files.isWritable(parent) ? null : "cannot be created (" + parent + " is not writable)";
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, String> folderProblems = new TreeMap<>();
        folders.forEach((what, folder) -> {
            String problem = folderProblem(folder);
            if (problem != null) {
                folderProblems.put(what, folder + " " + problem);
            }
        });
        if (healthy() && folderProblems.isEmpty()) {
            builder.up();
            return;
        }
        Map<String, Object> details = new TreeMap<>();
        StringBuilder message = new StringBuilder();
        folderProblems.forEach((what, problem) -> {
            details.put(what, problem);
            message.append(message.length() == 0 ? "" : "; ").append("the ").append(what).append(' ').append(problem);
        });
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

    /** The folder of a {@code file:} URI (the dead-letter folder), or null for any other URI. */
    public static Path folderOf(String uri) {
        if (uri == null || !uri.startsWith("file:")) {
            return null;
        }
        String dir = uri.substring("file:".length()).replaceFirst("^//", "");
        int query = dir.indexOf('?');
        return Path.of(query >= 0 ? dir.substring(0, query) : dir);
    }
}
