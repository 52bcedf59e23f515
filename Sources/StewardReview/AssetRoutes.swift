import Foundation
import Hummingbird
import HTTPTypes

/// GET/HEAD /assets/NAME from the files compiled into the binary (EmbeddedFiles), in place of
/// Hummingbird's FileMiddleware, which serves from a directory on disk.
struct AssetRoutes<Context: RequestContext>: RouterMiddleware {
    struct Asset {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    let assets: [String: Asset]

    init(files: [String: Data] = EmbeddedFiles.assets) {
        var assets: [String: Asset] = [:]
        for (name, data) in files {
            // The content decides the ETag: a browser revalidates and gets 304 until an upgrade.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: a cache tag, not a security check
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            assets[name] = Asset(
                body: ByteBuffer(bytes: data), contentType: Self.contentType(name), etag: "\"\(String(hash, radix: 16))\"")
        }
        self.assets = assets
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/assets/"), request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        guard let asset = assets[String(path.dropFirst("/assets/".count))] else {
            throw HTTPError(.notFound)
        }
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache"]
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: asset.body))
    }
}
