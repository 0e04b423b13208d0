import Foundation
import ProcessTestSupport
import RPCTesting
import Testing

/// `detection backtest` as a user runs it, on a real SKAB run and on broken files.
@Suite("detection backtest")
struct BacktestCommandTests {
    static var detection: String { Paths.binaries.appendingPathComponent("detection").path }
    static let skab = Paths.packageRoot.appendingPathComponent("../shared/data/skab/valve1/0.csv").standardized.path

    @Test("on a SKAB run: one line per row with the label, training rows never predicted, and a summary whose counts add up")
    func skabRun() async throws {
        let rows = try String(contentsOfFile: Self.skab, encoding: .utf8).split(whereSeparator: \.isNewline).count - 1
        let perRow = try await run(Self.detection, ["backtest", Self.skab, "--format", "skab"])
        try #require(perRow.status == 0, "\(perRow.errors)")
        let lines = perRow.output.split(separator: "\n")
        #expect(lines.first == "row,score,threshold,predicted,label")
        #expect(lines.count == rows + 1)
        let fields = lines.dropFirst().map { $0.split(separator: ",") }
        #expect(fields.prefix(400).allSatisfy { $0[3] == "0" })
        #expect(fields.dropFirst(400).contains { $0[3] == "1" })

        let summary = try await run(Self.detection, ["backtest", Self.skab, "--format", "skab", "--detector", "seed", "--summary"])
        try #require(summary.status == 0, "\(summary.errors)")
        let table = summary.output.split(separator: "\n")
        #expect(table.first?.hasPrefix("rows,tp,fp,fn,tn,precision,recall,f1") == true)
        let values = try #require(table.last).split(separator: ",").map { Double($0)! }
        #expect(Int(values[0]) == rows && Int(values[1] + values[2] + values[3] + values[4]) == rows - 400)
        #expect((0...1).contains(values[7]) && (0...1).contains(values[10]))
    }

    @Test("a malformed CSV is refused with a message naming the line and the column")
    func malformedCSV() async throws {
        let folder = try TemporaryFolder()
        let file = "\(folder.path)/broken.csv"
        try "temperature,vibration,label\n70.1,2.5,0\n70.2,2.6,0\n70.3,abc,1\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await run(Self.detection, ["backtest", file])
        #expect(result.status != 0)
        #expect(result.errors.contains("line 4: column vibration is \"abc\", not a number"), "\(result.errors)")

        try "temperature,vibration\n70.1,2.5\n70.2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let short = try await run(Self.detection, ["backtest", file])
        #expect(short.status != 0 && short.errors.contains("line 3: 1 fields where the header names 2"), "\(short.errors)")

        let missing = try await run(Self.detection, ["backtest", "\(folder.path)/none.csv"])
        #expect(missing.status != 0 && missing.errors.contains("cannot be read"))
    }
}
