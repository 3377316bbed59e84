package dev.purge.extracta.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Sends one message over raw STOMP 1.2, as any producer on the network could, headers of its choosing included. */
public final class StompSender {

    private StompSender() {
    }

    public static void send(String brokerUrl, String queue, Map<String, String> headers, String body) throws IOException {
        URI uri = URI.create(brokerUrl);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            frame(out, "CONNECT\naccept-version:1.2\nhost:localhost\n\n");
            expect(in, "CONNECTED");
            StringBuilder send = new StringBuilder("SEND\ndestination:" + queue + "\ndestination-type:ANYCAST\n"
                    + "content-type:text/plain\npersistent:true\nreceipt:sent\n");
            headers.forEach((name, value) -> send.append(name).append(':').append(value).append('\n'));
            frame(out, send.append('\n').append(body).toString());
            expect(in, "RECEIPT");
            frame(out, "DISCONNECT\nreceipt:bye\n\n");
            expect(in, "RECEIPT");
        }
    }

    private static void frame(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.flush();
    }

    private static void expect(InputStream in, String command) throws IOException {
        StringBuilder frame = new StringBuilder();
        int b;
        while ((b = in.read()) > 0) {
            frame.append((char) b);
        }
        String text = frame.toString().stripLeading();
        if (!text.startsWith(command)) {
            throw new IOException("expected " + command + " from the broker, got: " + text);
        }
    }
}
