package bench.minimal;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The yardstick of the start-up benchmark: Camel Main with one YAML route (a folder's CSV files, each line as JSON,
 * posted over camel-http). {@code --once <folder>} starts it on that folder and stops it as soon as it has started,
 * as the purge application's {@code --once} does on an empty folder.
 */
public final class MinimalApp {

    private MinimalApp() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().withRoutesIncludePattern("classpath:routes/minimal.camel.yaml");
        if (args.length > 1 && "--once".equals(args[0])) {
            main.addOverrideProperty("inbox", args[1]);
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterStart(BaseMainSupport started) {
                    ((Main) started).completed();
                }
            });
        }
        main.run();
    }
}
