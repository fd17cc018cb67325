package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The slaves' port follows the client port's protected mode. Checked on address values only: a test
 * never sends traffic to a non-loopback address.
 */
class ProtectedModeTest {
  @Test
  void withoutAPasswordAPublicBindAcceptsOnlyLoopbackPeers() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    InetAddress any = InetAddress.getByName("0.0.0.0");
    InetAddress remote = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}); // TEST-NET-1
    assertThat(MasterService.refuses(true, any, remote)).isTrue();
    assertThat(MasterService.refuses(true, any, loopback)).isFalse();
    assertThat(MasterService.refuses(true, loopback, remote)).isFalse(); // unreachable anyway
    assertThat(MasterService.refuses(false, any, remote)).isFalse(); // a password, or mode off
  }
}
