import Foundation
import FuzzTargets
import Testing

/// Every input a fuzzer ever failed on (`Fuzz/FailCases/<target>/`) is replayed through the same code
/// the fuzzer runs, without the fuzzer: a regression traps this test process.
@Suite struct FailCaseReplayTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz").standardized

    static func inputs(of folder: String) throws -> [URL] {
        let url = fuzzFolder.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func failCasesStayFixed(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let cases = try Self.inputs(of: "FailCases/\(name)").map { Array(try Data(contentsOf: $0)) }
        await onOwnThread { for input in cases { target.run(input) } }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func seedsRunClean(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = target.seeds()
        #expect(seeds.count >= 4)  // one per method at least: Detection has four
        await onOwnThread { for seed in seeds { target.run(seed) } }
    }

    /// Inputs that start with a name (`QueryReadings\n...`) need that name in the dictionary, or the
    /// fuzzer rarely finds the new message or method.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func dictionaryNamesEverySeedsName(target name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let dictionary = try String(contentsOf: Self.fuzzFolder.appendingPathComponent("Dictionaries/\(name).dict"), encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: Self.fuzzFolder.appendingPathComponent("FailCases/\(name)").path))
        guard name != FuzzTarget.frames.name else { return }  // raw frames: no name prefix
        for seed in target.seeds() {
            let prefix = String(decoding: seed.prefix { $0 != 0x0A }, as: UTF8.self)
            #expect(dictionary.contains("\"\(prefix)\\x0a\""), "\(name).dict lacks \(prefix)")
        }
    }
}

/// Runs `work` on a thread of its own: a target blocks its thread while the service's handler runs on
/// Swift concurrency's pool, so running it on that pool (one thread per core) could starve the handler.
func onOwnThread(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        Thread {
            work()
            done.resume()
        }.start()
    }
}
