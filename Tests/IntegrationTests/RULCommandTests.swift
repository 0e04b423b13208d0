import Foundation
import ProcessTestSupport
import RPCTesting
import Testing

/// `detection rul` as a user runs it: engines of C-MAPSS FD001 cut before failure, learnt from the others.
@Suite("detection rul")
struct RULCommandTests {
    static var detection: String { Paths.binaries.appendingPathComponent("detection").path }
    static let fd001 = Paths.packageRoot.appendingPathComponent("../shared/data/cmapss/train_FD001.txt").standardized.path

    @Test("five held-out engines cut before failure: one line per unit at its last cycle, and estimates near the truth")
    func heldOutEngines() async throws {
        let lines = try String(contentsOfFile: Self.fd001, encoding: .utf8).split(whereSeparator: \.isNewline)
        let unitOf = { (line: Substring) in Int(line.split(separator: " ")[0])! }
        let heldOut = [96, 97, 98, 99, 100]
        // Cycles left after each cut (the truth), from the early healthy phase to near failure.
        let left = [100: 10, 99: 40, 98: 75, 97: 110, 96: 150]
        var lastCycle: [Int: Int] = [:]
        for line in lines where heldOut.contains(unitOf(line)) { lastCycle[unitOf(line)] = Int(line.split(separator: " ")[1])! }
        let cut = lines.filter { line in
            let unit = unitOf(line)
            return heldOut.contains(unit) && Int(line.split(separator: " ")[1])! <= lastCycle[unit]! - left[unit]!
        }
        let folder = try TemporaryFolder()
        try (cut.joined(separator: "\n") + "\n").write(toFile: "\(folder.path)/test.txt", atomically: true, encoding: .utf8)
        try (lines.filter { !heldOut.contains(unitOf($0)) }.joined(separator: "\n") + "\n")
            .write(toFile: "\(folder.path)/train.txt", atomically: true, encoding: .utf8)

        let result = try await run(
            Self.detection, ["rul", "\(folder.path)/test.txt", "--format", "cmapss", "--train-file", "\(folder.path)/train.txt"])
        try #require(result.status == 0, "\(result.errors)")
        let output = result.output.split(separator: "\n")
        #expect(output.first == "unit,cycle,rul_predicted")
        let rows = output.dropFirst().map { $0.split(separator: ",") }
        #expect(rows.map { Int($0[0])! } == heldOut && rows.allSatisfy { $0.count == 3 })
        #expect(rows.map { Int($0[1])! } == heldOut.map { lastCycle[$0]! - left[$0]! })
        let errors = rows.map { Double($0[2])! - min(Double(left[Int($0[0])!]!), 125) }
        let rmse = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        #expect(rmse < 30, "errors \(errors)")
    }

    @Test("without --train-file, or on a file that is not C-MAPSS, the command refuses with a message")
    func refusals() async throws {
        let missing = try await run(Self.detection, ["rul", Self.fd001, "--format", "cmapss"])
        #expect(missing.status != 0 && missing.errors.contains("--train-file is required"), "\(missing.errors)")
        let folder = try TemporaryFolder()
        try "1 1 0.5\n".write(toFile: "\(folder.path)/bad.txt", atomically: true, encoding: .utf8)
        let bad = try await run(Self.detection, ["rul", "\(folder.path)/bad.txt", "--format", "cmapss", "--train-file", Self.fd001])
        #expect(bad.status != 0 && bad.errors.contains("line 1: 3 fields, C-MAPSS rows have 26"), "\(bad.errors)")
    }
}
