package learnergraph;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.neo4j.bolt.dbapi.BoltGraphDatabaseManagementServiceSPI;
import org.neo4j.bolt.dbapi.BoltGraphDatabaseServiceSPI;
import org.neo4j.bolt.dbapi.BoltQueryExecution;
import org.neo4j.bolt.dbapi.BoltTransaction;
import org.neo4j.bolt.protocol.common.message.AccessMode;
import org.neo4j.bolt.protocol.common.message.request.connection.RoutingContext;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.security.LoginContext;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.query.QueryExecutionConfiguration;
import org.neo4j.kernel.impl.query.QuerySubscriber;
import org.neo4j.kernel.impl.util.ValueUtils;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.memory.EmptyMemoryTracker;

/**
 * Runs a statement the way a Bolt client's explicit transaction does, through the service Bolt
 * itself uses (the query router's), in a transaction that is rolled back. Bolt's queries pass the
 * router, which parses each one into its own cache (keyed by text and parameter types) before the
 * database plans it; the embedded API skips the router. Traced with a cache monitor: after a
 * warm-up through the embedded API every statement's first Bolt call missed the router's cache
 * (the attempt write 1.0-1.1 s of CPU, the student read 0.5 s); after this one, each first call
 * hit it and cost 10-40 ms. The service is there before Bolt opens (it is the one Bolt will get).
 */
final class BoltWarmUp {
  /** Long enough for a cold JVM at load 12 (the whole warm-up took up to 95 s): the server's own limit. */
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final BoltGraphDatabaseServiceSPI database;

  /** Bolt's service for `db`, looked up once for the whole warm-up (its statements share it). */
  BoltWarmUp(GraphDatabaseService db) throws Exception {
    GraphDatabaseAPI api = (GraphDatabaseAPI) db;
    database =
        api.getDependencyResolver()
            .resolveDependency(BoltGraphDatabaseManagementServiceSPI.class)
            .database(api.databaseName(), EmptyMemoryTracker.INSTANCE);
  }

  void run(String query, Map<String, Object> params) throws Exception {
    BoltTransaction tx =
        database.beginTransaction(
            KernelTransaction.Type.EXPLICIT,
            LoginContext.AUTH_DISABLED,
            ClientConnectionInfo.EMBEDDED_CONNECTION,
            List.of(),
            TIMEOUT,
            AccessMode.WRITE,
            Map.of(),
            new RoutingContext(false, Map.of()),
            QueryExecutionConfiguration.DEFAULT_CONFIG);
    try {
      BoltQueryExecution execution =
          tx.executeQuery(
              query, ValueUtils.asParameterMapValue(params), false, QuerySubscriber.DO_NOTHING_SUBSCRIBER);
      try {
        execution.queryExecution().consumeAll();
      } finally {
        execution.close();
      }
    } finally {
      try {
        tx.rollback();
      } finally {
        tx.close();
      }
    }
  }
}
