import CProtoDescriptor
import CProtobufC
import Foundation

/// The comments written before each definition of a `.proto` file (`protoc --include_source_info`),
/// by the definition's path in the `FileDescriptorProto`: `[4, 3]` is the fourth message, `[4, 3, 2, 7]`
/// its eighth field, `[5, e]` an enum, `[5, e, 2, v]` its value, `[6, s]` a service, `[6, s, 2, m]` a method.
struct SourceComments {
    static let messages: Int32 = 4
    static let enums: Int32 = 5
    static let services: Int32 = 6
    /// The member list inside a message (fields), an enum (values) or a service (methods).
    static let members: Int32 = 2

    private var leading: [[Int32]: String] = [:]

    init(_ info: UnsafeMutablePointer<Google__Protobuf__SourceCodeInfo>?) {
        guard let info, let locations = info.pointee.location else { return }
        for index in 0..<info.pointee.n_location {
            guard let location = locations[index]?.pointee, let text = location.leading_comments else { continue }
            let path = (0..<location.n_path).map { location.path[$0] }
            leading[path] = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    subscript(_ path: Int32...) -> String? {
        leading[path].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A proto comment as Swift documentation lines, indented.
func docComment(_ text: String?, indent: String = "") -> String {
    guard let text else { return "" }
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in
            let trimmed = line.hasPrefix(" ") ? line.dropFirst() : line[...]
            return trimmed.isEmpty ? "\(indent)///\n" : "\(indent)/// \(trimmed)\n"
        }
        .joined()
}
