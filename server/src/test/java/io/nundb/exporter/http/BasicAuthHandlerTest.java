package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.routed;
import static io.nundb.exporter.http.TestRequests.routedHead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nundb.exporter.http.RoutedRequest.Route;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answers that need no bcrypt run on the test thread here; a verification on the bcrypt thread is
 * covered over TCP by {@link WebSecurityTest}.
 */
class BasicAuthHandlerTest {
    static final String ALICE = WebSecurityTest.basic("alice", "s3cret!");

    final AtomicLong now = new AtomicLong();
    final BasicAuthenticator authenticator = new BasicAuthenticator(1, 1, now::get);
    final AtomicReference<WebConfig> web = new AtomicReference<>(BasicAuthenticatorTest.ALICE);
    final EmbeddedChannel channel = new EmbeddedChannel(new BasicAuthHandler(web::get, authenticator));

    @AfterEach
    void close() {
        authenticator.close();
    }

    /** One bcrypt verification of alice's password, so that later checks hit the cache. */
    void verifyAliceOnce() throws Exception {
        CompletableFuture<BasicAuthenticator.Verdict> v = new CompletableFuture<>();
        authenticator.check(web.get(), ALICE, Runnable::run, v::complete);
        assertThat(v.get(10, TimeUnit.SECONDS)).isEqualTo(BasicAuthenticator.Verdict.ALLOWED);
    }

    FullHttpResponse refused(RoutedRequest request) {
        channel.writeInbound(request);
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(request.refCnt()).isZero();
        return channel.readOutbound();
    }

    @Test
    void aRequestWithoutCredentialsIs401WithTheChallenge() {
        FullHttpResponse r = refused(routed(Route.METRICS, "/metrics"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(r.headers().get("www-authenticate")).isEqualTo(BasicAuthHandler.WWW_AUTHENTICATE);
        assertThat(bodyOf(r)).isEqualTo("Unauthorized\n");
        FullHttpResponse head = refused(routedHead(Route.LANDING, "/"));
        assertThat(head.content().readableBytes()).isZero();
        head.release();
        assertThat(authenticator.bcryptVerifications()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void verifiedCredentialsPassAtOnce() throws Exception {
        verifyAliceOnce();
        RoutedRequest request = routed(Route.PROBE, "/probe?target=a", "Authorization", ALICE);

        channel.writeInbound(request);

        assertThat(channel.<Object>readInbound()).isSameAs(request);
        assertThat(channel.<Object>readOutbound()).isNull();
        request.release();
        assertThat(authenticator.bcryptVerifications()).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCheckThatCannotQueueIs429WithRetryAfter() throws Exception {
        verifyAliceOnce(); // takes the only token of this second
        // Waits for the next token (the clock stands still) and fills the queue of one.
        authenticator.check(web.get(), WebSecurityTest.basic("alice", "guess0"), Runnable::run, v -> {});

        FullHttpResponse r =
                refused(routed(Route.METRICS, "/metrics", "Authorization", WebSecurityTest.basic("alice", "guess")));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(r.headers().get("retry-after")).isEqualTo("1");
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionThatFailedAVerificationIsMarkedSuspect() throws Exception {
        channel.writeInbound(routed(Route.METRICS, "/metrics", "Authorization", WebSecurityTest.basic("alice", "x")));
        // (not asserted here: the verdict runs on the bcrypt thread and may already have marked the channel)

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            channel.runPendingTasks(); // the verdict continues on the channel's event loop
            return channel.outboundMessages().size() == 1;
        });

        FullHttpResponse r = channel.readOutbound();
        assertThat(r.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        r.release();
        assertThat(channel.hasAttr(BasicAuthHandler.FAILED)).isTrue();
        assertThat(authenticator.bcryptVerifications()).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void openRoutesAndConfigurationsWithoutUsersPassWithoutCredentials() {
        RoutedRequest health = routed(Route.HEALTHY, "/-/healthy");
        channel.writeInbound(health);
        assertThat(channel.<Object>readInbound()).isSameAs(health);
        health.release();

        web.set(WebConfig.NONE);
        RoutedRequest metrics = routed(Route.METRICS, "/metrics");
        channel.writeInbound(metrics);
        assertThat(channel.<Object>readInbound()).isSameAs(metrics);
        metrics.release();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
