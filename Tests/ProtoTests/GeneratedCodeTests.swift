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

    @Test("unsupported proto constructs are refused with a clear message")
    func unsupportedConstructsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unsupported-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Proto/pm/v1"), withIntermediateDirectories: true)
        try """
        syntax = "proto3";
        package pm.v1;
        message Outer { message Inner { int32 x = 1; } Inner inner = 1; }
        """.write(to: folder.appendingPathComponent("Proto/pm/v1/bad.proto"), atomically: true, encoding: .utf8)
        #expect(throws: UnsupportedProtoError.self) {
            _ = try Regenerator(packageRoot: folder).generate()
        }
    }
}
