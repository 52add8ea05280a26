package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 64, now::get)) {
            String alice = WebSecurityTest.basic("alice", "s3cret!");
            assertThat(check(auth, alice)).isEqualTo(new Call(BasicAuthenticator.Verdict.ALLOWED, false));

            assertThat(check(auth, alice)).isEqualTo(new Call(BasicAuthenticator.Verdict.ALLOWED, false));
            assertThat(auth.bcryptVerifications()).isEqualTo(1);
        }
    }

    @Test
    void answersARefusedCheckWithoutHoldingItsLock() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 1, now::get)) {
            assertThat(check(auth, WebSecurityTest.basic("alice", "guess1")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            // The clock stands still: this one waits for a token, and fills the queue.
            auth.check(ALICE, WebSecurityTest.basic("alice", "guess2"), Runnable::run, v -> {});

            assertThat(check(auth, WebSecurityTest.basic("alice", "guess3")))
                    .isEqualTo(new Call(BasicAuthenticator.Verdict.RATE_LIMITED, false));
            assertThat(auth.bcryptVerifications()).isEqualTo(1);
        }
    }

    @Test
    void deniesMalformedHeadersWithoutBcrypt() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 64, now::get)) {
            assertThat(check(auth, null).verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, "Bearer x").verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, "Basic !!!").verdict()).isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(check(auth, "Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes()))
                            .verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isZero();
        }
    }

    @Test
    void anUnknownUserCostsABcryptVerificationLikeAWrongPassword() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 64, now::get)) {
            assertThat(check(auth, WebSecurityTest.basic("mallory", "s3cret!")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isEqualTo(1);

            now.addAndGet(1_000_000_000L);
            assertThat(check(auth, WebSecurityTest.basic("alice", "guess")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isEqualTo(2);

            now.addAndGet(1_000_000_000L); // and an unknown user with a known user's password is no login
            assertThat(check(auth, WebSecurityTest.basic("mallory", "s3cret!")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isEqualTo(3);
        }
    }

    @Test
    void aValidLoginGetsTheNextTokenAheadOfAFloodOfGuessesFromFailedClients() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 64, now::get)) {
            List<BasicAuthenticator.Verdict> guesses = new CopyOnWriteArrayList<>();
            auth.check(ALICE, WebSecurityTest.basic("alice", "guess"), Runnable::run, guesses::add);
            await().until(() -> guesses.size() == 1); // the only token of this second
            for (int i = 0; i < 20; i++) { // clients that already failed, guessing again
                auth.check(
                        ALICE,
                        WebSecurityTest.basic("alice", "guess" + i),
                        true,
                        () -> true,
                        Runnable::run,
                        guesses::add);
            }
            CompletableFuture<BasicAuthenticator.Verdict> valid = new CompletableFuture<>();
            auth.check(
                    ALICE,
                    WebSecurityTest.basic("alice", "s3cret!"),
                    false,
                    () -> true,
                    Runnable::run,
                    valid::complete);

            now.addAndGet(1_000_000_000L); // one more token

            assertThat(valid.get(10, TimeUnit.SECONDS)).isEqualTo(BasicAuthenticator.Verdict.ALLOWED);
            assertThat(guesses).containsExactly(BasicAuthenticator.Verdict.DENIED);
            assertThat(auth.bcryptVerifications()).isEqualTo(2);
        }
    }

    @Test
    void aCheckWhoseClientLeftIsDeniedWithoutBcrypt() throws Exception {
        try (BasicAuthenticator auth = new BasicAuthenticator(1, 64, now::get)) {
            assertThat(check(auth, WebSecurityTest.basic("alice", "guess")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.DENIED);
            AtomicBoolean connected = new AtomicBoolean(true);
            List<BasicAuthenticator.Verdict> left = new CopyOnWriteArrayList<>();
            auth.check(
                    ALICE, WebSecurityTest.basic("alice", "guess2"), false, connected::get, Runnable::run, left::add);
            connected.set(false);
            now.addAndGet(1_000_000_000L);

            assertThat(check(auth, WebSecurityTest.basic("alice", "s3cret!")).verdict())
                    .isEqualTo(BasicAuthenticator.Verdict.ALLOWED);
            assertThat(left).containsExactly(BasicAuthenticator.Verdict.DENIED); // so the caller releases
            assertThat(auth.bcryptVerifications()).isEqualTo(2);
        }
    }
}
