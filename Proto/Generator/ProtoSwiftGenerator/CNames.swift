/// The identifiers protoc-c 1.4 gives to a proto type, reproduced so generated Swift can call them.
struct CNames {
    let package: String
    let typeName: String

    /// `pm.v1` + `ReadingBatch` -> `Pm__V1__ReadingBatch`.
    var structName: String {
        (packageParts + [typeName]).map(Self.capitalizingFirst).joined(separator: "__")
    }

    /// `pm.v1` + `ReadingBatch` -> `pm__v1__reading_batch`.
    var functionPrefix: String {
        (packageParts + [typeName]).map(Self.camelToLower).joined(separator: "__")
    }

    private var packageParts: [String] {
        package.split(separator: ".").map(String.init)
    }

    private static func capitalizingFirst(_ s: String) -> String {
        s.prefix(1).uppercased() + s.dropFirst()
    }

    /// protoc-c's CamelToLower: an underscore before every upper-case letter but the first.
    static func camelToLower(_ s: String) -> String {
        var result = ""
        for (index, character) in s.enumerated() {
            if index > 0, character.isUppercase { result.append("_") }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}
