package dev.agentloop.it.support;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** Addresses of this machine that tests call from or bind to. */
public final class LocalAddresses {

  private LocalAddresses() {
  }

  /** An IPv4 address of an interface that is up and not loopback, if the machine has one. */
  public static Optional<InetAddress> externalIpv4() throws SocketException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .filter(nic -> {
          try {
            return nic.isUp() && !nic.isLoopback();
          } catch (SocketException e) {
            return false;
          }
        })
        .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
  }
}
