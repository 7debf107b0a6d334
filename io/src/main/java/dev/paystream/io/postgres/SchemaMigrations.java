package dev.paystream.io.postgres;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema to the newest version with the Flyway migrations in {@value
 * #LOCATION} ({@code V<n>__<what>.sql}, applied in order, each once, recorded in {@code
 * flyway_schema_history}). Migrations are never edited once released: Flyway refuses to run
 * against a database whose applied migrations changed; a change is a new version.
 */
public final class SchemaMigrations {

  /** Where the migrations live on the class path; other modules' migrations go here too. */
  public static final String LOCATION = "classpath:db/migration";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);

  private SchemaMigrations() {}

  /**
   * Applies the pending migrations. Safe to call from several JVMs at once: Flyway serialises
   * them with a PostgreSQL advisory lock, and the later ones find nothing to do.
   *
   * @return the schema version now in force
   */
  public static String migrate(DataSource dataSource) {
    // This class's loader, not the thread's: on Flink the thread's loader may not see the
    // job jar's db/migration resources.
    MigrateResult result =
        Flyway.configure(SchemaMigrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations(LOCATION)
            .load()
            .migrate();
    String version =
        result.targetSchemaVersion != null
            ? result.targetSchemaVersion
            : result.initialSchemaVersion;
    LOG.info(
        "PostgreSQL schema at version {} ({} migrations applied now)",
        version,
        result.migrationsExecuted);
    return version;
  }
}
