import PMProto
import RPCTesting
import Testing

@testable import PMRPC

@Suite("Shared-secret authentication")
struct AuthenticationTests {
    static let token = "s3cret-token"

    @Test("calls with the right token pass, without one or with a wrong one are UNAUTHENTICATED")
    func tokens() async throws {
        try await RPCTestServer.with(
            router: testRouter(),
            interceptors: [BearerTokenServerInterceptor(token: Self.token)],
            clientInterceptors: [BearerTokenClientInterceptor(token: Self.token)]
        ) { server async throws in
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 1)).equipmentID == 1)

            let anonymous = server.makeClient(interceptors: [])
            let missing = await expectRPCError(.unauthenticated) { _ = try await anonymous.unary(TestMethods.echo, Reading()) }
            #expect(missing?.message.contains("no authorization") == true)
            await anonymous.close()

            let impostor = server.makeClient(interceptors: [BearerTokenClientInterceptor(token: "s3cret-tokem")])
            await expectRPCError(.unauthenticated) { _ = try await impostor.unary(TestMethods.echo, Reading()) }
            await impostor.close()
        }
    }

    @Test(
        "token comparison",
        arguments: [
            ("Bearer abc", "Bearer abc", true), ("Bearer abc", "Bearer abd", false),
            ("Bearer abc", "Bearer ab", false), ("", "", true), ("Bearer abc", "Bearer abcd", false),
        ])
    func constantTimeComparison(a: String, b: String, equal: Bool) {
        #expect(BearerTokenServerInterceptor.constantTimeEqual(Array(a.utf8), Array(b.utf8)) == equal)
    }
}
