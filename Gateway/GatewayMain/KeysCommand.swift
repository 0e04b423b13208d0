import ArgumentParser
import Foundation
import Gateway
import PMMath
import ServiceKit

/// `gateway keys create|list|revoke`: the key store of `GATEWAY_DATABASE` (default
/// `$PM_DATA_DIR/gateway.sqlite`), usable while the gateway runs.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.", subcommands: [Create.self, List.self, Revoke.self])

    static func store() throws -> KeyStore {
        try KeyStore(path: try GatewayConfiguration(environment: .process).databasePath)
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (the only time it is shown).")
        @Option(help: "Who or what uses the key: recorded as the actor of what it does.") var name: String
        @Option(help: "viewer, operator, admin or device.") var role: String
        @Option(help: "device keys: the machines it may write, e.g. 1,2.") var equipment: String?
        @Option(name: .customLong("expires-in"), help: "e.g. 30d or 12h (default: never).") var expiresIn: String?

        func run() throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be viewer, operator, admin or device") }
            let machines = try equipment.map { list in
                try Set(
                    list.split(separator: ",").map { part -> Int64 in
                        guard let id = Int64(part.trimmingCharacters(in: .whitespaces)), id > 0 else {
                            throw ValidationError("--equipment takes machine ids separated by commas")
                        }
                        return id
                    })
            }
            let now = WallClock.nowMs()
            let expires = try expiresIn.map { now + (try Self.milliseconds(of: $0)) }
            let (key, identity) = try KeysCommand.store().create(
                name: name, role: role, equipmentIDs: machines, expiresAtMs: expires, now: now)
            print(key.text)
            FileHandle.standardError.write(Data("created \(identity.role.rawValue) key \(identity.prefix) for \(identity.name)\n".utf8))
        }

        static func milliseconds(of text: String) throws -> Int64 {
            guard let unit = text.last, let count = Int64(text.dropLast()), count > 0, count <= 36_500 else {
                throw ValidationError("--expires-in takes a number and d or h, e.g. 30d")
            }
            switch unit {
            case "d": return count * 86_400_000
            case "h": return count * 3_600_000
            default: throw ValidationError("--expires-in takes a number and d or h, e.g. 30d")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: prefix, role, name, machines, expiry, state.")

        func run() throws {
            for key in try KeysCommand.store().list() {
                let identity = key.identity
                let machines = identity.equipmentIDs.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "-"
                let expires = identity.expiresAtMs.map { UTCTimestamp.string(ms: $0) } ?? "never"
                let state = key.revokedAtMs != nil ? "revoked" : "active"
                print([identity.prefix, identity.role.rawValue, identity.name, machines, expires, state].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the key with this prefix; refused within seconds.")
        @Argument(help: "The key's prefix (the 8 characters after pm_).") var prefix: String

        func run() throws {
            guard try KeysCommand.store().revoke(prefix: prefix, now: WallClock.nowMs()) else {
                throw ValidationError("no active key with prefix \(prefix)")
            }
            print("revoked \(prefix)")
        }
    }
}
