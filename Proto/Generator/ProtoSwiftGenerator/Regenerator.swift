import Foundation

/// Produces every generated file of the package from `Proto/`: protoc-c's C for our contract, protoc-c's C
/// for `descriptor.proto` (what this generator reads), the Swift messages, and the service protocols and clients. Used by `proto-swift-gen`
/// to write them and by the tests to prove the committed copies are current.
public struct Regenerator {
    /// Folders whose whole content is generated; a file there that generation does not produce is stale.
    public static let generatedFolders = [
        "Shared/CPMProto", "Shared/PMProto/Generated", "Shared/PMServices/Generated", "Proto/Generator/CProtoDescriptor",
    ]

    public let packageRoot: URL
    public var descriptorProtoInclude = "/usr/include"

    public init(packageRoot: URL) {
        self.packageRoot = packageRoot
    }

    /// Every generated file, by path relative to the package root.
    public func generate() throws -> [String: String] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("proto-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let protoRoot = packageRoot.appendingPathComponent("Proto")
        let protos = try contractProtos(in: protoRoot)
        var files = [String: String]()

        let contractC = work.appendingPathComponent("contract")
        try runProtocC(["-I\(protoRoot.path)", "--c_out=\(contractC.path)"] + protos)
        try collectC(from: contractC, into: "Shared/CPMProto", module: "CPMProto", files: &files)

        let descriptorC = work.appendingPathComponent("descriptor")
        try runProtocC(["-I\(descriptorProtoInclude)", "--c_out=\(descriptorC.path)", "google/protobuf/descriptor.proto"])
        try collectC(from: descriptorC, into: "Proto/Generator/CProtoDescriptor", module: "CProtoDescriptor", files: &files)

        let setFile = work.appendingPathComponent("contract.pb")
        // With the source info, the .proto comments become the generated Swift's doc comments.
        try runProtocC(["-I\(protoRoot.path)", "--include_source_info", "-o\(setFile.path)"] + protos)
        let specs = try DescriptorSetReader.read(Array(Data(contentsOf: setFile)))
        for spec in specs {
            let base = (spec.name as NSString).lastPathComponent.replacingOccurrences(of: ".proto", with: "")
            files["Shared/PMProto/Generated/\(base).pb.swift"] = SwiftEmitter.emit(spec)
            if let services = ServiceEmitter.emit(spec) {
                files["Shared/PMServices/Generated/\(base).services.swift"] = services
            }
        }
        files["Shared/PMProto/Generated/AllMessages.pb.swift"] = SwiftEmitter.emitRegistry(specs)
        return files
    }

    /// Paths whose committed content differs from what generation produces (changed, missing or extra).
    public func staleFiles() throws -> [String] {
        let expected = try generate()
        var stale = Set<String>()
        for (path, content) in expected {
            let onDisk = try? String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
            if onDisk != content { stale.insert(path) }
        }
        for path in try existingGeneratedFiles() where expected[path] == nil {
            stale.insert(path)
        }
        return stale.sorted()
    }

    /// Writes every generated file and removes generated files that are no longer produced.
    public func write() throws {
        let expected = try generate()
        for path in try existingGeneratedFiles() where expected[path] == nil {
            try FileManager.default.removeItem(at: packageRoot.appendingPathComponent(path))
        }
        for (path, content) in expected {
            let url = packageRoot.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    private func contractProtos(in protoRoot: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: protoRoot.path)
        var protos = [String]()
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".proto"), !path.hasPrefix("Generator/") { protos.append(path) }
        }
        return protos.sorted()
    }

    /// Headers go under `include/` (the C target's public header path), sources beside it, plus a module map.
    private func collectC(from folder: URL, into target: String, module: String, files: inout [String: String]) throws {
        var headers = [String]()
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".h") || path.hasSuffix(".c") else { continue }
            let content = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            if path.hasSuffix(".h") {
                files["\(target)/include/\(path)"] = content
                headers.append(path)
            } else if path.hasSuffix(".c") {
                files["\(target)/\(path)"] = content
            }
        }
        // A module map rather than an umbrella header: SwiftPM refuses an umbrella header beside subfolders.
        let lines = headers.sorted().map { "    header \"\($0)\"" }.joined(separator: "\n")
        files["\(target)/include/module.modulemap"] = """
            // Generated by proto-swift-gen. Do not edit: run Proto/generate.sh.
            module \(module) {
            \(lines)
                export *
            }

            """
    }

    private func existingGeneratedFiles() throws -> [String] {
        var paths = [String]()
        for folder in Self.generatedFolders {
            let enumerator = FileManager.default.enumerator(atPath: packageRoot.appendingPathComponent(folder).path)
            while let path = enumerator?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let full = packageRoot.appendingPathComponent(folder).appendingPathComponent(path).path
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                    paths.append("\(folder)/\(path)")
                }
            }
        }
        return paths
    }

    private func runProtocC(_ arguments: [String]) throws {
        for argument in arguments where argument.hasPrefix("--c_out=") {
            try FileManager.default.createDirectory(atPath: String(argument.dropFirst(8)), withIntermediateDirectories: true)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["protoc-c"] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw UnsupportedProtoError(
                description: "protoc-c \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))"
            )
        }
    }
}
