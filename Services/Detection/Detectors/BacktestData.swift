import Foundation

/// Rows of features, and labels when the file has them, read from a history file for a backtest.
public struct BacktestData: Sendable {
    public var featureNames: [String]
    public var rows: [[Double]]
    /// One per row, or empty when the file has no labels.
    public var labels: [Bool]

    /// The file formats a backtest reads.
    public enum Format: String, Sendable, CaseIterable {
        /// SKAB: `;`-separated, a `datetime` column, 8 sensor columns (the features), `anomaly` (the label), `changepoint`.
        case skab
        /// NAB: `timestamp,value`; labels from a windows JSON (`labels/combined_windows.json`).
        case nab
        /// A header row; every numeric column except the label column is a feature.
        case csv
    }

    /// A file that cannot be read as its format says, naming the line.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads `path` as `format`. For `nab`, `labelsPath` is the windows JSON; for `csv`, `labelColumn`
    /// names the label column (default `label`, when present).
    public static func read(_ path: String, format: Format, labelColumn: String? = nil, labelsPath: String? = nil) throws -> BacktestData {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FormatError("\(path): cannot be read (\(error.localizedDescription))")
        }
        switch format {
        case .skab:
            return try delimited(text, separator: ";", labelColumn: "anomaly", ignoring: ["datetime", "changepoint"], file: path)
        case .csv:
            return try delimited(text, separator: ",", labelColumn: labelColumn ?? "label", ignoring: [], file: path)
        case .nab:
            var data = try delimited(text, separator: ",", labelColumn: nil, ignoring: ["timestamp"], file: path)
            if let labelsPath {
                let timestamps = text.split(whereSeparator: \.isNewline).dropFirst().map { String($0.split(separator: ",").first ?? "") }
                data.labels = try NABWindows(path: labelsPath).labels(for: path, timestamps: timestamps)
            }
            return data
        }
    }

    /// A header line naming the columns, then one row per line. A column is a feature when its value on
    /// the first row is a number; every later row must then have a number there.
    static func delimited(_ text: String, separator: Character, labelColumn: String?, ignoring: Set<String>, file: String) throws
        -> BacktestData
    {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let header = lines.first, !header.isEmpty else { throw FormatError("\(file): line 1: the header row is missing") }
        let names = header.split(separator: separator, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\u{FEFF}\"")))
        }
        let labelIndex = labelColumn.flatMap { names.firstIndex(of: $0) }
        var featureIndices: [Int]?
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.allSatisfy(\.isWhitespace) {
            let lineNumber = offset + 1
            let fields = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == names.count else {
                throw FormatError("\(file): line \(lineNumber): \(fields.count) fields where the header names \(names.count)")
            }
            let features =
                featureIndices
                ?? names.indices.filter { $0 != labelIndex && !ignoring.contains(names[$0]) && Double(fields[$0]) != nil }
            guard !features.isEmpty else { throw FormatError("\(file): line \(lineNumber): no numeric column to use as a feature") }
            featureIndices = features
            rows.append(
                try features.map { index in
                    guard let value = Double(fields[index]), value.isFinite else {
                        throw FormatError("\(file): line \(lineNumber): column \(names[index]) is \"\(fields[index])\", not a number")
                    }
                    return value
                })
            if let labelIndex {
                guard let label = Double(fields[labelIndex]), label == 0 || label == 1 else {
                    throw FormatError("\(file): line \(lineNumber): label \(names[labelIndex]) is \"\(fields[labelIndex])\", not 0 or 1")
                }
                labels.append(label == 1)
            }
        }
        guard let featureIndices else { throw FormatError("\(file): no data rows") }
        return BacktestData(featureNames: featureIndices.map { names[$0] }, rows: rows, labels: labels)
    }
}

/// NAB's label windows (`combined_windows.json`): per data file, the [start, end] timestamps of each
/// anomaly window; a row inside one is labelled anomalous.
struct NABWindows {
    let windows: [String: [[String]]]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path),
            let windows = try? JSONDecoder().decode([String: [[String]]].self, from: data)
        else { throw BacktestData.FormatError("\(path): not a NAB windows JSON file") }
        self.windows = windows
    }

    /// The labels of the rows of `file` (found by its folder and name, e.g. `realKnownCause/nyc_taxi.csv`).
    func labels(for file: String, timestamps: [String]) throws -> [Bool] {
        let url = URL(fileURLWithPath: file)
        let key = "\(url.deletingLastPathComponent().lastPathComponent)/\(url.lastPathComponent)"
        guard let fileWindows = windows[key] else { throw BacktestData.FormatError("\(file): the labels file has no windows for \(key)") }
        // Timestamps compare as text in NAB's fixed "YYYY-MM-DD hh:mm:ss" form.
        let ranges = fileWindows.compactMap { window in
            window.count == 2 ? (String(window[0].prefix(19)), String(window[1].prefix(19))) : nil
        }
        return timestamps.map { timestamp in ranges.contains { $0.0 <= timestamp && timestamp <= $0.1 } }
    }
}
