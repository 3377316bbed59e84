package dev.purge.extracta;

import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Before any setting is resolved or any bean configured (Camel logs resolved values at DEBUG and TRACE): registers
 * every secret value of the settings with {@link SecretRedactor}, so no log line ever shows one.
 */
public class SecretSettings extends MainListenerSupport {


    private static final Pattern BEAN_REFERENCE = Pattern.compile("#(class|bean|type):");

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // the raw values, as set: resolving them through Camel would log them before they are registered
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (e.getKey().startsWith("EXTRACTA_") || e.getKey().startsWith("CAMEL_")) {
                register(e.getKey(), e.getValue());
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("extracta.") || name.startsWith("camel.")) {
                register(name, System.getProperty(name));
            }
        }
        registerAll(main.getInitialProperties());
        registerAll(main.getOverrideProperties());
        registerAll(context.getPropertiesComponent().loadProperties());
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
}
