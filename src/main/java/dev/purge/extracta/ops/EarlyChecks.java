package dev.purge.extracta.ops;

import dev.purge.extracta.secret.SecretSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * The first bean of routes/beans.camel.yaml. Camel Main makes the YAML beans while it pre-parses the route files,
 * before it makes the listeners named in {@code camel.main.main-listener-classes}: under {@code camel run} the other
 * beans would take their {@code {{...}}} values before {@link SecretSettings} registered the secrets and before
 * {@link StartupChecks} checked the settings (a bad value would stop the start as a bean binding error instead of our
 * rule). Bound first, this bean does both when Camel hands it the context. Under {@code java -jar} both already ran
 * in beforeConfigure, so this repeats them, at no cost.
 */
public class EarlyChecks implements CamelContextAware {

    private CamelContext camelContext;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        boolean first = this.camelContext == null;
        this.camelContext = camelContext;
        if (first) {
            new SecretSettings().setCamelContext(camelContext);
            Settings.check(camelContext);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
