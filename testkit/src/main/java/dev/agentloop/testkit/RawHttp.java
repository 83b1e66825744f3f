package dev.agentloop.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request over a plain socket whose reading the test controls: a client that stops
 * reading (a small receive buffer, nothing read), reads only later, or leaves by closing the socket,
 * which no ready-made client can be made to do.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private InputStream in;
  private boolean endedByServer;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  /** Sends {@code GET path} and reads nothing yet. */
  public static RawHttp get(int port, String path) {
    return send(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  /** Sends a JSON {@code POST path}, with {@code key} as its bearer key when not null, and reads nothing yet. */
  public static RawHttp post(int port, String path, String key, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return send(port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
        + "Content-Length: " + body.length + "\r\n\r\n" + json);
  }

  /** Sends {@code request} exactly as given (request line, headers, body) and reads nothing yet. */
  public static RawHttp send(int port, String request) {
    try {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return new RawHttp(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status code: reads the status line only. */
  public int status() {
    try {
      String line = line(input());
      if (line == null) {
        throw new IllegalStateException("the connection closed before a status line");
      }
      return Integer.parseInt(line.split(" ")[1]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the rest of the response until the server ends it or closes the connection (or 60 s pass):
   * the headers, then the body with the chunked framing removed.
   */
  public String readBody() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      InputStream input = input();
      String line;
      do {
        line = line(input); // the status line unless status() read it, then the headers
      } while (line != null && !line.isEmpty());
      while (true) {
        String size = line(input);
        if (size == null) {
          endedByServer = true; // the connection closed
          break;
        }
        int n = Integer.parseInt(size.trim(), 16);
        if (n == 0) {
          endedByServer = true; // the terminal chunk
          break;
        }
        body.write(input.readNBytes(n));
        line(input);
      }
    } catch (SocketTimeoutException e) {
      // the server neither ended nor closed: the body is what arrived
    } catch (IOException | RuntimeException e) {
      endedByServer = true; // a reset or a cut chunk: the body is what arrived
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  /** Whether {@link #readBody} saw the server end the response or close the connection (not a read timeout). */
  public boolean endedByServer() {
    return endedByServer;
  }

  private InputStream input() throws IOException {
    if (in == null) {
      socket.setSoTimeout(60_000);
      in = new BufferedInputStream(socket.getInputStream());
    }
    return in;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      line.append((char) b);
    }
    return line.isEmpty() ? null : line.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
