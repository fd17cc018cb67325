#!/usr/bin/python3
"""Draws docs/grafana/kvdb-dashboard.png: the panels of kvdb-dashboard.json, computed from a live
run, for the README. It is not a Grafana screenshot (no Grafana here): it scrapes a kvdb-server's
/metrics every SCRAPE seconds while redis-benchmark drives it, then evaluates each panel's query
the way Prometheus would (rate over the scrape interval, histogram_quantile over the buckets) with
a small function per panel, and draws the twelve panels in the dashboard's layout.

    mvn -B -q package -DskipTests
    /usr/bin/python3 docs/grafana/render.py      # needs python3-prometheus-client, python3-matplotlib,
                                                 # redis-benchmark; ~60 s; loopback only
"""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from prometheus_client.parser import text_string_to_metric_families
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "kvdb-server/target/kvdb-server.jar")
PORT, METRICS, SCRAPE, SECONDS = 7395, 7396, 2, int(os.environ.get("SECONDS_TO_RUN", "50"))

def wait_port(p):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", p), 0.2).close(); return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"port {p} did not open")

def scrape():
    text = urllib.request.urlopen(f"http://127.0.0.1:{METRICS}/metrics", timeout=5).read().decode()
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out

def main():
    work = tempfile.mkdtemp(prefix="kvdb-render.")
    cfg = os.path.join(work, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"network:\n  port: {PORT}\nmonitoring:\n  metrics_port: {METRICS}\n"
                f"logging:\n  level: warn\nwal:\n  data_directory: {work}/data\n  fsync: always\n")
    server = subprocess.Popen(["java", "-jar", JAR, "--config", cfg],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loads = []
    try:
        wait_port(PORT); wait_port(METRICS)
        bench = ["redis-benchmark", "-p", str(PORT), "-r", "100000", "-q", "-l"]
        loads.append(subprocess.Popen(bench + ["-c", "20", "-t", "set,get,incr"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        loads.append(subprocess.Popen(bench + ["-c", "5", "-P", "8", "-t", "mset,get"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        loads.append(subprocess.Popen(bench + ["-c", "2", "SET", "ttl:__rand_int__", "v", "PX", "3000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # A client that makes mistakes now and then (redis-benchmark stops at the first error).
        loads.append(subprocess.Popen(["/bin/sh", "-c", f"while true; do redis-cli -p {PORT} GET >/dev/null 2>&1; redis-cli -p {PORT} INCR ttl:1 x >/dev/null 2>&1; sleep 0.2; done"]))
        samples = []
        start = time.time()
        while time.time() - start < SECONDS:
            samples.append((time.time() - start, scrape()))
            time.sleep(SCRAPE)
    finally:
        for p in loads:
            p.send_signal(signal.SIGTERM)
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    draw(samples)

def series(samples, fn):
    xs, ys = [], []
    for (t0, a), (t1, b) in zip(samples, samples[1:]):
        v = fn(a, b, t1 - t0)
        if v is not None:
            xs.append(t1); ys.append(v)
    return xs, ys

def val(m, name, **labels):
    return m.get((name, tuple(sorted(labels.items()))), 0.0)

def labelled(m, name, key):
    return sorted({dict(l)[key] for (n, l) in m if n == name and key in dict(l)})

def rate(name, **labels):
    return lambda a, b, dt: max(0.0, val(b, name, **labels) - val(a, name, **labels)) / dt

def gauge(name, **labels):
    return lambda a, b, dt: val(b, name, **labels)

def quantile(q, name, **labels):
    def f(a, b, dt):
        buckets = sorted({float(dict(l)["le"]) for (n, l) in b if n == name + "_bucket"
                          and all(dict(l).get(k) == v for k, v in labels.items())})
        inc = [(le, val(b, name + "_bucket", le=fmt(le), **labels) - val(a, name + "_bucket", le=fmt(le), **labels)) for le in buckets]
        total = inc[-1][1] if inc else 0
        if total <= 0:
            return None
        rank, prev_le, prev_c = q * total, 0.0, 0.0
        for le, c in inc:
            if c >= rank:
                if le == float("inf"):
                    return prev_le
                return prev_le + (le - prev_le) * (rank - prev_c) / max(c - prev_c, 1e-9)
            prev_le, prev_c = le, c
        return prev_le
    return f

def fmt(le):
    if le == float("inf"):
        return "+Inf"
    s = repr(le)
    return s if "e" not in s else s.replace("e-0", "E-").replace("e-", "E-")

def draw(samples):
    last = samples[-1][1]
    cmds = [c for c in labelled(last, "kvdb_command_calls_total", "command") if c not in ("config", "info")]
    dash = json.load(open(os.path.join(ROOT, "docs/grafana/kvdb-dashboard.json")))
    titles = {p["id"]: p["title"] for p in dash["panels"]}
    panels = {
        1: [(c, rate("kvdb_command_calls_total", command=c)) for c in cmds],
        2: [(c, quantile(0.99, "kvdb_command_duration_seconds", command=c)) for c in cmds],
        3: [(c, rate("kvdb_error_replies_total", code=c)) for c in labelled(last, "kvdb_error_replies_total", "code")],
        4: [("connected", gauge("kvdb_connected_clients"))],
        5: [("keys", gauge("kvdb_keys")), ("with a TTL", gauge("kvdb_keys_with_expiry")), ("expired/s", rate("kvdb_expired_keys_total"))],
        6: [("dataset", gauge("kvdb_memory_dataset_bytes")), ("heap used", lambda a, b, dt: sum(v for (n, l), v in b.items() if n == "jvm_memory_used_bytes" and dict(l).get("area") == "heap"))],
        7: [("hits / reads", lambda a, b, dt: (lambda h, m: h / (h + m) if h + m > 0 else None)(rate("kvdb_keyspace_hits_total")(a, b, dt), rate("kvdb_keyspace_misses_total")(a, b, dt)))],
        8: [("in", rate("kvdb_net_input_bytes_total")), ("out", rate("kvdb_net_output_bytes_total"))],
        9: [("fsyncs/s", rate("kvdb_wal_fsyncs_total")), ("fsync p99 ms", lambda a, b, dt: (lambda v: v * 1000 if v is not None else None)(quantile(0.99, "kvdb_wal_fsync_duration_seconds")(a, b, dt)))],
        10: [("records/group p50", quantile(0.5, "kvdb_wal_group_records")), ("pending KiB", lambda a, b, dt: val(b, "kvdb_wal_pending_bytes") / 1024)],
        11: [("slaves", gauge("kvdb_replication_connected_slaves"))],
        12: [(g, lambda a, b, dt, g=g: max(0.0, val(b, "jvm_gc_collection_seconds_sum", gc=g) - val(a, "jvm_gc_collection_seconds_sum", gc=g)) / dt) for g in labelled(last, "jvm_gc_collection_seconds_sum", "gc")],
    }
    plt.style.use("dark_background")
    fig, axes = plt.subplots(6, 2, figsize=(14, 18))
    for pid, ax in zip(sorted(panels), axes.flat):
        for name, fn in panels[pid]:
            xs, ys = series(samples, fn)
            if xs:
                ax.plot(xs, ys, label=name, linewidth=1.4)
        ax.set_title(titles[pid], fontsize=10, loc="left")
        ax.grid(alpha=0.2)
        ax.tick_params(labelsize=8)
        if ax.lines:
            ax.legend(fontsize=7, loc="upper left", ncol=3, frameon=False)
    fig.suptitle("kvdb dashboard panels, from a live run (rendered by docs/grafana/render.py; seconds on x)", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    out = os.path.join(ROOT, "docs/grafana/kvdb-dashboard.png")
    fig.savefig(out, dpi=72)
    print("wrote", out)

if __name__ == "__main__":
    main()
