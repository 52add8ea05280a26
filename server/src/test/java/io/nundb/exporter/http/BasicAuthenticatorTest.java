package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {
    static final WebConfig ALICE =
            new WebConfig(null, Map.of("alice", WebSecurityTest.HASH_ALICE), Map.of(), List.of());

    final AtomicLong now = new AtomicLong();

    /** The verdict and whether the callback ran while the authenticator's monitor was held. */
    record Call(BasicAuthenticator.Verdict verdict, boolean heldLock) {}

    static Call check(BasicAuthenticator auth, String authorization) throws Exception {
        CompletableFuture<Call> call = new CompletableFuture<>();
        auth.check(ALICE, authorization, Runnable::run, v -> call.complete(new Call(v, Thread.holdsLock(auth))));
        return call.get(10, TimeUnit.SECONDS);
    }

    @Test
    void answersACachedVerificationWithoutHoldingItsLock() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, now::get)) {
            String alice = WebSecurityTest.basic("alice", "s3cret!");
            assertThat(check(auth, alice)).isEqualTo(new Call(BasicAuthenticator.Verdict.ALLOWED, false));

            assertThat(check(auth, alice)).isEqualTo(new Call(BasicAuthenticator.Verdict.ALLOWED, false));
            assertThat(auth.bcryptVerifications()).isEqualTo(1);
        }
    }

    @Test
    void answersARateLimitedCheckWithoutHoldingItsLock() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, now::get)) {
            assertThat(check(auth, WebSecurityTest.basic("alice", "guess1")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);

            assertThat(check(auth, WebSecurityTest.basic("alice", "guess2")))
                    .isEqualTo(new Call(BasicAuthenticator.Verdict.RATE_LIMITED, false));
            assertThat(auth.bcryptVerifications()).isEqualTo(1);
        }
    }

    @Test
    void deniesMalformedHeadersAndUnknownUsersWithoutBcrypt() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, now::get)) {
            assertThat(check(auth, null).verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, "Bearer x").verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, "Basic !!!").verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, WebSecurityTest.basic("mallory", "s3cret!")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isZero();
        }
    }
}
