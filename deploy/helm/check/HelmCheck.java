import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Path;

/**
 * Runs Helm through helm-java (Helm's Go code as a native library, no helm binary, no cluster) for
 * deploy/test.sh. Launched as a single source file: {@code java -cp CLASSPATH HelmCheck.java ...}.
 *
 * <pre>
 *   HelmCheck lint CHART_DIR                              # helm lint --strict; exit 1 on a failure
 *   HelmCheck template CHART_DIR RELEASE NAMESPACE [VALUES_FILE]   # helm template, manifests on stdout
 * </pre>
 */
public final class HelmCheck {
    public static void main(String[] args) {
        if (args.length >= 2 && args[0].equals("lint")) {
            LintResult result = new Helm(Path.of(args[1])).lint().strict().call();
            result.getMessages().forEach(System.out::println);
            if (result.isFailed()) {
                System.err.println("helm lint --strict failed: " + args[1]);
                System.exit(1);
            }
        } else if (args.length >= 4 && args[0].equals("template")) {
            var template = new Helm(Path.of(args[1])).template().withName(args[2]).withNamespace(args[3]);
            if (args.length >= 5) {
                template = template.withValuesFile(Path.of(args[4]));
            }
            System.out.print(template.call());
        } else {
            System.err.println("usage: HelmCheck lint CHART_DIR | template CHART_DIR RELEASE NAMESPACE [VALUES_FILE]");
            System.exit(2);
        }
    }
}
