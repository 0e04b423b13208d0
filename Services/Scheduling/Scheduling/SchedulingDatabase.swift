import GRDB
import ServiceStorage

/// Opens Scheduling's SQLite database and brings its schema up to date.
enum SchedulingDatabase {
    static func open(_ configuration: SchedulingConfiguration) throws -> ServiceDatabase {
        try ServiceDatabase(path: configuration.databasePath, durability: configuration.durability, migrator: migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: maintenance tasks, stream cursors") { db in
            try db.execute(
                sql: """
                    -- One row per task. `body` is the MaintenanceTask as the contract encodes it; the other
                    -- columns repeat what queries filter on, written from the same task (TaskRows.save).
                    CREATE TABLE tasks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        scheduled_date TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        status INTEGER NOT NULL,
                        idempotency_key TEXT UNIQUE,
                        alert_id INTEGER NOT NULL,
                        alert_kind TEXT NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE INDEX tasks_by_date ON tasks(scheduled_date, id);
                    CREATE INDEX tasks_by_machine ON tasks(equipment_id, scheduled_date);
                    CREATE INDEX tasks_by_alert_kind ON tasks(equipment_id, alert_kind, status);
                    -- How far each consumer of another service's stream has committed (WatchAlerts).
                    CREATE TABLE cursors (name TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
                    """)
        }
        return migrator
    }
}
