package dev.purge.extracta.secret;

import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Before any setting is resolved or any bean configured (Camel logs resolved values at DEBUG and TRACE): registers
 * every secret value of the settings with {@link SecretRedactor}, so no log line ever shows one, and refuses a JDBC
 * or broker URL that carries a password, naming the setting to use instead and never echoing the URL.
 *
 * <p>Like {@link StartupChecks}: added by {@link ExtractaPurgeApplication#newMain} for {@code java -jar} (beforeConfigure),
 * under {@code camel run} by the first bean of routes/beans.camel.yaml, {@code EarlyChecks} ({@link #setCamelContext},
 * before any other bean is configured: Camel makes the YAML beans before the listeners of
 * {@code camel.main.main-listener-classes}), and again by Camel from that setting.
 */
public class SecretSettings extends MainListenerSupport implements CamelContextAware {

    /**
     * A {@code password=} parameter, or any user info: an {@code @} after {@code //} (a password may hold {@code /},
     * {@code ?} or {@code #}, so the user info is not cut there).
     */
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(^|[?&;,(])password=|//\\S*@");
    /** Our names and Camel's, in any case and with any separator (Camel also reads EXTRACTA.API-KEY). */
    private static final Pattern SETTING_NAME = Pattern.compile("(?i)(extracta|camel)[._-]");

    private static final Pattern BEAN_REFERENCE = Pattern.compile("#(class|bean|type):");

    private volatile CamelContext camelContext;
    private volatile boolean done;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        registerAndCheck(main.getCamelContext(), main.getInitialProperties(), main.getOverrideProperties());
    }

    /** Called by Camel when it makes this listener from camel.main.main-listener-classes (camel run). */
    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        registerAndCheck(camelContext, null, null);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    private void registerAndCheck(CamelContext context, Properties initial, Properties overrides) {
        if (done) {
            return;
        }
        done = true;
        // the raw values, as set: resolving them through Camel would log them before they are registered
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (SETTING_NAME.matcher(e.getKey()).lookingAt()) {
                register(e.getKey(), e.getValue());
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (SETTING_NAME.matcher(name).lookingAt()) {
                register(name, System.getProperty(name));
            }
        }
        registerAll(initial);
        registerAll(overrides);
        registerAll(context.getPropertiesComponent().loadProperties());
        refusePasswordIn(context, "extracta.jdbc.url", "extracta.jdbc.password (EXTRACTA_JDBC_PASSWORD)");
        refusePasswordIn(context, "extracta.queue.broker-url", "extracta.queue.password (EXTRACTA_QUEUE_PASSWORD)");
    }

    private static void registerAll(Properties properties) {
        if (properties != null) {
            for (String name : properties.stringPropertyNames()) {
                register(name, properties.getProperty(name));
            }
        }
    }

    private static void register(String name, String value) {
        if (value == null || value.contains("{{") || BEAN_REFERENCE.matcher(value).lookingAt()) {
            // a placeholder's target is a setting of its own, registered as such; a bean reference is no secret
            return;
        }
        if (SecretRedactor.isSecretName(name)) {
            SecretRedactor.register(value.strip());
            SecretRedactor.register(value);
        }
        SecretRedactor.registerUrlPasswords(value);
    }

    private static void refusePasswordIn(CamelContext context, String key, String instead) {
        String url = context.getPropertiesComponent().resolveProperty(key).orElse("");
        if (PASSWORD_IN_URL.matcher(url).find()) {
            throw new IllegalStateException(key + " carries a password (a password= parameter or user info, "
                    + "user:password@, in the address): remove it from the URL and set " + instead + " instead");
        }
    }
}
