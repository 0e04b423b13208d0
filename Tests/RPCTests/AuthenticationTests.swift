import Crypto
@_spi(RPCWire) import PMProto
@_spi(RPCWire) import RPCTesting
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

    @Test("authentication comes before routing: without the token an unknown method is UNAUTHENTICATED, not UNIMPLEMENTED")
    func authenticationBeforeRouting() async throws {
        let missing = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "DoesItExist", kind: .unary)
        try await RPCTestServer.with(router: testRouter(), interceptors: [BearerTokenServerInterceptor(token: Self.token)]) {
            server async throws in
            let stranger = server.makeClient(interceptors: [BearerTokenClientInterceptor(token: "guess")])
            await expectRPCError(.unauthenticated) { _ = try await stranger.unary(missing, Reading()) }
            await expectRPCError(.unauthenticated) { _ = try await stranger.unary(TestMethods.echo, Reading()) }
            await stranger.close()
            let member = server.makeClient(interceptors: [BearerTokenClientInterceptor(token: Self.token)])
            await expectRPCError(.unimplemented) { _ = try await member.unary(missing, Reading()) }
            await member.close()
        }
    }

    @Test(
        "token comparison: every byte and the length count",
        arguments: [
            ("Bearer abc", "Bearer abc", true), ("Bearer abc", "Bearer abd", false),
            ("Bearer abc", "Bearer ab", false), ("", "", true), ("Bearer abc", "Bearer abcd", false),
            // A length difference of 256 once folded to 0 and compared only the common prefix.
            ("Bearer abc", "Bearer abc" + String(repeating: "x", count: 256), false),
            ("Bearer abc", "Bearer abc" + String(repeating: "x", count: 512), false),
            (String(repeating: "t", count: 300), String(repeating: "t", count: 44), false),
        ])
    func comparison(expected: String, presented: String, equal: Bool) {
        let digest = SHA256.hash(data: Array(expected.utf8))
        #expect(BearerTokenServerInterceptor.matches(Array(presented.utf8), digest) == equal)
    }

    @Test("the right token followed by 256 bytes, or by a NUL and more, is refused over a real socket")
    func paddedTokensRefused() async throws {
        try await RPCTestServer.with(router: testRouter(), interceptors: [BearerTokenServerInterceptor(token: Self.token)]) {
            server async throws in
            let padded = server.makeClient(interceptors: [
                BearerTokenClientInterceptor(token: Self.token + String(repeating: "x", count: 256))
            ])
            await expectRPCError(.unauthenticated) { _ = try await padded.unary(TestMethods.echo, Reading()) }
            await padded.close()
            // A NUL cannot be encoded by our client: the frame is patched by hand. The connection is refused.
            let connection = try await RawConnection(port: server.port)
            let frame = Frame(
                callID: 1, type: .call, method: TestMethods.echo.path,
                metadata: [MetadataEntry(key: "authorization", value: "Bearer \(Self.token)Xjunk")], payload: Reading().serializedBytes())
            try await connection.send(RawConnection.framed(frame).map { $0 == UInt8(ascii: "X") ? 0 : $0 })
            #expect(try await connection.closedByServer())
            await connection.close()
            // The right token still works on a fresh connection.
            let honest = server.makeClient(interceptors: [BearerTokenClientInterceptor(token: Self.token)])
            #expect(try await honest.unary(TestMethods.echo, Reading(equipmentID: 3)).equipmentID == 3)
            await honest.close()
        }
    }
}
