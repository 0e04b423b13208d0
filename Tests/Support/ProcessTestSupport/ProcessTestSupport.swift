import Foundation

/// Paths tests need, relative to this file.
public enum Paths {
    /// The package's folder.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder `swift build` put the executables in (the same one `swift test` built into).
    public static var binaries: URL {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("ingest").path) }
            ?? candidates[1]
    }

    /// The Python of the test venv (scripts/python-venv.sh, which `make test` runs), with the checkers'
    /// packages; throws when it is missing.
    public static func testPython() throws -> String {
        let python = packageRoot.appendingPathComponent(".venv-test/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ProcessError("\(python) is missing: run `make test`, which creates the test venv (scripts/python-venv.sh)")
        }
        return python
    }

    /// A checker script of Tests/Tools.
    public static func tool(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Tools/\(name)").path
    }
}

/// A test's process did not do what it should.
public struct ProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `work` on a new thread and returns what it hands to its `answer` callback (exactly once).
///
/// Blocking calls (pipe reads, waiting for a child process) must never run on Swift concurrency's
/// cooperative pool: it has one thread per core, two on CI, so one blocked read starves every other
/// test running beside it, and their deadlines then expire for no fault of the code under test.
public func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable (_ answer: @Sendable (Value) -> Void) -> Void) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { work { continuation.resume(returning: $0) } }.start()
    }
}

/// Runs a command to completion and returns its exit status and standard output, reading both
/// outputs at once (a child that fills one pipe while we wait on the other would never finish).
public func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    async let out = onOwnThread { $0(output.fileHandleForReading.readDataToEndOfFile()) }
    async let err = onOwnThread { $0(errors.fileHandleForReading.readDataToEndOfFile()) }
    let (outData, errData) = await (out, err)
    let status = await onOwnThread { answer in
        process.waitUntilExit()
        answer(process.terminationStatus)
    }
    return (status, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
