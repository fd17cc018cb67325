package io.kvdb.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the usual command-line arguments, then prints each result beside its baseline from
 * the same run, with the ratio. A benchmark marks its subject and baseline with an {@code impl}
 * parameter; the baseline is the value named {@code chm}, {@code baseline} or {@code rawfsync}.
 *
 * <pre>java -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.Ratios EngineGetPutBenchmark -t 2
 * </pre>
 */
public final class Ratios {
  private static final Set<String> BASELINES = Set.of("chm", "baseline", "rawfsync");

  private Ratios() {}

  public static void main(String[] args) throws Exception {
    Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
    Map<String, Map<String, Double>> byGroup = new TreeMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (RunResult r : results) {
      var params = r.getParams();
      StringBuilder group = new StringBuilder(shortName(params.getBenchmark()));
      String impl = null;
      for (String key : params.getParamsKeys()) {
        if (key.equals("impl")) {
          impl = params.getParam(key);
        } else {
          group.append(' ').append(key).append('=').append(params.getParam(key));
        }
      }
      group.append(" threads=").append(params.getThreads());
      double score = r.getPrimaryResult().getScore();
      byGroup
          .computeIfAbsent(group.toString(), g -> new LinkedHashMap<>())
          .put(impl == null ? "-" : impl, score);
      units.put(group.toString(), r.getPrimaryResult().getScoreUnit());
    }
    System.out.println();
    System.out.println("Ratios (subject / baseline, same run):");
    for (var e : byGroup.entrySet()) {
      Double base = null;
      for (var s : e.getValue().entrySet()) {
        if (BASELINES.contains(s.getKey())) {
          base = s.getValue();
        }
      }
      for (var s : e.getValue().entrySet()) {
        String ratio =
            base == null || BASELINES.contains(s.getKey())
                ? ""
                : String.format("  ratio %.2fx", s.getValue() / base);
        System.out.printf(
            "%-60s %-10s %,16.0f %s%s%n",
            e.getKey(), s.getKey(), s.getValue(), units.get(e.getKey()), ratio);
      }
    }
  }

  private static String shortName(String benchmark) {
    int dot = benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1);
    return benchmark.substring(dot + 1);
  }
}
