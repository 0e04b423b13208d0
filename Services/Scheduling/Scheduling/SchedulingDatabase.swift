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
        migrator.registerMigration("v2: preventive rules, cross-service effects of status changes") { db in
            try db.execute(
                sql: """
                    ALTER TABLE tasks ADD COLUMN rule_id INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX tasks_by_rule ON tasks(rule_id, equipment_id, status) WHERE rule_id > 0;
                    -- One row per rule; `body` is the PreventiveRule as the contract encodes it.
                    CREATE TABLE preventive_rules (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        equipment_type TEXT NOT NULL,
                        idempotency_key TEXT UNIQUE,
                        body BLOB NOT NULL
                    );
                    -- The outbox of what a status change must do in Ingest and Alerting (TaskEffects), written
                    -- in the transaction of the change and deleted once done; retried until then.
                    CREATE TABLE task_effects (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        task_id INTEGER NOT NULL,
                        equipment_id INTEGER NOT NULL,
                        alert_id INTEGER NOT NULL,
                        action TEXT NOT NULL,
                        on_date TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at_ms INTEGER NOT NULL,
                        last_error TEXT
                    );
                    CREATE INDEX task_effects_due ON task_effects(next_attempt_at_ms, id);
                    """)
        }
        return migrator
    }
}
