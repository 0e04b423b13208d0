import Foundation

/// Appends every injected fault to a CSV file as it starts, so detection can be scored against it:
/// `equipment_id,kind,start_ms,end_ms,start,end` (end is when the machine would fail).
public final class GroundTruthWriter {
    private let handle: FileHandle
    private let formatter: ISO8601DateFormatter

    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let isNew = !FileManager.default.fileExists(atPath: path)
        if isNew { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if isNew { try handle.write(contentsOf: Data("equipment_id,kind,start_ms,end_ms,start,end\n".utf8)) }
    }

    deinit {
        try? handle.close()
    }

    public func record(_ fault: Fault) throws {
        let start = formatter.string(from: Date(timeIntervalSince1970: Double(fault.startMs) / 1000))
        let end = formatter.string(from: Date(timeIntervalSince1970: Double(fault.endMs) / 1000))
        let line = "\(fault.equipmentID),\(fault.kind.rawValue),\(fault.startMs),\(fault.endMs),\(start),\(end)\n"
        try handle.write(contentsOf: Data(line.utf8))
    }
}
