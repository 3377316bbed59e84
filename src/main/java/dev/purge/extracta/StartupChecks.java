package dev.purge.extracta;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Refuses to start a run that cannot work, before any route starts: no API key (unless in dry-run), or numbers that
 * make no sense. Registers the key with the {@link SecretRedactor}.
 */
public class StartupChecks extends MainListenerSupport {

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        boolean dryRun = Boolean.parseBoolean(property(context, "extracta.dry-run", "false"));
        String apiKey = property(context, "extracta.api-key", "");
        if (apiKey.isBlank() && !dryRun) {
            throw new IllegalStateException("No Extracta API key: set the environment variable EXTRACTA_API_KEY "
                    + "(or the property extracta.api-key), or set extracta.dry-run=true to only validate input");
        }
        if (!apiKey.isEmpty() && !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            // a pasted key with a newline or spaces would fail every request with an obscure header error
            throw new IllegalStateException("The Extracta API key contains whitespace or non-printable characters: "
                    + "check EXTRACTA_API_KEY for a trailing newline or spaces");
        }
        SecretRedactor.register(apiKey);
        String baseUrl = property(context, "extracta.base-url", "");
        if (!baseUrl.matches("https?://[^\\s/]+(/\\S*)?") || baseUrl.endsWith("/")) {
            throw new IllegalStateException("extracta.base-url must be an http(s) URL without a trailing slash, "
                    + "such as https://api.extracta.ai/api/v1, was '" + baseUrl + "'");
        }
        requirePositive(context, "extracta.concurrency");
        requirePositive(context, "extracta.retry.max-attempts");
    }

    private static void requirePositive(CamelContext context, String key) {
        String value = property(context, key, "");
        try {
            if (Integer.parseInt(value.strip()) >= 1) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(key + " must be a whole number of at least 1, was '" + value + "'");
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
