package learnergraph;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;

/**
 * Keeps each database's handle as the database starts, so that a database-start listener can run
 * statements on it before {@code DatabaseManagementServiceBuilder.build()} returns (and before Bolt
 * opens: Neo4j starts its databases first). Loaded by Neo4j's extension mechanism (a service file
 * in META-INF/services); it does nothing else.
 */
public final class DatabaseCapture extends ExtensionFactory<DatabaseCapture.Dependencies> {

  /** What Neo4j injects: the starting database's facade. */
  public interface Dependencies {
    GraphDatabaseAPI graphDatabaseAPI();
  }

  private static final Map<String, GraphDatabaseService> DATABASES = new ConcurrentHashMap<>();

  public DatabaseCapture() {
    super(ExtensionType.DATABASE, "learner-graph-database-capture");
  }

  /** The database of that name, once it has started (null before). */
  static GraphDatabaseService database(String name) {
    return DATABASES.get(name);
  }

  @Override
  public Lifecycle newInstance(ExtensionContext context, Dependencies dependencies) {
    GraphDatabaseAPI database = dependencies.graphDatabaseAPI();
    DATABASES.put(database.databaseName(), database);
    return new LifecycleAdapter();
  }
}
