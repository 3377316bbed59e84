/** `camel` (Camel JBang) without the jbang binary: java -cp <camel-jbang-core classpath> CamelRun.java run … */
public class CamelRun {
    public static void main(String[] args) throws Exception {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
