package io.nundb.exporter.cli;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nundb-exporter healthcheck}: GET {@code /-/healthy} of a running exporter on this machine and
 * exit 0 on 200, 1 otherwise; for container images without curl.
 *
 * <p>Thread-safety: used by the main thread only.
 */
@Command(
        name = "healthcheck",
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.class,
        description = "Exit 0 when the exporter on this machine answers /-/healthy with 200, else 1.")
public final class HealthcheckCommand {
    @Option(
            names = "--web.listen-address",
            paramLabel = "[HOST]:PORT",
            description = "The exporter's listen address. Env NUNDB_EXPORTER_WEB_LISTEN_ADDRESS. Default :9898.")
    String listenAddress;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after this. Default 3s.")
    String timeout;

    int run(Map<String, String> env, PrintStream out, PrintStream err) {
        String listen = listenAddress != null
                ? listenAddress
                : env.getOrDefault(Flags.LISTEN_ADDRESS.env(), Flags.LISTEN_ADDRESS.defaultText());
        int colon = listen.lastIndexOf(':');
        String host = colon > 0 ? listen.substring(0, colon) : "";
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")) {
            host = "127.0.0.1";
        }
        Duration limit;
        try {
            limit = Flags.boundedDuration(timeout == null ? "3s" : timeout, Duration.ofMillis(1));
            URI uri = URI.create("http://" + host + ":" + Integer.parseInt(listen.substring(colon + 1)) + "/-/healthy");
            HttpClient client = HttpClient.newBuilder().connectTimeout(limit).build();
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(uri).timeout(limit).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                out.println("healthy");
                return 0;
            }
            err.println("unhealthy: " + uri + " answered " + r.statusCode());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("unhealthy: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("unhealthy: " + e);
            return 1;
        }
    }
}
