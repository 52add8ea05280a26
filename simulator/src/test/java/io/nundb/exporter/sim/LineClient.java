package io.nundb.exporter.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain blocking {@link Socket} client for simulator tests (deliberately not our Netty client).
 *
 * <p>Thread-safety: confined to the test thread.
 */
final class LineClient implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LineClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(3000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects and consumes the greeting, asserting it is exactly {@code "ok \n"}. */
    static LineClient greeted(InetSocketAddress address) throws IOException {
        LineClient c = new LineClient(address);
        String greeting = c.readExactly(4);
        if (!greeting.equals("ok \n")) {
            throw new IOException("bad greeting " + greeting);
        }
        return c;
    }

    static LineClient authed(SimulatedNode node) throws IOException {
        LineClient c = greeted(node.address());
        c.send("auth nun nun-pwd\n");
        String reply = c.readExactly("valid auth\nok \n".length());
        if (!reply.equals("valid auth\nok \n")) {
            throw new IOException("auth failed: " + reply);
        }
        return c;
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    String readExactly(int n) throws IOException {
        byte[] buf = in.readNBytes(n);
        if (buf.length < n) {
            throw new IOException("EOF after " + new String(buf, StandardCharsets.UTF_8));
        }
        return new String(buf, StandardCharsets.UTF_8);
    }

    /** Sends a request and reads exactly as many bytes as {@code expected} has. */
    String exchange(String request, String expected) throws IOException {
        send(request);
        return readExactly(expected.getBytes(StandardCharsets.UTF_8).length);
    }

    /** Reads one line including its {@code \n}. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
        }
        throw new IOException("EOF in line " + line.toString(StandardCharsets.UTF_8));
    }

    /** Reads lines up to the next status line ({@code "ok \n"}, {@code "error … \n"}, or the no-db {@code " \n"}). */
    String readReply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = readLine();
            sb.append(line);
            if (line.equals("ok \n") || line.equals(" \n") || (line.startsWith("error ") && line.endsWith(" \n"))) {
                return sb.toString();
            }
        }
    }

    String request(String line) throws IOException {
        send(line);
        return readReply();
    }

    /** Returns -1 on an orderly close (FIN) within the socket timeout. */
    int readByte() throws IOException {
        return in.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
