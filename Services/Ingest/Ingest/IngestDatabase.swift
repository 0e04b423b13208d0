import Foundation
import GRDB
import ServiceStorage

/// Opens Ingest's SQLite database and brings its schema up to date.
public enum IngestDatabase {
    public static func open(_ configuration: IngestConfiguration) throws -> ServiceDatabase {
        try ServiceDatabase(
            path: configuration.databasePath,
            durability: configuration.durability,
            migrator: migrator(createDemoFleet: configuration.createDemoFleet)
        )
    }

    static func migrator(createDemoFleet: Bool) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: equipment and readings") { db in
            try db.execute(
                sql: """
                    CREATE TABLE equipment (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        type TEXT NOT NULL,
                        location TEXT NOT NULL,
                        install_date TEXT NOT NULL,
                        last_maintenance TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        updated_at_ms INTEGER NOT NULL
                    );
                    -- AUTOINCREMENT: sequences never go back, even after retention empties the table.
                    -- One REAL column per sensor, named after it (Sensor.all); a migration never changes once
                    -- shipped, so a new sensor adds its column in a migration of its own.
                    CREATE TABLE readings (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        timestamp_ms INTEGER NOT NULL,
                        temperature REAL NOT NULL,
                        vibration REAL NOT NULL,
                        pressure REAL NOT NULL,
                        power_consumption REAL NOT NULL,
                        efficiency REAL NOT NULL,
                        reading_id TEXT
                    );
                    -- Serves "latest N of a machine", time ranges, and idempotency by machine + timestamp.
                    CREATE UNIQUE INDEX readings_by_machine_time ON readings(equipment_id, timestamp_ms);
                    CREATE UNIQUE INDEX readings_by_reading_id ON readings(reading_id) WHERE reading_id IS NOT NULL;
                    -- Serves retention and "readings in the last 24 h".
                    CREATE INDEX readings_by_time ON readings(timestamp_ms);
                    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO counters (name, value) VALUES ('readings', 0);
                    """)
            if createDemoFleet {
                try DemoFleet.insert(into: db, now: Date())
            }
        }
        // Devices number their own messages ("42"): a reading id identifies a reading within its
        // machine only, or two devices would silently lose each other's readings as duplicates.
        migrator.registerMigration("v2: reading ids per machine") { db in
            try db.execute(
                sql: """
                    DROP INDEX readings_by_reading_id;
                    CREATE UNIQUE INDEX readings_by_machine_reading_id ON readings(equipment_id, reading_id)
                        WHERE reading_id IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v3: per-minute reading totals") { db in
            try db.execute(
                sql: """
                    -- MinuteTotals: readings and efficiency per minute, for counts over a period without a scan.
                    CREATE TABLE reading_minutes (minute_ms INTEGER PRIMARY KEY, readings INTEGER NOT NULL, efficiency_sum REAL NOT NULL);
                    INSERT INTO reading_minutes (minute_ms, readings, efficiency_sum)
                    SELECT timestamp_ms - timestamp_ms % 60000, COUNT(*), TOTAL(efficiency) FROM readings GROUP BY 1;
                    """)
        }
        return migrator
    }
}
