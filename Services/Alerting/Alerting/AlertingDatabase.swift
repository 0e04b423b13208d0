import GRDB
import ServiceStorage

/// Opens Alerting's SQLite database and brings its schema up to date.
enum AlertingDatabase {
    static func open(_ configuration: AlertingConfiguration) throws -> ServiceDatabase {
        try ServiceDatabase(path: configuration.databasePath, durability: configuration.durability, migrator: migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: alerts, events, silences, webhook outbox") { db in
            try db.execute(
                sql: """
                    -- One row per alert. `body` is the Alert message as the contract encodes it; the other
                    -- columns repeat what queries filter on, written from the same Alert (AlertRow.save).
                    CREATE TABLE alerts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        severity INTEGER NOT NULL,
                        state INTEGER NOT NULL,
                        acknowledged INTEGER NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        -- Server time of the latest occurrence: the auto-resolve clock.
                        last_raised_at_ms INTEGER NOT NULL,
                        body BLOB NOT NULL
                    );
                    -- At most one alert per machine and kind that is not resolved (state 3).
                    CREATE UNIQUE INDEX one_unresolved_alert ON alerts(equipment_id, kind) WHERE state != 3;
                    CREATE INDEX alerts_by_machine ON alerts(equipment_id, id);
                    -- RaiseAlert's idempotency: each event id once, with the alert it went into.
                    CREATE TABLE raised_events (event_id TEXT PRIMARY KEY, alert_id INTEGER NOT NULL) WITHOUT ROWID;
                    -- Every change of every alert, in commit order: WatchAlerts and each alert's history.
                    -- AUTOINCREMENT: sequences never go back.
                    CREATE TABLE alert_events (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        alert_id INTEGER NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE INDEX alert_events_by_alert ON alert_events(alert_id, sequence);
                    CREATE TABLE silences (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        equipment_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        starts_at_ms INTEGER NOT NULL,
                        ends_at_ms INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        key TEXT UNIQUE
                    );
                    CREATE INDEX silences_by_machine ON silences(equipment_id, ends_at_ms);
                    -- The outbox: a notification is written in the transaction of the change it reports,
                    -- so a crash between commit and delivery loses nothing.
                    CREATE TABLE notifications (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_sequence INTEGER NOT NULL,
                        receiver TEXT NOT NULL,
                        body BLOB NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        next_attempt_at_ms INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        delivered_at_ms INTEGER,
                        abandoned_at_ms INTEGER,
                        last_error TEXT
                    );
                    CREATE INDEX notifications_due ON notifications(next_attempt_at_ms) WHERE delivered_at_ms IS NULL AND abandoned_at_ms IS NULL;
                    CREATE TABLE delivery_attempts (
                        notification_id INTEGER NOT NULL,
                        at_ms INTEGER NOT NULL,
                        http_status INTEGER,
                        error TEXT
                    );
                    CREATE INDEX delivery_attempts_by_notification ON delivery_attempts(notification_id);
                    """)
        }
        return migrator
    }
}
