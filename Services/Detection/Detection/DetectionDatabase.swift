import GRDB
import ServiceStorage

/// Opens Detection's SQLite database and brings its schema up to date.
enum DetectionDatabase {
    static func open(_ configuration: DetectionConfiguration) throws -> ServiceDatabase {
        try ServiceDatabase(path: configuration.databasePath, durability: configuration.durability, migrator: migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: models, predictions, outbox, cursor") { db in
            try db.execute(
                sql: """
                    -- Each machine's detector state (Detector.encode), as of the cursor below.
                    CREATE TABLE models (
                        equipment_id INTEGER PRIMARY KEY,
                        detector TEXT NOT NULL,
                        state BLOB NOT NULL,
                        status INTEGER NOT NULL,
                        trained_at_ms INTEGER NOT NULL,
                        version INTEGER NOT NULL
                    );
                    -- One row per reading in alarm; `body` is the Prediction as the contract encodes it.
                    CREATE TABLE predictions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        timestamp_ms INTEGER NOT NULL,
                        sequence INTEGER NOT NULL UNIQUE,
                        body BLOB NOT NULL
                    );
                    CREATE INDEX predictions_by_machine ON predictions(equipment_id, timestamp_ms);
                    CREATE INDEX predictions_by_time ON predictions(timestamp_ms);
                    -- Calls to make to other services (RaiseAlert, UpdateEquipment), written with the scoring
                    -- that decided them and deleted once accepted (Outbox).
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        key TEXT NOT NULL UNIQUE,
                        method TEXT NOT NULL,
                        body BLOB NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE TABLE cursors (name TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
                    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO counters (name, value) VALUES ('readings_scored', 0);
                    """)
        }
        migrator.registerMigration("v2: each machine's health trend") { db in
            // HealthTrend.encode; NULL: none yet (machines saved before this column start one).
            try db.execute(sql: "ALTER TABLE models ADD COLUMN health BLOB")
        }
        migrator.registerMigration("v3: the last maintenance date each model has seen") { db in
            // NULL: not seen yet; the first date seen is recorded without starting the model afresh.
            try db.execute(sql: "ALTER TABLE models ADD COLUMN last_maintenance TEXT")
        }
        return migrator
    }
}
