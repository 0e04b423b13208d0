import Foundation
import ProcessTestSupport
import Testing

extension GatewaySystemTests {
    /// The `simulator` executable posting its readings through the gateway with a device key, against
    /// the whole system as real processes.
    @Suite("Simulator through the gateway", .serialized)
    struct SimulatorGatewayTests {
        typealias Outcome = (status: Int32, output: String, errors: String)

        /// Runs the simulator in gateway mode until it exits; the fleet comes from the stack's Ingest.
        static func simulate(_ stack: SystemStack, environment: [String], arguments: [String]) async throws -> Outcome {
            let simulator = Paths.binaries.appendingPathComponent("simulator").path
            let fixed = [
                "INGEST_RPC_PORT=\(stack.ingest.port)", "PM_RPC_TOKEN=\(SystemStack.token)", "PM_DATA_DIR=\(stack.folder.path)/simulator",
            ]
            return try await run("env", fixed + environment + [simulator, "--gateway", stack.baseURL, "--seed", "5"] + arguments)
        }

        /// The secret part of a key (after `pm_<prefix>_`): what must never be printed.
        static func secret(of key: String) -> String {
            String(key.split(separator: "_", maxSplits: 2).last ?? "")
        }

        /// Every stored reading time of `machine`, oldest first.
        static func readingTimes(_ stack: SystemStack, machine: Int) async throws -> [Int64] {
            let history = try await stack.request(.GET, "/api/equipment/\(machine)/readings?limit=10000").object
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return (history["readings"] as? [[String: Any]] ?? []).compactMap { reading in
                (reading["timestamp"] as? String).flatMap(formatter.date(from:)).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            }
        }

        @Test("posts the fleet's readings with a device key, waits out 429s, and every reading arrives exactly once")
        func deliversThroughGateway() async throws {
            // One request a second per device key (bursts of two): the backfill's batches meet 429s.
            try await SystemStack.with(gatewayEnvironment: ["GATEWAY_RATE_LIMIT_DEVICE": "1"]) { stack in
                let device = try await GatewayAccessTests.createKey(stack, role: "device", name: "simulator")
                let machines = try await stack.request(.GET, "/api/equipment").array.compactMap { $0["id"] as? Int }
                #expect(machines.count == 6)
                // A quarter of an hour at one reading a second: 900 per machine, in 22 batches of 250 (more than the
                // bucket lets through in the seconds they take, however slow the machine).
                async let simulated = Self.simulate(
                    stack, environment: ["SIMULATOR_API_KEY=\(device.key)", "PM_LOG_LEVEL=info"],
                    arguments: ["--backfill-hours", "0.25", "--rate", "1", "--batch-size", "250", "--duration-seconds", "2"])
                try await stack.eventually("the backfill of every machine through the gateway", limit: .seconds(120)) {
                    for machine in machines {
                        if try await Self.readingTimes(stack, machine: machine).count < 900 { return false }
                    }
                    return true
                }
                let result = try await simulated
                #expect(result.status == 0, "\(result.errors)")
                #expect(result.errors.contains("HTTP 429"), "the rate limit was never met: \(result.errors)")
                #expect(!(result.output + result.errors).contains(Self.secret(of: device.key)))
                // At least once, and no more: a batch lost to a 429 would leave a gap, a repeat stored twice
                // a double. The simulator stamps each machine's readings exactly a second apart.
                for machine in machines {
                    let times = try await Self.readingTimes(stack, machine: machine)
                    let steps = Set(zip(times.dropFirst(), times).map { $0 - $1 })
                    #expect(times.count >= 900 && steps == [1000], "machine \(machine): \(times.count) readings, steps \(steps)")
                }
            }
        }

        @Test("a wrong, revoked or too narrow device key stops it with an error naming only the key's prefix")
        func refusedKeys() async throws {
            try await SystemStack.with { stack in
                let revoked = try await GatewayAccessTests.createKey(stack, role: "device", name: "revoked-simulator")
                #expect(try await stack.request(.DELETE, "/api/keys/\(revoked.prefix)").status == 204)
                try await stack.eventually("the revoked key refused") {
                    try await stack.request(.GET, "/api/session", as: .key(revoked.key)).status == 401
                }
                let narrow = try await GatewayAccessTests.createKey(stack, role: "device", name: "plant-a", equipment: [1])
                let wrong = "pm_0badc0de_" + String(repeating: "w", count: 43)
                let wrongFile = "\(stack.folder.path)/wrong-key"
                #expect(
                    FileManager.default.createFile(
                        atPath: wrongFile, contents: Data("\(wrong)\n".utf8), attributes: [.posixPermissions: 0o600]))

                let cases: [(name: String, key: String, prefix: String, environment: [String], arguments: [String], status: Int)] = [
                    ("wrong, from a file", wrong, "0badc0de", [], ["--api-key-file", wrongFile], 401),
                    ("revoked", revoked.key, revoked.prefix, ["SIMULATOR_API_KEY=\(revoked.key)"], [], 401),
                    ("limited to machine 1", narrow.key, narrow.prefix, ["SIMULATOR_API_KEY=\(narrow.key)"], [], 403),
                ]
                for refused in cases {
                    // Debug logging prints the most there is; a simulator that never gave up would end with 0.
                    let result = try await Self.simulate(
                        stack, environment: refused.environment + ["PM_LOG_LEVEL=debug"],
                        arguments: refused.arguments + ["--duration-seconds", "30"])
                    let printed = result.output + result.errors
                    #expect(result.status != 0, "\(refused.name): \(result.errors.suffix(2000))")
                    #expect(
                        printed.contains("refused") && printed.contains("pm_\(refused.prefix)_…")
                            && printed.contains("HTTP \(refused.status)"),
                        "\(refused.name): \(result.errors.suffix(2000))")
                    #expect(!printed.contains(Self.secret(of: refused.key)), "\(refused.name): the key was printed")
                }
            }
        }
    }
}
