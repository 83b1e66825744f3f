package dev.agentloop.front.guards;

import dev.agentloop.contract.config.ConfigException;
import io.netty.util.NetUtil;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code gateway.trusted_proxies}: the addresses (IPs or CIDRs) of the reverse proxies in front of
 * agentloop. {@code X-Forwarded-For} is read only when the peer is one of them; the client is then
 * the right-most hop that is not a trusted proxy. IP literals are parsed without any name lookup,
 * and at most {@link #MAX_HOPS} hops are read.
 */
public final class TrustedProxies {

  /** Hops of {@code X-Forwarded-For} read from the right; a longer chain's client is the left-most read. */
  static final int MAX_HOPS = 32;
  static final String UNKNOWN = "unknown";

  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] ip) {
      if (ip.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (ip[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      int mask = rest == 0 ? 0 : (0xFF << (8 - rest)) & 0xFF;
      return rest == 0 || (ip[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = ranges;
  }

  /** Parses {@code entries} (e.g. {@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code ::1}); {@code key} names them in errors. */
  public static TrustedProxies of(List<String> entries, String key) {
    List<Range> ranges = new ArrayList<>();
    for (String entry : entries) {
      int slash = entry.indexOf('/');
      byte[] ip = parse(slash < 0 ? entry : entry.substring(0, slash));
      if (ip == null) {
        throw new ConfigException(key + " must list IP addresses or CIDRs, got '" + entry + "'");
      }
      int prefix = ip.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > ip.length * 8) {
          throw new ConfigException(key + " has a bad prefix length in '" + entry + "'");
        }
      }
      ranges.add(new Range(ip, prefix));
    }
    return new TrustedProxies(List.copyOf(ranges));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /**
   * The client of a request from {@code peer} with these {@code X-Forwarded-For} header lines: the
   * peer itself unless it is a trusted proxy; behind one, the right-most untrusted hop (the
   * left-most hop read when all are trusted, the proxy itself without the header), never loopback.
   */
  ClientAddress resolve(SocketAddress peer, List<String> forwardedFor) {
    byte[] peerIp = peer == null ? null : parse(peer.hostAddress());
    if (peerIp == null) {
      return new ClientAddress(UNKNOWN, false, false);
    }
    if (!trusted(peerIp)) {
      return new ClientAddress(NetUtil.bytesToIpAddress(peerIp), false, loopback(peerIp));
    }
    String client = NetUtil.bytesToIpAddress(peerIp);
    int hops = 0;
    for (int line = forwardedFor.size() - 1; line >= 0 && hops < MAX_HOPS; line--) {
      String header = forwardedFor.get(line);
      int end = header.length();
      while (end > 0 && hops < MAX_HOPS) {
        int comma = header.lastIndexOf(',', end - 1);
        String hop = header.substring(comma + 1, end).trim();
        end = Math.max(comma, 0);
        if (hop.isEmpty()) {
          continue;
        }
        hops++;
        byte[] ip = parse(hop);
        if (ip == null) {
          return new ClientAddress(UNKNOWN, true, false);
        }
        client = NetUtil.bytesToIpAddress(ip);
        if (!trusted(ip)) {
          return new ClientAddress(client, true, false);
        }
      }
    }
    return new ClientAddress(client, true, false);
  }

  private boolean trusted(byte[] ip) {
    for (Range range : ranges) {
      if (range.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /** An IPv4 or IPv6 literal (brackets and a zone allowed), IPv4-mapped IPv6 as IPv4; null for anything else. */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return null;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(text.trim());
    if (ip != null && ip.length == 16 && mappedIpv4(ip)) {
      return Arrays.copyOfRange(ip, 12, 16);
    }
    return ip;
  }

  private static boolean mappedIpv4(byte[] ip) {
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return (ip[10] & 0xFF) == 0xFF && (ip[11] & 0xFF) == 0xFF;
  }

  static boolean loopback(byte[] ip) {
    if (ip.length == 4) {
      return (ip[0] & 0xFF) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[15] == 1;
  }
}
