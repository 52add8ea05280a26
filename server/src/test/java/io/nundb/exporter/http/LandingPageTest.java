package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LandingPageTest {
    static final String HOSTILE = "<script>alert('x')</script>\"&";
    static final long NOW = 1_700_000_010_000L;

    static ScrapeEndpointConfig config(String telemetryPath, String version) {
        return ScrapeEndpointConfig.of(
                "127.0.0.1", 0, telemetryPath, Duration.ofSeconds(1), Duration.ZERO, version, "rev", false, null);
    }

    static ClusterView view(String self, Role selfRole, String... others) {
        List<ViewMember> members = new ArrayList<>();
        members.add(new ViewMember(self, MemberStatus.SELF, selfRole));
        for (String o : others) {
            boolean primary = o.startsWith("!");
            members.add(new ViewMember(
                    primary ? o.substring(1) : o, MemberStatus.CONNECTED, primary ? Role.PRIMARY : Role.SECONDARY));
        }
        return new ClusterView(members);
    }

    static NodeSnapshot up(String name, ClusterView view) {
        return NodeSnapshot.builder(name)
                .up(true)
                .lastSuccessEpochMillis(NOW - 2_000)
                .metrics(new MetricsState(0, 0, 0, 1, 1))
                .view(view)
                .build();
    }

    /** Every cell of the table body, row by row, tags stripped and entities kept. */
    static List<List<String>> rows(String html) {
        String body = html.substring(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
        List<List<String>> rows = new ArrayList<>();
        for (String tr : body.split("<tr>")) {
            if (!tr.contains("<td")) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            Matcher m = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(tr);
            while (m.find()) {
                cells.add(m.group(1));
            }
            rows.add(cells);
        }
        return rows;
    }

    @Test
    void showsEachNodesRoleStateReasonPendingAndViewAgreement() {
        NodeSnapshot primary = up("n1", view("n1", Role.PRIMARY, "n2", "n3")).toBuilder()
                .pendingOps(
                        new PendingOpsSnapshot(Map.of("n2", new PendingOpsSnapshot.Member(4, 1, 1L)), NOW - 1_000, 100))
                .build();
        NodeSnapshot secondary = up("n2", view("n2", Role.SECONDARY, "!n1", "n3"));
        NodeSnapshot down = NodeSnapshot.builder("n3")
                .up(false)
                .downReason(PollErrorReason.TIMEOUT)
                .build();
        String html = LandingPage.render(
                config("/metrics", "1.2.3"), new ClusterSnapshot(NOW, List.of(primary, secondary, down), 3, 0));

        assertThat(rows(html))
                .containsExactly(
                        List.of("n1", "primary", "up", "-", "2023-11-14T22:13:28Z (2 s ago)", "-", "-", "yes"),
                        List.of("n2", "secondary", "up", "-", "2023-11-14T22:13:28Z (2 s ago)", "-", "4 / 1", "yes"),
                        List.of("n3", "-", "down", "timeout", "never", "-", "0 / 0", "-"));
        assertThat(html)
                .contains("<span class=\"bad\">2 of 3 nodes up</span>")
                .contains("<span class=\"ok\">views agree</span>")
                .contains("<span class=\"ok\">primary n1</span>");
    }

    @Test
    void flagsANodeWhoseViewDisagreesWithThePrimarys() {
        String html = LandingPage.render(
                config("/metrics", "1"),
                new ClusterSnapshot(
                        NOW,
                        List.of(
                                up("n1", view("n1", Role.PRIMARY, "n2")),
                                up("n2", view("n2", Role.SECONDARY, "!n1", "n9"))),
                        0,
                        0));

        assertThat(rows(html)).extracting(r -> r.get(7)).containsExactly("yes", "no");
        assertThat(html).contains("<span class=\"bad\">views disagree</span>");
    }

    @Test
    void escapesHostileNodeNamesAndVersions() {
        NodeSnapshot hostile = up(HOSTILE, view(HOSTILE, Role.PRIMARY));
        String html =
                LandingPage.render(config("/metrics", "<b>v</b>"), new ClusterSnapshot(NOW, List.of(hostile), 1, 0));

        assertThat(html)
                .doesNotContain("<script>")
                .doesNotContain("<b>v</b>")
                .contains("Version &lt;b&gt;v&lt;/b&gt;")
                .contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;</td>")
                .contains("primary &lt;script&gt;");
        assertThat(html.toLowerCase()).doesNotContain("<script").doesNotContain("javascript:");
    }

    @Test
    void everyLinkToTheExporterIsRelativeSoThatAPathPrefixWorks() {
        String html = LandingPage.render(config("/custom/metrics", "1"), ClusterSnapshot.EMPTY);

        List<String> hrefs = new ArrayList<>();
        Matcher m = Pattern.compile("(href|src)=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            hrefs.add(m.group(2));
        }
        assertThat(hrefs)
                .containsExactly(
                        "./custom/metrics",
                        "./discovery",
                        "./-/healthy",
                        "./-/ready",
                        LandingPage.PROJECT + "#readme",
                        LandingPage.PROJECT + "/blob/main/deploy/RUNBOOK.md");
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img");
        assertThat(html).contains("<span class=\"bad\">0 of 0 nodes up</span>");
    }
}
