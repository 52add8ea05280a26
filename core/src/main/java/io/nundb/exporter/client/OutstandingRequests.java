package io.nundb.exporter.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbLine;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The requests one {@link NodeConnection} has written and not yet seen answered, in wire order (replies
 * come back in order, spec §1.3), and what reading their replies says about the node:
 *
 * <ul>
 *   <li>each request has a deadline ({@link ClientConfig#requestTimeout()}): when it is missed the request
 *       fails for its owner ({@link NodeConnection.Reply#onFailed} with {@code TIMEOUT}) but stays at the
 *       head, abandoned, until its late reply is read, counted and discarded;
 *   <li>a request written while nothing else was outstanding (lock-step, the only way the connection's
 *       owners send) is timed from its write to its status line into the node's
 *       {@link SingleWriterRequestTimings};
 *   <li>{@value #SHIFTED_REPLIES_BEFORE_RESET} late status lines in a row, each read while a younger
 *       request was outstanding, mean the replies are shifted ({@link #onStatus} returns true): a status
 *       line the server dropped (spec §1.3 and §6) shifts every later reply onto the request before it,
 *       and without a reset every request would time out for good while lines keep flowing;
 *   <li>no status line for {@link ClientConfig#hardTimeout()} while requests are outstanding means the
 *       node is hung ({@code hung} is run): payload lines, pushes and bytes without a newline do not
 *       postpone it, a node that streams and never answers is hung.
 * </ul>
 *
 * <p>The connection resets itself in the last two cases; it aborts whatever is left with {@link
 * #abortAll()}.
 *
 * <p>Thread-safety: confined to the connection's event loop, like the {@link NodeConnection} that owns
 * it. Allocation: one small object per request and its deadline task.
 */
final class OutstandingRequests {
    /**
     * Late status lines in a row, each read while a younger request was outstanding, after which the
     * replies are taken to be shifted by a dropped status line and the connection is reset. One such
     * line is a slow reply whose successor was already sent; a second in a row, with no status line on
     * time between them, is what a dropped status line produces at every request from then on.
     */
    static final int SHIFTED_REPLIES_BEFORE_RESET = 2;

    private final EventLoop loop;
    private final ClientConfig config;
    private final TimeSource time;
    private final SingleWriterRequestTimings timings;
    private final TaskFailures failures;
    private final Runnable hung;

    // Everything below is written only on `loop`.
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long quietSinceNanos;
    private ScheduledFuture<?> silenceTask;
    private final long[] requests = new long[NunDbCommand.values().length];
    private long lateReplies;
    /** Late status lines in a row read while a younger request was outstanding. */
    private int shiftedReplies;

    /**
     * @param timings where lock-step request timings go, or {@code null} for none
     * @param hung run on the loop when no status line came for the hard timeout with requests outstanding
     */
    OutstandingRequests(
            EventLoop loop,
            ClientConfig config,
            TimeSource time,
            SingleWriterRequestTimings timings,
            TaskFailures failures,
            Runnable hung) {
        this.loop = loop;
        this.config = config;
        this.time = time;
        this.timings = timings;
        this.failures = failures;
        this.hung = hung;
    }

    /** Requests written and not yet answered, abandoned ones included. */
    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Status lines of abandoned requests read and discarded so far. */
    long lateReplies() {
        return lateReplies;
    }

    /** Requests written so far, indexed by {@link NunDbCommand#ordinal()}; the live array, read on the loop. */
    long[] requests() {
        return requests;
    }

    /** Records a request about to be written at {@code nowNanos} and arms its deadline. */
    void add(NunDbCommand command, NodeConnection.Reply reply, long nowNanos) {
        Pending p = new Pending(command, reply);
        p.lockStep = pending.isEmpty();
        for (Pending other : pending) {
            other.lockStep = false;
        }
        if (pending.isEmpty()) {
            quietSinceNanos = nowNanos;
            armSilence(config.hardTimeout().toNanos());
        }
        pending.addLast(p);
        requests[p.command.ordinal()]++;
        p.writtenNanos = nowNanos;
        p.deadline = loop.schedule(
                failures.guard("request deadline", () -> deadlineMissed(p)),
                config.requestTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** The command of the oldest request; only while one is outstanding. */
    NunDbCommand headCommand() {
        return pending.getFirst().command;
    }

    /**
     * A payload line for the oldest request (one must be outstanding); false when it cannot belong to it.
     * An abandoned request's payload is discarded.
     */
    boolean onPayload(ByteBuf line) {
        Pending head = pending.getFirst();
        return head.abandoned || head.reply.onPayload(line);
    }

    /**
     * A status line ({@code ok} or {@code error}) read at {@code nowNanos} answers the oldest request
     * (one must be outstanding): its owner is told unless it was abandoned, and it is timed when it was
     * lock-step and {@code timed}. Returns true when the replies are shifted by a dropped status line.
     */
    boolean onStatus(NunDbLine line, long nowNanos, boolean timed) {
        quietSinceNanos = nowNanos;
        Pending head = pending.pollFirst();
        cancel(head.deadline);
        if (pending.isEmpty()) {
            cancel(silenceTask);
            silenceTask = null;
        }
        if (head.abandoned) {
            lateReplies++;
            shiftedReplies = pending.isEmpty() ? 0 : shiftedReplies + 1;
            return shiftedReplies >= SHIFTED_REPLIES_BEFORE_RESET;
        }
        shiftedReplies = 0;
        if (head.lockStep && timed && timings != null) {
            timings.record(head.command, nowNanos - head.writtenNanos, nowNanos);
        }
        if (line.kind() == NunDbLine.Kind.OK) {
            head.reply.onOk();
        } else {
            head.reply.onError(line.content().toString(StandardCharsets.UTF_8));
        }
        return false;
    }

    /** The connection ended: every request is dropped and those not abandoned are aborted. */
    void abortAll() {
        shiftedReplies = 0;
        cancel(silenceTask);
        silenceTask = null;
        Pending p;
        while ((p = pending.pollFirst()) != null) {
            cancel(p.deadline);
            if (!p.abandoned) {
                p.reply.onAbort();
            }
        }
    }

    private void deadlineMissed(Pending p) {
        if (p.abandoned || !pending.contains(p)) {
            return;
        }
        p.abandoned = true;
        p.reply.onFailed(PollErrorReason.TIMEOUT);
    }

    private void armSilence(long delayNanos) {
        silenceTask =
                loop.schedule(failures.guard("hard timeout", this::silenceCheck), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** No status line for the hard timeout while requests are outstanding: the node is hung. */
    private void silenceCheck() {
        silenceTask = null;
        if (pending.isEmpty()) {
            return;
        }
        long quiet = time.nanoTime() - quietSinceNanos;
        long hard = config.hardTimeout().toNanos();
        if (quiet >= hard) {
            hung.run();
        } else {
            armSilence(hard - quiet);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** A request on the wire. Loop-confined. */
    private static final class Pending {
        final NunDbCommand command;
        final NodeConnection.Reply reply;
        long writtenNanos;
        boolean lockStep;
        boolean abandoned;
        ScheduledFuture<?> deadline;

        Pending(NunDbCommand command, NodeConnection.Reply reply) {
            this.command = command;
            this.reply = reply;
        }
    }
}
