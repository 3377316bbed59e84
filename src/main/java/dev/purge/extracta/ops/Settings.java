package dev.purge.extracta.ops;

import dev.purge.extracta.run.Failures;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.util.PropertiesHelper;

/**
 * Every {@code extracta.*} setting in one table, with what it accepts. {@link #check} refuses to start on a value out
 * of its range or on a setting that does not exist (a typo such as {@code EXTRACTA_DRYRUN} would otherwise be ignored
 * in silence, and a dry run would delete for real). application.properties and README's Configure table list the very
 * same settings; {@code SettingsDocumentTest} fails when one of the three differs.
 */
public final class Settings {

    private static final long DAY = 86_400_000L;
    private static final String PROPERTIES_OPTIONS = "camel.component.properties.";
    /** A URL parameter whose name says it holds a secret: a value with one is never shown. */
    private static final Pattern URL_SECRET_PARAMETER = Pattern.compile(
            "(?i)[\\w.-]*(password|passwd|passphrase|secret|token|key)=");
    /** A name of ours in any case, with any separator after the prefix. */
    private static final Pattern OURS = Pattern.compile("(?i)extracta[._-]");
    /** Variables Kubernetes adds for a Service named extracta-…: not ours to refuse. */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "EXTRACTA(_[A-Z0-9]+)*_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)");

    /** The settings: key, and the rule of its values. */
    public enum Setting {
        API_KEY("extracta.api-key", Rule.secretText()),
        API_KEY_FILE("extracta.api-key-file", Rule.text()),
        BASE_URL("extracta.base-url", Rule.baseUrl()),
        HTTP_CONNECT_TIMEOUT("extracta.http.connect-timeout", Rule.millis(1, DAY)),
        HTTP_RESPONSE_TIMEOUT("extracta.http.response-timeout", Rule.millis(1, DAY)),
        RATE_LIMIT("extracta.rate-limit", Rule.wholeNumber(0, 10_000)),
        CIRCUIT_FAILURE_THRESHOLD("extracta.circuit.failure-threshold", Rule.wholeNumber(1, 1_000_000)),
        CIRCUIT_OPEN_DURATION("extracta.circuit.open-duration", Rule.millis(1, DAY)),
        PREFLIGHT_ENABLED("extracta.preflight.enabled", Rule.flag()),
        DATA_DIR("extracta.data-dir", Rule.required()),
        INBOX("extracta.inbox", Rule.required()),
        DEADLETTER_URI("extracta.deadletter.uri", Rule.required()),
        REPORTS_DIR("extracta.reports-dir", Rule.required()),
        STATE_DIR("extracta.state-dir", Rule.required()),
        INBOX_MODE("extracta.inbox.mode", Rule.oneOf("delete", "enqueue")),
        INBOX_POLL_DELAY("extracta.inbox.poll-delay", Rule.millis(1, DAY)),
        INBOX_STABLE_PERIOD("extracta.inbox.stable-period", Rule.millis(1, DAY)),
        INBOX_READ_LOCK_TIMEOUT("extracta.inbox.read-lock-timeout", Rule.millis(1, DAY)),
        INBOX_INCLUDE("extracta.inbox.include", Rule.regex()),
        INBOX_MARKER_SUFFIX("extracta.inbox.marker-suffix", Rule.text()),
        INBOX_LAST_LINE_WAIT("extracta.inbox.last-line-wait", Rule.millis(0, DAY)),
        CSV_HEADER("extracta.csv.header", Rule.oneOf("auto", "present", "absent")),
        INPUT_MAX_LINE_LENGTH("extracta.input.max-line-length", Rule.wholeNumber(256, 1 << 30)),
        INPUT_MAX_MESSAGE_LENGTH("extracta.input.max-message-length", Rule.wholeNumber(256, 1 << 30)),
        INBOX_WATCH("extracta.inbox.watch", Rule.flag()),
        QUEUE_ENABLED("extracta.queue.enabled", Rule.flag()),
        QUEUE_CONSUME("extracta.queue.consume", Rule.flag()),
        QUEUE_URI("extracta.queue.uri", Rule.required()),
        QUEUE_DEADLETTER_URI("extracta.queue.deadletter-uri", Rule.required()),
        QUEUE_BROKER_URL("extracta.queue.broker-url", Rule.required()),
        QUEUE_USERNAME("extracta.queue.username", Rule.text()),
        QUEUE_PASSWORD("extracta.queue.password", Rule.secretText()),
        QUEUE_MAX_CONNECTIONS("extracta.queue.max-connections", Rule.wholeNumber(1, 100)),
        QUEUE_REDELIVERY_DELAY("extracta.queue.redelivery-delay", Rule.millis(1, DAY)),
        QUEUE_MAX_REDELIVERY_DELAY("extracta.queue.max-redelivery-delay", Rule.millis(1, DAY)),
        DEFAULT_CLASSIFICATION_ID("extracta.default-classification-id", Rule.text()),
        CONCURRENCY("extracta.concurrency", Rule.wholeNumber(1, 1000)),
        RETRY_MAX_ATTEMPTS("extracta.retry.max-attempts", Rule.wholeNumber(1, 100)),
        RETRY_INITIAL_DELAY("extracta.retry.initial-delay", Rule.millis(0, DAY)),
        RETRY_MAX_DELAY("extracta.retry.max-delay", Rule.millis(0, DAY)),
        IDEMPOTENCY_ENABLED("extracta.idempotency.enabled", Rule.flag()),
        IDEMPOTENCY_REPOSITORY("extracta.idempotency.repository", Rule.required()),
        IDEMPOTENCY_FILE("extracta.idempotency.file", Rule.required()),
        IDEMPOTENCY_MAX_ENTRIES("extracta.idempotency.max-entries", Rule.wholeNumber(1, 1 << 30)),
        IDEMPOTENCY_CLAIM_LEASE("extracta.idempotency.claim-lease", Rule.millis(1000, DAY)),
        JDBC_URL("extracta.jdbc.url", Rule.required()),
        JDBC_USERNAME("extracta.jdbc.username", Rule.text()),
        JDBC_PASSWORD("extracta.jdbc.password", Rule.secretText()),
        DRY_RUN("extracta.dry-run", Rule.flag()),
        PROGRESS_INTERVAL("extracta.progress-interval", Rule.millis(1, DAY)),
        MANAGEMENT_ENABLED("extracta.management.enabled", Rule.flag()),
        READINESS_PAUSE_THRESHOLD("extracta.readiness.pause-threshold", Rule.millis(0, DAY)),
        MANAGEMENT_HOST("extracta.management.host", Rule.required()),
        MANAGEMENT_PORT("extracta.management.port", Rule.wholeNumber(0, 65_535)),
        /** Read by log4j2.xml from the environment or -D before Camel starts: not in application.properties. */
        LOG_FORMAT("extracta.log.format", Rule.oneOf("text", "json"));

        private final String key;
        private final Rule rule;

        Setting(String key, Rule rule) {
            this.key = key;
            this.rule = rule;
        }

        public String key() {
            return key;
        }

        public Rule rule() {
            return rule;
        }

        /** The environment variable Camel reads for it: upper case, {@code .} and {@code -} become {@code _}. */
        public String environmentVariable() {
            return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }

        /** Whether application.properties declares it (log4j2.xml reads the only one that it does not). */
        public boolean declaredInProperties() {
            return this != LOG_FORMAT;
        }
    }

    /**
     * What a setting accepts: {@code range} as README says it; {@code refusal} says why a value is not allowed
     * (null when it is); a secret's value is never shown.
     */
    public record Rule(String range, Function<String, String> refusal, boolean secret) {

        static Rule wholeNumber(long min, long max) {
            return number(min, max, min + " to " + max);
        }

        static Rule millis(long min, long max) {
            return number(min, max, min + " to " + max + " ms");
        }

        private static Rule number(long min, long max, String range) {
            return new Rule(range, value -> {
                long n;
                try {
                    n = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return "must be a whole number from " + range;
                }
                return n < min || n > max ? "must be from " + range : null;
            }, false);
        }

        static Rule flag() {
            return oneOf("true", "false");
        }

        static Rule oneOf(String... allowed) {
            List<String> quoted = Arrays.stream(allowed).map(a -> "`" + a + "`").toList();
            String range = String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
            return new Rule(range, value -> Arrays.asList(allowed).contains(value) ? null
                    : "must be " + range.replace("`", ""), false);
        }

        static Rule text() {
            return new Rule("any text", value -> null, false);
        }

        static Rule required() {
            return new Rule("not empty", value -> value.isBlank() ? "must not be empty" : null, false);
        }

        static Rule secretText() {
            return new Rule("any text (secret, never shown)", value -> null, true);
        }

        static Rule regex() {
            return new Rule("a regular expression", value -> {
                try {
                    Pattern.compile(value);
                    return null;
                } catch (PatternSyntaxException e) {
                    return "must be a regular expression: " + e.getDescription() + " at index " + e.getIndex();
                }
            }, false);
        }

        static Rule baseUrl() {
            return new Rule("https URL, or http to loopback; a plain path (letters, digits, `- . _ ~`); no trailing "
                    + "slash, user info (`user:pass@`), `.` or `..` segment, percent-encoding, `;`, query or fragment",
                    Settings::baseUrlRefusal, false);
        }
    }

    private Settings() {
    }

    /**
     * Refuses to start, naming every unknown setting (with the closest known one) and every value out of its range.
     * Runs before Camel binds any setting to a bean, so the operator reads the rule, not a binding error.
     */
    static void check(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        applyPropertiesOptions(context, properties);
        int environmentMode = properties instanceof org.apache.camel.component.properties.PropertiesComponent pc
                ? pc.getEnvironmentVariableMode() : 2;
        int systemMode = properties instanceof org.apache.camel.component.properties.PropertiesComponent pc
                ? pc.getSystemPropertiesMode() : 2;
        List<String> problems = new ArrayList<>(unknown(
                properties.loadProperties(k -> k.startsWith("extracta.")).stringPropertyNames(),
                environmentMode == 0 ? Map.of() : System.getenv(),
                systemMode == 0 ? new Properties() : System.getProperties()));
        problems.addAll(refusals(key -> properties.resolveProperty(key).orElse(null)));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Refusing to start: " + String.join("; ", problems)
                    + ". Every setting is listed in README, Configure");
        }
    }

    /**
     * Camel Main applies {@code camel.component.properties.*} (such as environment-variable-mode, which the tests and
     * the sandbox set) only after the listeners' beforeConfigure: binding them here, with Camel's own binding, makes
     * the values checked the ones the beans will get. Camel binds the same values again afterwards.
     */
    private static void applyPropertiesOptions(CamelContext context, PropertiesComponent properties) {
        Properties loaded = properties.loadProperties(k -> k.startsWith(PROPERTIES_OPTIONS));
        if (!loaded.isEmpty()) {
            Map<String, Object> all = new LinkedHashMap<>();
            loaded.stringPropertyNames().forEach(key -> all.put(key, loaded.getProperty(key)));
            Map<String, Object> options = PropertiesHelper.extractProperties(all, PROPERTIES_OPTIONS);
            PropertyBindingSupport.build().withIgnoreCase(true).bind(context, properties, options);
        }
    }

    /** Every setting given that is not in the table: property keys, environment variables, system properties. */
    static List<String> unknown(Set<String> propertyKeys, Map<String, String> environment, Properties system) {
        Set<String> keys = Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet());
        Set<String> variables = Arrays.stream(Setting.values()).map(Setting::environmentVariable)
                .collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(propertyKeys)) {
            if (!keys.contains(key)) {
                problems.add("unknown setting " + key + " (did you mean " + closest(key, keys) + "?)");
            }
        }
        // any spelling of the prefix (EXTRACTA_DRY_RUN as -D, extracta_dry_run or EXTRACTA.DRY-RUN in the
        // environment): honoured by Camel or not, only the canonical name of each place is taken
        for (String name : new TreeSet<>(system.stringPropertyNames())) {
            if (OURS.matcher(name).lookingAt() && !keys.contains(name)) {
                problems.add("unknown system property -D" + name + " (did you mean -D"
                        + closest(name.toLowerCase(Locale.ROOT).replace('_', '.'), keys) + "?)");
            }
        }
        for (String name : new TreeSet<>(environment.keySet())) {
            if (OURS.matcher(name).lookingAt() && !variables.contains(name)
                    && !SERVICE_LINK.matcher(name).matches()) {
                problems.add("unknown environment variable " + name + " (did you mean "
                        + closest(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), variables)
                        + "?)");
            }
        }
        return problems;
    }

    /** Every value out of its setting's range, as the properties component resolves it (null: not set). */
    static List<String> refusals(Function<String, String> resolve) {
        List<String> problems = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            String value;
            try {
                value = resolve.apply(setting.key());
            } catch (RuntimeException e) {
                problems.add(setting.key() + " (" + setting.environmentVariable() + ") cannot be resolved"
                        + (setting.rule().secret() ? "" : ": " + Failures.oneLine(e)));
                continue;
            }
            String refusal = value == null ? null : setting.rule().refusal().apply(value);
            if (refusal != null) {
                problems.add(setting.key() + " (" + setting.environmentVariable() + ")"
                        + (mayCarryCredentials(setting, value) ? "" : " is '" + value + "'") + ": " + refusal);
            }
        }
        return problems;
    }

    /** A secret, or a value with a URL's user info or a password parameter in it: never shown in a message. */
    private static boolean mayCarryCredentials(Setting setting, String value) {
        return setting.rule().secret() || value.contains("@") || URL_SECRET_PARAMETER.matcher(value).find();
    }

    /**
     * The base URL is used as it is, with paths appended: anything but scheme, host, port and a plain path could send
     * the key elsewhere ({@code /api/v1/../../evil}) or change the request ({@code ?x=1}, {@code #…}).
     */
    static String baseUrlRefusal(String baseUrl) {
        try {
            StartupChecks.checkBaseUrl(baseUrl);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            return "must be a URL: " + e.getReason();
        }
        if (uri.getRawQuery() != null || baseUrl.contains("?")) {
            return "must have no query string (?…)";
        }
        if (uri.getRawFragment() != null || baseUrl.contains("#")) {
            return "must have no fragment (#…)";
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        // decoded, so %2e%2e counts as ..
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "must have no '.' or '..' path segment";
            }
        }
        if (path.contains("//")) {
            return "must have no empty path segment (//)";
        }
        return null;
    }

    /** The known name nearest to {@code name} by edit distance. */
    static String closest(String name, Set<String> known) {
        return known.stream().min(Comparator.comparingInt((String k) -> editDistance(name, k))
                .thenComparing(Comparator.naturalOrder())).orElse("");
    }

    /**
     * Levenshtein distance. Camel's own suggestion strategy (the one behind its "did you mean") lives in camel-catalog,
     * which the application does not ship; these few lines are cheaper than that jar.
     */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
