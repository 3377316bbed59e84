package dev.purge.extracta;

import org.apache.camel.main.Main;

/** Runs the purge application: Camel Main with our routes, properties and startup checks. */
public final class ExtractaPurgeApplication {

    private ExtractaPurgeApplication() {
    }

    /** The Main used in production and by the tests alike. */
    public static Main newMain() {
        Main main = new Main();
        main.addMainListener(new StartupChecks());
        return main;
    }

    public static void main(String[] args) {
        int exitCode;
        try {
            exitCode = newMain().run(args);
        } catch (Exception e) {
            // a failed start would otherwise leave a non-daemon thread and a hanging JVM
            System.err.println("Extracta purge could not start: " + SecretRedactor.redact(String.valueOf(e.getMessage())));
            exitCode = 1;
        }
        System.exit(exitCode);
    }
}
