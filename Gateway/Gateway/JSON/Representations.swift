import PMMath
import PMProto

// How each internal message looks in the public API: the seed's field names, ISO times, lower-case
// enum names and null for "none".

extension JSONWriter {
    /// The empty string is the contract's "none".
    mutating func field(_ name: String, nonEmpty value: String) { field(name, value.isEmpty ? nil : value) }

    /// 0 is the contract's "no id".
    mutating func field(_ name: String, id value: Int64) { field(name, value == 0 ? nil : value) }

    mutating func field(_ name: String, time ms: Int64) { field(name, Timestamps.string(ms)) }

    mutating func field(_ name: String, optionalTime ms: Int64) { field(name, Timestamps.optional(ms)) }

    mutating func field(_ name: String, enumeration value: some ProtoEnum) { field(name, value.shortName) }

    mutating func write(_ reading: Reading) {
        object { json in
            json.field("id", reading.sequence)
            json.field("equipment_id", reading.equipmentID)
            json.field("timestamp", time: reading.timestampMs)
            json.field("temperature", reading.temperature)
            json.field("vibration", reading.vibration)
            json.field("pressure", reading.pressure)
            json.field("power_consumption", reading.powerConsumption)
            json.field("efficiency", reading.efficiency)
        }
    }

    /// The equipment's fields, into an object the caller has opened (so it can add more).
    mutating func writeFields(of equipment: Equipment) {
        field("id", equipment.id)
        field("name", equipment.name)
        field("type", equipment.type)
        field("location", nonEmpty: equipment.location)
        field("install_date", nonEmpty: equipment.installDate)
        field("last_maintenance", nonEmpty: equipment.lastMaintenance)
        field("status", enumeration: equipment.status)
        field("created_at", time: equipment.createdAtMs)
        field("updated_at", time: equipment.updatedAtMs)
    }

    mutating func write(_ equipment: Equipment, latest: Reading?) {
        object { json in
            json.writeFields(of: equipment)
            json.key("latest_reading")
            if let latest { json.write(latest) } else { json.null() }
        }
    }

    mutating func write(_ prediction: Prediction, equipmentName: String?) {
        object { json in
            json.field("id", prediction.id)
            json.field("equipment_id", prediction.equipmentID)
            json.field("equipment_name", equipmentName)
            json.field("timestamp", time: prediction.timestampMs)
            json.field("prediction_type", prediction.predictionType)
            json.field("confidence", prediction.confidence)
            json.field("severity", enumeration: prediction.severity)
            json.field("predicted_failure_date", nonEmpty: prediction.predictedFailureDate)
            json.field("remaining_useful_life_hours", prediction.remainingUsefulLifeHours)
            json.field("remaining_life_lower_hours", prediction.remainingLifeLowerHours)
            json.field("remaining_life_upper_hours", prediction.remainingLifeUpperHours)
            json.field("health_score", prediction.healthScore)
            json.field("recommendation", prediction.recommendation)
            json.key("explanation")
            json.array(prediction.explanation) { json, contribution in
                json.object { json in
                    json.field("feature", contribution.feature)
                    json.field("contribution", contribution.contribution)
                    json.field("value", contribution.value)
                    json.field("expected", contribution.expected)
                }
            }
        }
    }

    mutating func writeFields(of alert: Alert, equipmentName: String?) {
        field("id", alert.id)
        field("equipment_id", alert.equipmentID)
        field("equipment_name", equipmentName)
        field("timestamp", time: alert.createdAtMs)
        field("severity", enumeration: alert.severity)
        field("title", alert.title)
        field("description", alert.description)
        // An integer, as the seed's SQLite row had it.
        field("acknowledged", alert.acknowledged ? 1 : 0)
        field("state", enumeration: alert.state)
        field("kind", alert.kind)
        field("source", nonEmpty: alert.source)
        field("occurrences", alert.occurrences)
        field("confidence", alert.confidence)
        field("sensors", strings: alert.sensors)
        field("first_seen", time: alert.firstSeenMs == 0 ? alert.createdAtMs : alert.firstSeenMs)
        field("last_seen", time: alert.lastSeenMs == 0 ? alert.createdAtMs : alert.lastSeenMs)
        field("updated_at", time: alert.updatedAtMs)
        field("acknowledged_at", optionalTime: alert.acknowledgedAtMs)
        field("acknowledged_by", nonEmpty: alert.acknowledgedBy)
        field("resolved_at", optionalTime: alert.resolvedAtMs)
        field("resolved_by", nonEmpty: alert.resolvedBy)
        field("silenced", alert.silenced)
        field("predicted_failure_date", alert.predictedFailureMs == 0 ? nil : UTCDate.of(ms: alert.predictedFailureMs))
    }

    mutating func write(_ alert: Alert, equipmentName: String?) {
        object { $0.writeFields(of: alert, equipmentName: equipmentName) }
    }

    mutating func write(_ event: AlertEvent) {
        object { json in
            json.field("sequence", event.sequence)
            json.field("event", enumeration: event.kind)
            json.field("at", time: event.atMs)
            json.field("by", event.by)
            json.field("from_state", event.fromState.rawValue == 0 ? nil : event.fromState.shortName)
            json.field("to_state", event.toState.rawValue == 0 ? nil : event.toState.shortName)
            json.field("comment", nonEmpty: event.comment)
        }
    }

    mutating func write(_ silence: Silence) {
        object { json in
            json.field("id", silence.id)
            json.field("equipment_id", silence.equipmentID)
            json.field("kind", nonEmpty: silence.kind)
            json.field("starts_at", time: silence.startsAtMs)
            json.field("ends_at", time: silence.endsAtMs)
            json.field("reason", nonEmpty: silence.reason)
            json.field("created_by", nonEmpty: silence.createdBy)
            json.field("created_at", time: silence.createdAtMs)
        }
    }

    mutating func write(_ task: MaintenanceTask, equipmentName: String?) {
        object { json in
            json.field("id", task.id)
            json.field("equipment_id", task.equipmentID)
            json.field("equipment_name", equipmentName)
            json.field("task", task.task)
            json.field("scheduled_date", task.scheduledDate)
            json.field("priority", enumeration: task.priority)
            json.field("status", enumeration: task.status)
            json.field("created_at", time: task.createdAtMs)
            json.field("updated_at", time: task.updatedAtMs)
            json.field("completed_at", optionalTime: task.completedAtMs)
            json.field("source", task.source.isEmpty ? "manual" : task.source)
            json.field("notes", nonEmpty: task.notes)
            json.field("alert_id", id: task.alertID)
            json.field("alert_kind", nonEmpty: task.alertKind)
            json.field("rule_id", id: task.ruleID)
            json.field("created_by", nonEmpty: task.createdBy)
            json.field("started_by", nonEmpty: task.startedBy)
            json.field("completed_by", nonEmpty: task.completedBy)
            json.field("cancelled_by", nonEmpty: task.cancelledBy)
        }
    }

    mutating func write(_ rule: PreventiveRule) {
        object { json in
            json.field("id", rule.id)
            json.field("equipment_id", id: rule.equipmentID)
            json.field("equipment_type", nonEmpty: rule.equipmentType)
            json.field("task", rule.task)
            json.field("interval_days", rule.intervalDays)
            json.field("priority", enumeration: rule.priority)
            json.field("first_due_date", rule.firstDueDate)
            json.field("created_by", nonEmpty: rule.createdBy)
            json.field("created_at", time: rule.createdAtMs)
        }
    }
}

extension JSONWriter {
    mutating func write(_ bucket: ReadingBucket) {
        object { json in
            json.field("start", time: bucket.startMs)
            json.field("end", time: bucket.endMs)
            json.field("count", bucket.count)
            for (name, summary) in [
                ("temperature", bucket.temperature), ("vibration", bucket.vibration), ("pressure", bucket.pressure),
                ("power_consumption", bucket.powerConsumption), ("efficiency", bucket.efficiency),
            ] {
                json.key(name)
                guard let summary, bucket.count > 0 else {
                    json.null()
                    continue
                }
                json.object { json in
                    json.field("min", summary.min)
                    json.field("max", summary.max)
                    json.field("mean", summary.mean)
                }
            }
        }
    }
}
