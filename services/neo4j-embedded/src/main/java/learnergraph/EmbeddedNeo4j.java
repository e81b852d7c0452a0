package learnergraph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilderImplementation;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.event.DatabaseEventContext;
import org.neo4j.graphdb.event.DatabaseEventListenerAdapter;
import org.neo4j.io.ByteUnit;

/**
 * Starts Neo4j Community embedded with Bolt on localhost and runs until SIGTERM.
 *
 * <p>Usage: {@code EmbeddedNeo4j --data DIR [--port 7687] [--pagecache 512m] [--warmup FILE]
 * [--trace-plans]}.
 * Prints exactly one line starting with {@code READY} once Bolt accepts connections; everything
 * else Neo4j logs goes to files under DIR/logs. Authentication is off: the server only listens on
 * the loopback interface.
 *
 * <p>{@code --warmup}: a JSON list of the clients' hot statements ({@code {"query": ..., "params":
 * {...}}}, a date-time written {@code {"$datetime": "ISO-8601"}}), planned before Bolt opens. A
 * restarted Neo4j has an empty plan cache and a cold JVM: the first complex write took 5-10 s of
 * CPU to plan (docs/BENCHMARKS.md, "Faults under load"), and the first clients after a restart
 * waited for it. Neo4j starts its databases before Bolt, and tells a database-start listener
 * synchronously; this one runs every statement there, each in a transaction rolled back (nothing is
 * stored), so their plans are cached for the clients' parameter types and Bolt opens only then.
 * The cold start costs the same CPU; it is paid before any client can connect.
 *
 * <p>The statements run the way Bolt runs them ({@link BoltWarmUp}), not through the embedded API:
 * a Bolt query passes the query router, which parses it into a cache of its own before the
 * database's planner sees it. Warmed through the embedded API, that cache stayed empty and each
 * statement's first Bolt call still cost 0.1-1.1 s of CPU (the attempt write the most).
 *
 * <p>{@code --trace-plans}: log each miss of the query router's cache ({@link RouterCacheTrace}),
 * i.e. each statement a client sent that the warm-up had not prepared.
 */
public final class EmbeddedNeo4j {

  private EmbeddedNeo4j() {}

  /** One statement of the warm-up file. */
  private record Statement(String query, Map<String, Object> params) {}

  public static void main(String[] args) throws Exception {
    Path data = null;
    int port = 7687;
    long pageCache = ByteUnit.mebiBytes(512);
    Path warmup = null;
    boolean tracePlans = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--pagecache" -> pageCache = ByteUnit.parse(args[++i]);
        case "--warmup" -> warmup = Path.of(args[++i]).toAbsolutePath();
        case "--trace-plans" -> tracePlans = true;
        default -> {
          System.err.println("unknown argument: " + args[i]);
          System.exit(2);
        }
      }
    }
    if (data == null) {
      System.err.println(
          "usage: EmbeddedNeo4j --data DIR [--port N] [--pagecache SIZE] [--warmup FILE]"
              + " [--trace-plans]");
      System.exit(2);
    }

    List<Statement> statements = warmup == null ? List.of() : read(warmup);
    DatabaseManagementServiceBuilderImplementation builder =
        new DatabaseManagementServiceBuilderImplementation(data);
    if (tracePlans) {
      builder.setMonitors(RouterCacheTrace.monitors());
    }
    DatabaseManagementService service =
        builder
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
            .setConfig(GraphDatabaseSettings.logs_directory, data.resolve("logs"))
            .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
            // One plan per statement and parameter types, whatever the lists' sizes (by default a
            // list's size, rounded to a power of ten, is part of the plan's key): the group commits'
            // batches of 1 to ~100 rows and the imports' thousands share the plan the warm-up made.
            .setConfig(GraphDatabaseInternalSettings.cypher_size_hint_parameters, false)
            .addDatabaseListener(new WarmUpListener(statements))
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.shutdown();
                  System.out.println("STOPPED");
                  System.out.flush();
                  stopped.countDown();
                }));
    // Touch the default database so "ready" means queries can run, not just that Bolt listens.
    service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
    System.out.println("READY bolt://127.0.0.1:" + port + " data=" + data);
    System.out.flush();
    stopped.await();
  }

  /** Plans the warm-up statements when the default database starts, before Bolt opens. */
  private static final class WarmUpListener extends DatabaseEventListenerAdapter {
    private final List<Statement> statements;

    WarmUpListener(List<Statement> statements) {
      this.statements = statements;
    }

    @Override
    public void databaseStart(DatabaseEventContext event) {
      GraphDatabaseService db = DatabaseCapture.database(event.getDatabaseName());
      if (statements.isEmpty()
          || db == null
          || !event.getDatabaseName().equals(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)) {
        return;
      }
      long started = System.nanoTime();
      try {
        int failed = warm(db, statements);
        warm(db, statements); // plans cached: the second run warms their execution
        double planned = (System.nanoTime() - started) / 1e9;
        double compiled = awaitCompilation();
        log("PLANNED %d statements before Bolt opened (%d failed) in %.1f s, JIT settled %.1f s"
            + " later", statements.size(), failed, planned, compiled);
      } catch (InterruptedException error) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits until the JIT compiler has caught up with the warm-up (its total compilation time grew
   * by less than 20 ms in the last 250 ms), for at most 30 s; returns the seconds waited. The
   * warm-up made the planner's code hot, and its compilation went on in the compiler threads
   * after it: 4.8 s of Neo4j CPU from "ready" to the first client success, most of it not the
   * clients' statements (load 3-5).
   */
  private static double awaitCompilation() throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long started = System.nanoTime();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return 0;
    }
    long deadline = started + Duration.ofSeconds(30).toNanos();
    long before = jit.getTotalCompilationTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(250);
      long now = jit.getTotalCompilationTime();
      if (now - before < 20) {
        break;
      }
      before = now;
    }
    return (System.nanoTime() - started) / 1e9;
  }

  /**
   * Runs every statement once, each in its own transaction that is rolled back, on as many threads
   * as there are cores (planning one statement is single-threaded); returns how many failed (a
   * statement that fails is reported and skipped: the client plans it on first use).
   */
  private static int warm(GraphDatabaseService db, List<Statement> statements)
      throws InterruptedException {
    AtomicInteger failed = new AtomicInteger();
    BoltWarmUp bolt;
    try {
      bolt = new BoltWarmUp(db);
    } catch (Exception error) {
      log("warm-up skipped: no Bolt service (%s)", error.getMessage());
      return statements.size();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (Statement statement : statements) {
        runs.add(
            pool.submit(
                () -> {
                  try {
                    bolt.run(statement.query(), statement.params());
                  } catch (Exception error) {
                    failed.incrementAndGet();
                    log("warm-up statement failed: %s", error.getMessage());
                  }
                }));
      }
      for (Future<?> run : runs) {
        try {
          run.get();
        } catch (java.util.concurrent.ExecutionException error) {
          failed.incrementAndGet();
        }
      }
    } finally {
      pool.shutdown();
    }
    return failed.get();
  }

  private static List<Statement> read(Path file) throws IOException {
    List<Statement> statements = new ArrayList<>();
    for (JsonNode node : new ObjectMapper().readTree(file.toFile())) {
      @SuppressWarnings("unchecked")
      Map<String, Object> params = (Map<String, Object>) value(node.path("params"));
      statements.add(new Statement(node.get("query").asText(), params == null ? Map.of() : params));
    }
    return statements;
  }

  /** A JSON value as the Java type the Bolt driver's value would arrive as (same plan-cache key). */
  private static Object value(JsonNode node) {
    if (node.isObject()) {
      if (node.size() == 1 && node.has("$datetime")) {
        return ZonedDateTime.parse(node.get("$datetime").asText());
      }
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(field -> map.put(field.getKey(), value(field.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(value(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isTextual()) {
      return node.asText();
    }
    return null;
  }

  private static void log(String format, Object... args) {
    System.out.println(String.format(format, args));
    System.out.flush();
  }
}
