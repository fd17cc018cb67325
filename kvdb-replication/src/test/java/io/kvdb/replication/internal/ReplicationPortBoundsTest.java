package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.replication.ReplicationNode;
import io.kvdb.replication.testing.Nodes;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer that is not an authenticated slave may make a replication port do: hold a small frame
 * for a short while, and no more (hostile-input issue, defect 3; replication issue, item 11).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplicationPortBoundsTest {
  @TempDir Path dir;

  /** Whether the peer closes within a few seconds (EOF or reset), reading whatever it sends. */
  private static boolean closedByPeer(Socket s) throws IOException {
    s.setSoTimeout(5_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() != -1) {
        // a REFUSE frame may come first
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  void aGigabyteFrameHeaderBeforeHelloIsRefusedAtOnce() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"))) {
      master.store().put("k", "v");
      for (int i = 0; i < 3; i++) {
        try (Socket s = new Socket("127.0.0.1", Nodes.port(master))) {
          DataOutputStream out = new DataOutputStream(s.getOutputStream());
          out.writeInt(1 << 30); // the old master allocated this before reading a byte of it
          out.write(new byte[] {1, 2, 3});
          out.flush();
          assertThat(closedByPeer(s)).as("closed for a frame too large before HELLO").isTrue();
        }
      }
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), Nodes.port(master))) {
        Nodes.awaitEqual(master, slave); // a real slave is served as before
      }
    }
  }

  @Test
  void connectionsWaitingToAuthenticateAreCapped() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"))) {
      master.store().put("k", "v");
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < MasterService.MAX_HANDSHAKES; i++) {
          idle.add(new Socket("127.0.0.1", Nodes.port(master)));
        }
        // Every idle one holds a handshake slot; the next connection is closed at once.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  try (Socket extra = new Socket("127.0.0.1", Nodes.port(master))) {
                    assertThat(closedByPeer(extra)).isTrue();
                  }
                });
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
      // Slots come back when those connections go.
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), Nodes.port(master))) {
        Nodes.awaitEqual(master, slave);
      }
    }
  }

  @Test
  void aSlavePointedAtARespPortSaysSoAndAllocatesNothing() throws Exception {
    try (ServerSocket resp = new ServerSocket(0)) {
      Thread answerer =
          new Thread(
              () -> {
                while (!resp.isClosed()) {
                  try (Socket c = resp.accept()) {
                    // What a Redis-protocol port answers to bytes it cannot parse.
                    c.getOutputStream()
                        .write("-ERR unknown command\r\n".getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                    c.getInputStream().read(new byte[256]);
                  } catch (IOException e) {
                    // next
                  }
                }
              });
      answerer.setDaemon(true);
      answerer.start();
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), resp.getLocalPort())) {
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  var link = slave.status().link();
                  assertThat(link.state()).isEqualTo("refused");
                  assertThat(link.refusal())
                      .contains("does not speak kvdb's replication protocol")
                      .contains("-ERR");
                });
      }
    }
  }
}
