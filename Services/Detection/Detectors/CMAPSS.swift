import Foundation

/// One engine's run in a NASA C-MAPSS file: its cycles in order and, per cycle, the 3 operational
/// settings and the 21 sensors.
public struct CMAPSSEngine: Sendable, Equatable {
    public var unit: Int
    public var cycles: [Int]
    /// One row per cycle: settings 1–3, then sensors 1–21 (24 values).
    public var readings: [[Double]]

    public init(unit: Int, cycles: [Int], readings: [[Double]]) {
        self.unit = unit
        self.cycles = cycles
        self.readings = readings
    }

    /// The sensors (1-based, as the readme numbers them) of every cycle.
    public func sensors(_ numbers: [Int]) -> [[Double]] {
        readings.map { row in numbers.map { row[CMAPSS.settingCount + $0 - 1] } }
    }

    /// The run up to its first `count` cycles, as a test engine is cut before its failure.
    public func prefix(_ count: Int) -> CMAPSSEngine {
        CMAPSSEngine(unit: unit, cycles: Array(cycles.prefix(count)), readings: Array(readings.prefix(count)))
    }

    /// The remaining useful life of each cycle of a run to failure: the last cycle minus the cycle, at
    /// most `cap` (the literature's piecewise-linear target: an engine is healthy until its last `cap` cycles).
    public func remainingLife(cap: Double) -> [Double] {
        guard let last = cycles.last else { return [] }
        return cycles.map { min(Double(last - $0), cap) }
    }
}

/// NASA's C-MAPSS turbofan files (`train_FD001.txt`, …): whitespace-separated rows of unit, cycle, 3
/// operational settings and 21 sensors, the rows of each unit together and in cycle order.
public enum CMAPSS {
    public static let settingCount = 3
    public static let sensorCount = 21

    /// The engines of the file at `path`, in the order they appear.
    public static func read(_ path: String) throws -> [CMAPSSEngine] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BacktestData.FormatError("\(path): cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// The engines of `text`; `file` names it in errors, with the line.
    public static func parse(_ text: String, file: String) throws -> [CMAPSSEngine] {
        var engines: [CMAPSSEngine] = []
        let columns = 2 + settingCount + sensorCount
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == columns else {
                throw BacktestData.FormatError("\(file): line \(offset + 1): \(fields.count) fields, C-MAPSS rows have \(columns)")
            }
            guard let unit = Int(fields[0]), let cycle = Int(fields[1]) else {
                throw BacktestData.FormatError("\(file): line \(offset + 1): the unit and cycle must be whole numbers")
            }
            let values = try fields.dropFirst(2).enumerated().map { index, field in
                guard let value = Double(field), value.isFinite else {
                    throw BacktestData.FormatError("\(file): line \(offset + 1): column \(index + 3) is \"\(field)\", not a number")
                }
                return value
            }
            if engines.last?.unit != unit {
                guard !engines.contains(where: { $0.unit == unit }) else {
                    throw BacktestData.FormatError("\(file): line \(offset + 1): unit \(unit) appears again after other units")
                }
                engines.append(CMAPSSEngine(unit: unit, cycles: [], readings: []))
            }
            if let previous = engines[engines.count - 1].cycles.last, cycle <= previous {
                throw BacktestData.FormatError("\(file): line \(offset + 1): cycle \(cycle) of unit \(unit) does not follow \(previous)")
            }
            engines[engines.count - 1].cycles.append(cycle)
            engines[engines.count - 1].readings.append(values)
        }
        guard !engines.isEmpty else { throw BacktestData.FormatError("\(file): no data rows") }
        return engines
    }
}
