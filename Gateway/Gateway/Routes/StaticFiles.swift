import CompressNIO
import Foundation
import Hummingbird
import NIOCore

/// The dashboard, the OpenAPI document and its viewer (Gateway/Gateway/Public, bundled), plus the two
/// vendored libraries read from the Debian packages that `make run` installs: plotly.js
/// (python3-plotly) and Swagger UI (python3-flasgger). Nothing is fetched from a CDN.
struct StaticFiles {
    let publicDirectory: String
    let plotlyPath: String
    let swaggerUIDirectory: String
    /// plotly.js gzip-compressed once (8.6 MB -> ~2.5 MB), or nil when the package is not installed.
    let plotlyGzip: ByteBuffer?

    init(plotlyPath: String, swaggerUIDirectory: String) {
        self.publicDirectory = Bundle.module.resourcePath.map { $0 + "/Public" } ?? "Public"
        self.plotlyPath = plotlyPath
        self.swaggerUIDirectory = swaggerUIDirectory
        self.plotlyGzip = Self.gzip(fileAt: plotlyPath)
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/") { _, _ in try file("index.html") }
        router.get("/docs") { _, _ in try file("docs.html") }
        router.get("/openapi.yaml") { _, _ in try file("openapi.yaml") }
        router.get("/static/:name") { _, context in try file(try context.parameters.require("name")) }
        router.get("/vendor/plotly.js") { request, _ in try plotly(request) }
        router.get("/vendor/swagger-ui/:name") { _, context in
            try vendored(try context.parameters.require("name"), from: swaggerUIDirectory, allowed: Self.swaggerUIFiles)
        }
    }

    static let swaggerUIFiles: Set<String> = ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]

    /// A file of the Public folder (no subfolders: a name with a slash or dots never leaves it).
    private func file(_ name: String) throws -> Response {
        guard !name.contains("/"), !name.hasPrefix("."), let data = FileManager.default.contents(atPath: publicDirectory + "/" + name)
        else {
            throw APIError.notFound("no file \(name)")
        }
        return Self.response(ByteBuffer(bytes: data), contentType: Self.contentType(of: name))
    }

    private func vendored(_ name: String, from directory: String, allowed: Set<String>) throws -> Response {
        guard allowed.contains(name), let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw APIError.notFound("\(name) is not installed (Debian package python3-flasgger)")
        }
        return Self.response(ByteBuffer(bytes: data), contentType: Self.contentType(of: name), cache: true)
    }

    private func plotly(_ request: Request) throws -> Response {
        guard let plotlyGzip else { throw APIError.notFound("plotly.js is not installed (Debian package python3-plotly, \(plotlyPath))") }
        let acceptsGzip = request.headers[.acceptEncoding]?.contains("gzip") ?? false
        // plotly.js holds non-ASCII identifiers: without the charset Chromium fails to parse it.
        let contentType = "application/javascript; charset=utf-8"
        if acceptsGzip {
            var response = Self.response(plotlyGzip, contentType: contentType, cache: true)
            response.headers[.contentEncoding] = "gzip"
            response.headers[.vary] = "Accept-Encoding"
            return response
        }
        guard let data = FileManager.default.contents(atPath: plotlyPath) else { throw APIError.notFound("plotly.js is not installed") }
        return Self.response(ByteBuffer(bytes: data), contentType: contentType, cache: true)
    }

    private static func response(_ body: ByteBuffer, contentType: String, cache: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers[.cacheControl] = cache ? "public, max-age=86400" : "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "application/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "yaml": "application/yaml; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    private static func gzip(fileAt path: String) -> ByteBuffer? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var buffer = ByteBuffer(bytes: data)
        return try? buffer.compress(with: .gzip())
    }
}
