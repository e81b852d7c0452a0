package learnergraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts Neo4j Community embedded with Bolt on localhost and runs until SIGTERM.
 *
 * <p>Usage: {@code EmbeddedNeo4j --data DIR [--port 7687] [--pagecache 512m]}. Prints exactly one
 * line starting with {@code READY} once Bolt accepts connections; everything else Neo4j logs goes
 * to files under DIR/logs. Authentication is off: the server only listens on the loopback
 * interface.
 */
public final class EmbeddedNeo4j {

  private EmbeddedNeo4j() {}

  public static void main(String[] args) throws InterruptedException {
    Path data = null;
    int port = 7687;
    long pageCache = ByteUnit.mebiBytes(512);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--pagecache" -> pageCache = ByteUnit.parse(args[++i]);
        default -> {
          System.err.println("unknown argument: " + args[i]);
          System.exit(2);
        }
      }
    }
    if (data == null) {
      System.err.println("usage: EmbeddedNeo4j --data DIR [--port N] [--pagecache SIZE]");
      System.exit(2);
    }

    DatabaseManagementService service =
        new DatabaseManagementServiceBuilder(data)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
            .setConfig(GraphDatabaseSettings.logs_directory, data.resolve("logs"))
            .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
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
}
