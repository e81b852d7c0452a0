package learnergraph;

import org.neo4j.cypher.internal.cache.CacheTracer;
import org.neo4j.monitoring.Monitors;

/**
 * Logs each miss of the query router's parse cache, where every Bolt query is looked up first:
 * one line {@code ROUTER CACHE MISS <the query's text, then its parameter types: 100 characters>}
 * per statement text and parameter types that was not prepared (by the warm-up or an earlier
 * call). A diagnostic ({@code --trace-plans}); the tests use it to check the warm-up covers the hot paths.
 */
final class RouterCacheTrace implements CacheTracer<Object> {
  static final String PREFIX = "CacheKeyWithParameterType(";

  private RouterCacheTrace() {}

  /** The server's monitors with this tracer listening (router and planner caches report there). */
  static Monitors monitors() {
    Monitors monitors = new Monitors();
    monitors.addMonitorListener(new RouterCacheTrace(), "cypher.cache.router");
    return monitors;
  }

  @Override
  public void cacheMiss(Object key, String metaData) {
    String text = String.valueOf(key);
    if (!text.startsWith(PREFIX)) {
      return;
    }
    text = text.substring(PREFIX.length()).replaceAll("\\s+", " ");
    System.out.println("ROUTER CACHE MISS " + text.substring(0, Math.min(100, text.length())));
    System.out.flush();
  }
}
