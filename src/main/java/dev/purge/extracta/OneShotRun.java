package dev.purge.extracta;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.MainSupport;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-shot mode ({@code --once [file-or-folder…]}): once the application has started, hands each file to the
 * process-file route, one after the other, then ends the application with a status a scheduler can act on. With no
 * paths it takes the files in the inbox (which then move to .done/ or .failed/ as usual); files and folders named on
 * the command line stay where they are. Files are taken as they are: no read lock waits for a writer.
 */
public final class OneShotRun extends MainListenerSupport {

    /** Every row ended deleted, already absent, skipped or duplicate. */
    public static final int ALL_DONE = 0;
    /** A fatal error: the key refused (at start or mid-run), an input that could not be read at all. */
    public static final int FATAL = 1;
    /** Every file ran to its end, and at least one row was dead-lettered. */
    public static final int DEAD_LETTERED = 2;
    /** Stopped (a signal, a shutdown) before every file ran to its end: everything resumes at the next run. */
    public static final int INTERRUPTED = 3;

    private static final Logger LOG = LoggerFactory.getLogger(OneShotRun.class);

    private final List<String> paths;
    private final List<FileResult> results = new ArrayList<>();
    private volatile int exitCode = FATAL; // until the run got through: a start that failed is fatal
    private volatile boolean fatal;
    private volatile boolean interrupted;

    /** One line of the summary: the file's run, or why it could not be run at all. */
    private record FileResult(String file, FileRun run, String problem) {
    }

    public OneShotRun(List<String> paths) {
        this.paths = List.copyOf(paths);
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        Thread runner = new Thread(() -> {
            try {
                runAll(main.getCamelContext());
            } catch (RuntimeException e) {
                LOG.error("The one-shot run failed: {}", Failures.oneLine(e));
                fatal = true;
            } finally {
                exitCode = decideExitCode();
                ((MainSupport) main).completed();
            }
        }, "extracta-once");
        runner.start();
    }

    private void runAll(CamelContext context) {
        SendGate sendGate = context.getRegistry().lookupByNameAndType("sendGate", SendGate.class);
        ProducerTemplate template = context.createProducerTemplate();
        for (Target target : targets(context)) {
            if (context.isStopping() || context.isStopped()) {
                interrupted = true;
                return;
            }
            if (sendGate != null && sendGate.isHalted()) {
                fatal = true; // the key was refused: the rest is left as it is for the next run
                return;
            }
            results.add(run(template, target));
        }
    }

    /** A file to run, and whether it stays where it is (named on the command line) or moves (from the inbox). */
    private record Target(Path file, boolean inPlace, String problem) {
    }

    private List<Target> targets(CamelContext context) {
        List<Target> targets = new ArrayList<>();
        // the inbox route is loaded (only not started): its endpoint says which files a folder holds
        FileEndpoint inbox = InboxFiles.endpoint(context);
        if (paths.isEmpty()) {
            Path folder = inbox.getFile().toPath();
            if (Files.isDirectory(folder)) {
                inputsIn(folder, inbox).forEach(file -> targets.add(new Target(file, false, null)));
            }
            return targets;
        }
        for (String name : paths) {
            Path path = Path.of(name).toAbsolutePath();
            if (Files.isDirectory(path)) {
                inputsIn(path, inbox).forEach(file -> targets.add(new Target(file, true, null)));
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                targets.add(new Target(path, true, null));
            } else {
                targets.add(new Target(path, true, Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        ? "not a regular file (a symbolic link or a device is never read)" : "no such file or folder"));
            }
        }
        return targets;
    }

    private static List<Path> inputsIn(Path folder, FileEndpoint inbox) {
        try {
            return InboxFiles.inputsIn(folder, inbox);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private FileResult run(ProducerTemplate template, Target target) {
        String name = target.file().getFileName().toString();
        if (target.problem() != null) {
            LOG.error("Cannot read {}: {}", target.file(), target.problem());
            fatal = true;
            return new FileResult(target.file().toString(), null, target.problem());
        }
        Exchange exchange = new DefaultExchange(template.getCamelContext());
        exchange.getMessage().setHeader("CamelFileAbsolutePath", target.file().toString());
        exchange.getMessage().setHeader(Exchange.FILE_NAME_ONLY, name);
        exchange.getMessage().setHeader(Exchange.FILE_NAME, name);
        exchange.getMessage().setBody(target.file().toFile());
        exchange.setProperty(FileRunTracker.IN_PLACE_PROPERTY, target.inPlace());
        template.send("direct:process-file", exchange);
        FileRun run = exchange.getProperty(FileRunTracker.RUN_PROPERTY, FileRun.class);
        if (run == null || run.status() == null) {
            fatal = true;
            String problem = Failures.oneLine(Failures.caught(exchange));
            return new FileResult(name, null, problem);
        }
        switch (run.status()) {
            case "DONE" -> {
                if (!target.inPlace()) {
                    moveToDone(target.file());
                }
            }
            case "INTERRUPTED" -> {
                if (FileRunTracker.STOPPED_BY_HALT.equals(run.interruptedBecause())) {
                    fatal = true;
                } else {
                    interrupted = true;
                }
            }
            case "FAILED" -> fatal = true;
            default -> { } // DRY_RUN: nothing moves
        }
        if (run.count(Outcome.UNREADABLE_FILE) > 0) {
            fatal = true;
        }
        return new FileResult(name, run, null);
    }

    private static void moveToDone(Path file) {
        try {
            FileRunTracker.moveBeside(file, ".done");
        } catch (IOException e) {
            // every row is final: the journal is gone, so a later run would skip nothing; say so loudly
            LOG.error("{} is done but could not be moved to .done/: {}; remove it from the inbox by hand", file,
                    e.getMessage());
        }
    }

    private int decideExitCode() {
        if (fatal) {
            return FATAL;
        }
        if (interrupted) {
            return INTERRUPTED;
        }
        boolean deadLettered = results.stream().anyMatch(r -> r.run() != null && r.run().rowsFailed() > 0);
        return deadLettered ? DEAD_LETTERED : ALL_DONE;
    }

    /** The exit status, once the run has ended (FATAL if it never got to run). */
    public int exitCode() {
        return exitCode;
    }

    /** A short table: one line per file with its status, rows and outcomes, then the exit status. */
    public void printSummary(PrintStream out) {
        int width = Math.max(4, results.stream().mapToInt(r -> r.file().length()).max().orElse(4));
        String format = "%-" + width + "s  %-11s  %7s  %s%n";
        out.printf(format, "file", "status", "rows", "outcomes");
        if (results.isEmpty()) {
            out.println("(no files)");
        }
        for (FileResult result : results) {
            if (result.run() == null) {
                out.printf(format, result.file(), "NOT_READ", "-", result.problem());
            } else {
                FileRun run = result.run();
                out.printf(format, result.file(), run.status(), run.rowsRead(), run.totalsText());
            }
        }
        out.println("exit status " + exitCode + ": " + switch (exitCode) {
            case ALL_DONE -> "every row deleted, already absent, skipped or duplicate";
            case DEAD_LETTERED -> "some rows were dead-lettered (see the dead-letter files and reports)";
            case INTERRUPTED -> "stopped before the end; the next run resumes";
            default -> "fatal error (see the log above)";
        });
    }
}
