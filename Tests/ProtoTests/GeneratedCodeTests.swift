import Foundation
import ProtoSwiftGenerator
import Testing

@Suite("Generated code")
struct GeneratedCodeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the committed protoc-c and Swift code is what Proto/ generates today")
    func committedCodeIsCurrent() throws {
        let stale = try Regenerator(packageRoot: Self.packageRoot).staleFiles()
        #expect(stale.isEmpty, "stale generated files (run Proto/generate.sh): \(stale)")
    }

    @Test("a changed .proto makes the committed code stale")
    func staleCodeIsDetected() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        for folder in ["Proto/pm"] + Regenerator.generatedFolders {
            let destination = copy.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent(folder), to: destination)
        }
        let proto = copy.appendingPathComponent("Proto/pm/v1/common.proto")
        let text = try String(contentsOf: proto, encoding: .utf8)
        try text.replacingOccurrences(of: "  string reading_id = 9;", with: "  string reading_id = 9;\n  string unit = 10;")
            .write(to: proto, atomically: true, encoding: .utf8)

        let stale = try Regenerator(packageRoot: copy).staleFiles()
        #expect(stale.contains("Shared/CPMProto/include/pm/v1/common.pb-c.h"))
        #expect(stale.contains("Shared/PMProto/Generated/common.pb.swift"))
    }

    /// Everything generated from one `.proto` file alone, written to a scratch package root.
    static func generate(_ proto: String, named name: String) throws -> [String: String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proto-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Proto/pm/v1"), withIntermediateDirectories: true)
        try proto.write(to: folder.appendingPathComponent("Proto/pm/v1/\(name)"), atomically: true, encoding: .utf8)
        return try Regenerator(packageRoot: folder).generate()
    }

    @Test("a service becomes a handler protocol and a typed client; proto comments become doc comments")
    func servicesAndComments() throws {
        let files = try Self.generate(
            """
            syntax = "proto3";
            package pm.v1;
            // A ping.
            message Ping {
              // How many times.
              int32 count = 1;
            }
            // Answers pings.
            service PingService {
              // Says pong.
              rpc Pong(Ping) returns (Ping);
              rpc Pongs(Ping) returns (stream Ping);
            }
            """, named: "ping.proto")
        let messages = try #require(files["Shared/PMProto/Generated/ping.pb.swift"])
        #expect(messages.contains("/// A ping.\npublic struct Ping: ProtoMessage {"))
        #expect(messages.contains("    /// How many times.\n    public var count: Int32"))
        let services = try #require(files["Shared/PMServices/Generated/ping.services.swift"])
        #expect(services.contains("/// Answers pings.\n"))
        #expect(services.contains("public protocol PingServiceProtocol: RPCService {"))
        #expect(services.contains("    /// Says pong.\n    func pong(_ request: Ping, context: ServerContext) async throws -> Ping"))
        #expect(services.contains("func pongs(_ request: Ping, writer: RPCWriter<Ping>, context: ServerContext) async throws"))
        #expect(services.contains("router.register(PingService.pong)"))
        #expect(services.contains("public struct PingServiceClient: Sendable {"))
        #expect(services.contains("try await rpcClient.serverStream(PingService.pongs, request, options: options, body)"))
    }

    @Test("unsupported proto constructs are refused with a clear message")
    func unsupportedConstructsAreRefused() throws {
        #expect(throws: UnsupportedProtoError.self) {
            _ = try Self.generate(
                """
                syntax = "proto3";
                package pm.v1;
                message Outer { message Inner { int32 x = 1; } Inner inner = 1; }
                """, named: "bad.proto")
        }
    }
}
