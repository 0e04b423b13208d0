import CProtoDescriptor
import CProtobufC

/// Reads a `FileDescriptorSet` (as written by `protoc-c -o`) with libprotobuf-c into ``FileSpec``s.
public enum DescriptorSetReader {
    public static func read(_ bytes: [UInt8]) throws -> [FileSpec] {
        let set = bytes.withUnsafeBufferPointer { buffer in
            google__protobuf__file_descriptor_set__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let set else { throw UnsupportedProtoError(description: "not a FileDescriptorSet") }
        defer { google__protobuf__file_descriptor_set__free_unpacked(set, nil) }
        return try pointers(set.pointee.file, set.pointee.n_file).map(readFile)
    }

    private static func readFile(_ file: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) throws -> FileSpec {
        let f = file.pointee
        let package = string(f.package)
        let comments = SourceComments(f.source_code_info)
        let messages = try pointers(f.message_type, f.n_message_type).enumerated().map { index, message in
            try readMessage(message, package: package, index: Int32(index), comments: comments)
        }
        let enums = pointers(f.enum_type, f.n_enum_type).enumerated().map { index, enumeration in
            readEnum(enumeration, index: Int32(index), comments: comments)
        }
        let services = try pointers(f.service, f.n_service).enumerated().map { index, service in
            try readService(service, package: package, index: Int32(index), comments: comments)
        }
        return FileSpec(name: string(f.name), package: package, messages: messages, enums: enums, services: services)
    }

    private static func readMessage(
        _ message: UnsafeMutablePointer<Google__Protobuf__DescriptorProto>,
        package: String,
        index: Int32,
        comments: SourceComments
    ) throws -> MessageSpec {
        let m = message.pointee
        let name = string(m.name)
        guard m.n_nested_type == 0, m.n_enum_type == 0 else {
            throw UnsupportedProtoError(description: "\(name): nested messages and enums are not supported; declare them at top level")
        }
        let oneofNames = pointers(m.oneof_decl, m.n_oneof_decl).map { string($0.pointee.name) }
        var membersPerOneof = [Int32: Int]()
        let fields = pointers(m.field, m.n_field).map { $0.pointee }
        for field in fields where field.has_oneof_index != 0 {
            membersPerOneof[field.oneof_index, default: 0] += 1
        }
        return MessageSpec(
            name: name,
            fields: try fields.enumerated().map { fieldIndex, field in
                let fieldName = string(field.name)
                var oneof: String?
                if field.has_oneof_index != 0 {
                    guard membersPerOneof[field.oneof_index] == 1 else {
                        throw UnsupportedProtoError(
                            description: "\(name).\(fieldName): only one-field oneofs (explicit presence) are supported")
                    }
                    oneof = oneofNames[Int(field.oneof_index)]
                }
                return FieldSpec(
                    name: fieldName,
                    number: field.number,
                    kind: try kind(of: field, in: "\(name).\(fieldName)", package: package),
                    repeated: field.label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED,
                    optionalOneof: oneof,
                    comment: comments[SourceComments.messages, index, SourceComments.members, Int32(fieldIndex)]
                )
            },
            comment: comments[SourceComments.messages, index]
        )
    }

    private static func kind(
        of field: Google__Protobuf__FieldDescriptorProto,
        in context: String,
        package: String
    ) throws -> FieldSpec.Kind {
        switch field.type {
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_DOUBLE: return .double
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FLOAT: return .float
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT32: return .int32
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT64: return .int64
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT32: return .uint32
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT64: return .uint64
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT32: return .sint32
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT64: return .sint64
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED32: return .fixed32
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED64: return .fixed64
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED32: return .sfixed32
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED64: return .sfixed64
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BOOL: return .bool
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_STRING: return .string
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BYTES: return .bytes
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_ENUM:
            return .enumeration(try localTypeName(string(field.type_name), package: package, context: context))
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_MESSAGE:
            return .message(try localTypeName(string(field.type_name), package: package, context: context))
        default:
            throw UnsupportedProtoError(description: "\(context): field type \(field.type.rawValue) is not supported")
        }
    }

    /// ".pm.v1.Reading" -> "Reading"; types from other packages are not supported.
    private static func localTypeName(_ fullName: String, package: String, context: String) throws -> String {
        let prefix = ".\(package)."
        guard fullName.hasPrefix(prefix), !fullName.dropFirst(prefix.count).contains(".") else {
            throw UnsupportedProtoError(description: "\(context): type \(fullName) is outside package \(package) or nested")
        }
        return String(fullName.dropFirst(prefix.count))
    }

    private static func readEnum(
        _ enumeration: UnsafeMutablePointer<Google__Protobuf__EnumDescriptorProto>,
        index: Int32,
        comments: SourceComments
    ) -> EnumSpec {
        let e = enumeration.pointee
        return EnumSpec(
            name: string(e.name),
            values: pointers(e.value, e.n_value).enumerated().map { valueIndex, value in
                (
                    string(value.pointee.name), value.pointee.number,
                    comments[SourceComments.enums, index, SourceComments.members, Int32(valueIndex)]
                )
            },
            comment: comments[SourceComments.enums, index]
        )
    }

    private static func readService(
        _ service: UnsafeMutablePointer<Google__Protobuf__ServiceDescriptorProto>,
        package: String,
        index: Int32,
        comments: SourceComments
    ) throws -> ServiceSpec {
        let s = service.pointee
        let name = string(s.name)
        let methods = try pointers(s.method, s.n_method).enumerated().map { methodIndex, pointer in
            let m = pointer.pointee
            let methodName = string(m.name)
            guard m.client_streaming == 0 else {
                throw UnsupportedProtoError(description: "\(name).\(methodName): client streaming is not supported")
            }
            return ServiceSpec.Method(
                name: methodName,
                input: try localTypeName(string(m.input_type), package: package, context: methodName),
                output: try localTypeName(string(m.output_type), package: package, context: methodName),
                serverStreaming: m.server_streaming != 0,
                comment: comments[SourceComments.services, index, SourceComments.members, Int32(methodIndex)]
            )
        }
        return ServiceSpec(name: name, methods: methods, comment: comments[SourceComments.services, index])
    }

    private static func pointers<T>(_ base: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int) -> [UnsafeMutablePointer<T>] {
        guard let base else { return [] }
        return (0..<count).compactMap { base[$0] }
    }

    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }
}
