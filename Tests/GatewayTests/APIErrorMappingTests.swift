import Gateway
import HTTPTypes
import PMRPC
import Testing

/// Each internal status becomes one public status and code, in one place (APIError.init(RPCError)).
@Suite("RPC status -> HTTP status")
struct APIErrorMappingTests {
    @Test(
        "mapping",
        arguments: [
            (RPCError.Code.invalidArgument, 422, "invalid_argument"), (.notFound, 404, "not_found"), (.alreadyExists, 409, "conflict"),
            (.failedPrecondition, 409, "conflict"), (.unauthenticated, 401, "unauthenticated"),
            (.permissionDenied, 403, "permission_denied"),
            (.resourceExhausted, 429, "rate_limited"), (.unavailable, 503, "unavailable"), (.deadlineExceeded, 504, "deadline_exceeded"),
            (.internal, 500, "internal"), (.unknown, 500, "internal"), (.dataLoss, 500, "internal"),
        ])
    func mapping(code: RPCError.Code, status: Int, name: String) {
        let error = APIError(RPCError(code: code, message: "details", metadata: ["field": "temperature"]))
        #expect(error.status.code == status)
        #expect(error.code == name)
    }

    @Test("an invalid argument keeps the field the service named; a server fault hides its message")
    func fieldsAndMessages() {
        let invalid = APIError(RPCError(code: .invalidArgument, message: "temperature: must be finite", metadata: ["field": "temperature"]))
        #expect(invalid.field == "temperature")
        #expect(invalid.message == "temperature: must be finite")
        let fault = APIError(RPCError(code: .internal, message: "disk I/O error at /data/x.sqlite"))
        #expect(fault.message == "internal error")
    }
}
