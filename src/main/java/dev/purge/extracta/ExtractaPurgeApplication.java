package dev.purge.extracta;

import dev.purge.extracta.health.FatalErrors;
import dev.purge.extracta.ops.OneShotRun;
import dev.purge.extracta.ops.StartupChecks;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.secret.SecretRedactor;
import dev.purge.extracta.secret.SecretSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * Runs the purge application: Camel Main with our routes, properties and startup checks. {@code --once
 * [file-or-folder…]} processes what is there and exits with the status of {@link OneShotRun}; anything else is
 * passed to Camel Main, which runs until stopped.
 */
public final class ExtractaPurgeApplication {

    public static final String ONCE = "--once";
    private static final String MANAGEMENT_ENABLED = "extracta.management.enabled";
    /**
     * The route files of routes/, each named: a wildcard makes Camel read the whole jar entry by entry to find them
     * (about 25,000 entries, twice: once for the beans, once for the routes), which cost more than a second of every
     * start. {@code RouteFilesTest} checks that this list is exactly the files of routes/.
     */
    public static final List<String> ROUTE_FILES = List.of(
            "beans.camel.yaml",
            "dead-letter.camel.yaml",
            "delete-batch.camel.yaml",
            "direct-delete.camel.yaml",
            "enqueue-row.camel.yaml",
            "error-handling.camel.yaml",
            "inbox.camel.yaml",
            "message-requests.camel.yaml",
            "process-file.camel.yaml",
            "process-row.camel.yaml",
            "queue.camel.yaml");
    /** Camel's routes include pattern for {@link #ROUTE_FILES}, in the jar's (or the classpath's) routes/. */
    public static final String ROUTES = String.join(",",
            ROUTE_FILES.stream().map(file -> "classpath:routes/" + file).toList());

    private ExtractaPurgeApplication() {
    }

    /** The Main used in production and by the tests alike. */
    public static Main newMain() {
        Main main = new Main();
        // the copy of routes/ packaged in the jar, so it runs from any folder; not in application.properties, where it
        // would override the files `camel run routes/*` names. -Dcamel.main.routesIncludePattern still overrides it
        main.configure().withRoutesIncludePattern(ROUTES);
        // first: the secrets are registered for masking before anything logs a resolved setting. Camel would also make
        // both from camel.main.main-listener-classes (that is how camel run gets them), but only after beforeConfigure;
        // added here, they run before any setting is resolved, and Camel makes no second instance
        main.addMainListener(new SecretSettings());
        main.addMainListener(new StartupChecks());
        return main;
    }

    public static void main(String[] args) {
        // java.util.logging (the PostgreSQL driver's warnings, say) goes through log4j2 and its secret masking; set
        // before anything logs through it
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
        }
        FatalErrors.install();
        int status = run(args, Map.of(), true);
        // a fatal Error's own exit may be racing this one: both say the same status
        System.exit(FatalErrors.ending() ? FatalErrors.EXIT_STATUS : status);
    }

    /** Runs until stopped (or, with --once, until the files are done) and returns the exit status. */
    /** Whether extracta.management.enabled is set for this run: in the environment, by -D or by the caller. */
    static boolean managementAskedFor(Map<String, String> overrides) {
        return overrides.containsKey(MANAGEMENT_ENABLED) || System.getProperty(MANAGEMENT_ENABLED) != null
                || System.getenv("EXTRACTA_MANAGEMENT_ENABLED") != null;
    }

    public static int run(String[] args, Map<String, String> overrides) {
        return run(args, overrides, false);
    }

    /** As {@link #run(String[], Map)}; {@code exitOnSignal}: this is the process (a signal ends it with the status). */
    static int run(String[] args, Map<String, String> overrides, boolean exitOnSignal) {
        Main main = newMain();
        overrides.forEach(main::addOverrideProperty);
        OneShotRun oneShot = null;
        String[] mainArgs = args;
        if (args.length > 0 && ONCE.equals(args[0])) {
            oneShot = new OneShotRun(List.of(Arrays.copyOfRange(args, 1, args.length)));
            main.addMainListener(oneShot);
            if (exitOnSignal) {
                oneShot.exitWithStatusOnSignal(System.out);
            }
            // the one-shot run hands the files over itself; neither the drop folder nor the queue is watched
            main.addOverrideProperty("extracta.inbox.watch", "false");
            main.addOverrideProperty("extracta.queue.consume", "false");
            // a run that ends by itself serves no probes: no management port, no metrics registry (a third of the
            // start), unless the operator asks for them where one sets this key for a run
            if (!managementAskedFor(overrides)) {
                main.addOverrideProperty(MANAGEMENT_ENABLED, "false");
            }
            mainArgs = new String[0];
        }
        int exitCode;
        try {
            exitCode = main.run(mainArgs);
        } catch (Exception e) {
            if (oneShot != null) {
                oneShot.exiting();
            }
            // a failed start would otherwise leave a non-daemon thread and a hanging JVM
            System.err.println("Extracta purge could not start: " + startFailure(e));
            return OneShotRun.FATAL;
        }
        if (oneShot == null) {
            return exitCode;
        }
        oneShot.printSummary(System.out);
        oneShot.exiting();
        return oneShot.exitCode();
    }

    /** The failure and each cause under it, one after the other, the key masked: Camel's own message is often only
     *  "Error pre-parsing resource", and the reason is a cause or two below. */
    static String startFailure(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append("; caused by ").append(Failures.oneLine(cause));
        }
        return SecretRedactor.redact(text.toString());
    }
}
