package dev.purge.extracta.ops;

import dev.purge.extracta.call.CreditsPreflight;
import dev.purge.extracta.health.FatalErrors;
import dev.purge.extracta.ingest.RequestReader;
import dev.purge.extracta.ledger.DeleteLedger;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.secret.ExtractaCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Refuses to start a run that cannot work, before any route starts: an unknown setting or a value out of its range
 * ({@link Settings}), no API key (unless in dry-run), an API key that would travel in clear text over a network, or a
 * data folder another process uses.
 *
 * <p>{@code java -jar} adds it in {@link ExtractaPurgeApplication#newMain}; {@code camel run} (Camel JBang) makes it
 * from {@code camel.main.main-listener-classes} in application.properties. Camel Main does that inside its
 * auto-configuration, after the listeners' beforeConfigure but AFTER it pre-parsed the route files and made the beans
 * of routes/beans.camel.yaml: under {@code camel run} the settings are therefore checked first by the bean
 * {@link EarlyChecks} (bound before any other bean), again in {@link #setCamelContext}, in beforeConfigure under
 * {@code java -jar}; the rest runs in afterConfigure, once every bean exists (YAML and camel.beans.*), before any
 * route starts, under both launchers.
 */
public class StartupChecks extends MainListenerSupport implements CamelContextAware {

    /** Any user info: a password may hold / ? #, so anything up to an {@code @} counts. */
    private static final Pattern USER_INFO = Pattern.compile("//\\S*@");
    /**
     * The only characters a base URL's path may hold: plain segments. A percent-encoded character is never accepted:
     * Camel's HTTP producer decodes it (%3F became a query and dropped the delete's own path) while the JDK client of
     * the preflight does not, so the two would not even ask the same URL.
     */
    private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)*");

    private volatile DataFolderLock lock;
    private volatile CamelContext camelContext;
    private volatile boolean settingsChecked;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        checkSettings(main.getCamelContext());
    }

    /** Called by Camel when it makes this listener from camel.main.main-listener-classes (camel run). */
    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        checkSettings(camelContext);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    private void checkSettings(CamelContext context) {
        if (!settingsChecked) {
            // before Camel binds any setting to a bean or starts a route: the operator reads the rule, not a binding
            // error
            Settings.check(context);
            settingsChecked = true;
        }
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // every Camel thread pool made from here on watches its tasks for an Error (Camel Main does not take a
        // ThreadPoolFactory declared in properties: the lookup runs before those beans are made)
        FatalErrors fatalErrors = context.getRegistry().lookupByNameAndType("fatalErrors", FatalErrors.class);
        context.getExecutorServiceManager().setThreadPoolFactory(fatalErrors != null ? fatalErrors : new FatalErrors());
        boolean dryRun = Boolean.parseBoolean(property(context, "extracta.dry-run", "false"));
        ExtractaCredentials credentials = context.getRegistry()
                .lookupByNameAndType("extractaCredentials", ExtractaCredentials.class);
        if (credentials == null) {
            throw new IllegalStateException("the extractaCredentials bean is missing from routes/beans.camel.yaml");
        }
        if (credentials.resolve().isEmpty() && !dryRun) {
            throw new IllegalStateException("No Extracta API key: set the environment variable EXTRACTA_API_KEY "
                    + "(or the property extracta.api-key, or extracta.api-key-file for a secret file), "
                    + "or set extracta.dry-run=true to only validate input");
        }
        // the deleted-pairs repository named by extracta.idempotency.repository, found now that every bean exists
        // (the YAML beans, and any camel.beans.* one): a wrong name stops the start here, not at the first request
        DeleteLedger ledger = context.getRegistry().lookupByNameAndType("deleteLedger", DeleteLedger.class);
        if (ledger != null) {
            ledger.resolveRepository();
        }
        String baseUrl = property(context, "extracta.base-url", "");
        lockDataFolders(context);
        RequestReader reader = context.getRegistry().lookupByNameAndType("requestReader", RequestReader.class);
        if (reader != null) {
            reader.removeLeftovers(); // only now: another process on the same folders has been refused
        }
        if (!dryRun && Boolean.parseBoolean(property(context, "extracta.preflight.enabled", "true"))) {
            CreditsPreflight.check(baseUrl, credentials.resolve(),
                    Long.parseLong(property(context, "extracta.http.connect-timeout", "10000").strip()));
        }
    }

    /** One process per state folder and inbox: a second one refuses to start here, naming the holder. */
    private void lockDataFolders(CamelContext context) {
        Path stateDir = Path.of(property(context, "extracta.state-dir", "data/state"));
        Path inbox = Path.of(property(context, "extracta.inbox", "data/inbox"));
        DataFolderLock folders;
        try {
            folders = DataFolderLock.acquire(List.of(stateDir, inbox));
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the data folders " + stateDir + " and " + inbox + ": "
                    + Failures.oneLine(e), e);
        }
        this.lock = folders;
        try {
            // released when Camel stops, also after a start that fails later on
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    folders.close();
                }
            }, true, false);
        } catch (Exception e) {
            folders.close();
            throw new IllegalStateException("cannot register the data folder lock", e);
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        DataFolderLock held = lock;
        if (held != null) {
            held.close();
        }
    }

    /** https anywhere; plain http only to this machine (tests, a local sandbox), never over a network. */
    public static void checkBaseUrl(String baseUrl) {
        if (USER_INFO.matcher(baseUrl).find()) {
            // never echoed: the user info is a password, and the API takes only the bearer key
            throw new IllegalStateException("extracta.base-url carries user info (user:password@ before the host): "
                    + "remove it; the API key goes in EXTRACTA_API_KEY or extracta.api-key-file");
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            uri = null;
        }
        // the value is never echoed: a key pasted into the wrong setting would be printed
        if (uri == null || uri.getHost() == null || baseUrl.endsWith("/")
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new IllegalStateException("extracta.base-url must be an http(s) URL (scheme in lower case) with a "
                    + "host and without a trailing slash, such as https://api.extracta.ai/api/v1");
        }
        if (uri.getRawPath() == null || !PLAIN_PATH.matcher(uri.getRawPath()).matches()) {
            throw new IllegalStateException("extracta.base-url must have a plain path: only letters, digits and "
                    + "- . _ ~ between slashes, nothing percent-encoded, no ; parameters");
        }
        if ("http".equals(uri.getScheme()) && !isLoopback(uri.getHost())) {
            throw new IllegalStateException("extracta.base-url uses plain http to " + uri.getHost()
                    + ": the API key would travel unencrypted. Use https (plain http is accepted for loopback only)");
        }
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        // only literal addresses are checked: a name is never resolved here
        if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.contains(":")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
