import Foundation

/// A fresh folder under the system's temporary directory for one test, removed when the value is freed.
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path; it exists until this value is freed.
    public let path: String

    /// Creates `<temporary directory>/<prefix>-<UUID>`; throws if it cannot be created.
    public init(prefix: String = "pm-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
