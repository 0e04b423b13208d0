import Testing

@testable import Gateway

@Suite("Reading a presented key")
struct KeyParsingTests {
    @Test(
        "Authorization: Bearer <key>: the scheme in any case, spaces around the token ignored; anything else is no token",
        arguments: [
            ("Bearer pm_0123abcd_s3cr3t", "pm_0123abcd_s3cr3t"), ("bearer pm_0123abcd_x", "pm_0123abcd_x"),
            ("BEARER   pm_0123abcd_x  ", "pm_0123abcd_x"), ("Basic dXNlcjpwYXNz", nil), ("Bearer", nil), ("Bearer    ", nil),
            ("Bearerpm_0123abcd_x", nil), ("", nil),
        ] as [(String, String?)])
    func bearer(_ header: String, _ token: String?) {
        #expect(AuthMiddleware.bearerToken(header) == token)
    }

    @Test(
        "a key has the shape pm_<8 hex>_<secret>; the prefix is what lists and logs show",
        arguments: [
            ("pm_0123abcd_s3cr3t_with_underscores", "0123abcd"), ("pm_DEADBEEF_x", "DEADBEEF"), ("pm_0123abcd_", nil),
            ("pm_0123abcg_x", nil), ("pm_0123abc_xx", nil), ("xx_0123abcd_x", nil), ("pm-0123abcd_x", nil),
            ("pm_0123abcd_" + String(repeating: "x", count: 89), nil), ("pm_0123abcd_" + String(repeating: "x", count: 88), "0123abcd"),
        ] as [(String, String?)])
    func shape(_ text: String, _ prefix: String?) {
        #expect(APIKey(presented: text)?.prefix == prefix)
    }

    @Test("a generated key reads back with its prefix")
    func generated() {
        let key = APIKey.generate()
        #expect(APIKey(presented: key.text) == key)
    }
}
