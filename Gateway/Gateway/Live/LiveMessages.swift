import PMProto

/// The JSON messages of `/ws` (README.md and the OpenAPI document's description list them).
enum LiveMessages {
    static func hello(alertSequence: UInt64, heartbeatSeconds: Int) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", "hello")
                json.field("alert_sequence", alertSequence)
                json.field("heartbeat_seconds", heartbeatSeconds)
            }
        }.text
    }

    static func statusUpdate(_ equipment: Equipment, previous: EquipmentStatus?) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", "status_update")
                json.field("equipment_id", equipment.id)
                json.field("status", enumeration: equipment.status)
                json.field("previous_status", previous?.shortName)
                json.field("timestamp", time: equipment.updatedAtMs)
            }
        }.text
    }

    static func alert(_ event: AlertEvent, equipmentName: String?) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", "alert")
                json.field("event", enumeration: event.kind)
                json.field("sequence", event.sequence)
                json.key("alert")
                json.write(event.alert ?? Alert(), equipmentName: equipmentName)
            }
        }.text
    }

    static func reading(_ reading: Reading) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", "reading")
                json.key("reading")
                json.write(reading)
            }
        }.text
    }

    static func prediction(_ prediction: Prediction, equipmentName: String?) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", "prediction")
                json.key("prediction")
                json.write(prediction, equipmentName: equipmentName)
            }
        }.text
    }

    static func simple(_ type: String, reason: String? = nil, timestampMs: Int64? = nil) -> String {
        JSONWriter.document { json in
            json.object { json in
                json.field("type", type)
                if let reason { json.field("reason", reason) }
                if let timestampMs { json.field("timestamp", time: timestampMs) }
            }
        }.text
    }
}
