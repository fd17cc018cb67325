package io.kvdb.server.command;

import io.kvdb.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CONFIG GET: a useful subset of parameters under their Redis names, so tools such as
 * redis-benchmark and redis-cli find what they ask for. The password is never returned. The config
 * file is the only way to change settings (CONFIG SET is refused).
 */
final class ConfigCommand {
  private ConfigCommand() {}

  static Reply config(CommandContext c, byte[][] a) {
    if (!Args.is(a[1], "get")) {
      return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "config"));
    }
    if (a.length < 3) {
      return Reply.error(RespErrors.wrongArity("config|get"));
    }
    Map<String, String> params = parameters(c.server());
    List<Reply> out = new ArrayList<>();
    for (Map.Entry<String, String> e : params.entrySet()) {
      for (int i = 2; i < a.length; i++) {
        if (Glob.matches(
            Args.lower(a[i]).getBytes(StandardCharsets.UTF_8),
            e.getKey().getBytes(StandardCharsets.UTF_8))) {
          out.add(Reply.bulk(e.getKey()));
          out.add(Reply.bulk(e.getValue()));
          break;
        }
      }
    }
    return Reply.array(out);
  }

  private static Map<String, String> parameters(ServerContext s) {
    ServerConfig cfg = s.config();
    ServerConfig.Network n = cfg.network();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bind", n.ip());
    p.put("port", Integer.toString(s.port()));
    p.put("maxclients", Integer.toString(n.maxConnections()));
    p.put("timeout", Long.toString(n.idleTimeoutSeconds()));
    p.put("protected-mode", n.protectedMode() ? "yes" : "no");
    p.put("proto-max-bulk-len", Long.toString(n.maxMessageSize()));
    p.put("client-output-buffer-limit", "normal " + n.maxOutputBuffer() + " 0 0");
    p.put("databases", "1");
    p.put("save", "");
    p.put("appendonly", cfg.wal() == null ? "no" : "yes");
    p.put("appendfsync", cfg.wal() == null ? "no" : cfg.wal().fsync());
    p.put("dir", cfg.wal() == null ? "" : cfg.wal().dataDirectory().toAbsolutePath().toString());
    p.put("maxmemory", Long.toString(cfg.engine().effectiveMaxMemory()));
    return p;
  }
}
