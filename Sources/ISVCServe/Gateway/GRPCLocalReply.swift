import HTTPTypes
import Hummingbird
import NIOCore

/// Envoy's local replies to gRPC requests (`http/utility.cc` `prepareLocalReply`/`encodeLocalReply`,
/// `grpc/status.cc`): HTTP status 200, `content-type: application/grpc`, `grpc-status` mapped from the
/// HTTP status the reply would have had, and `grpc-message` the reply's text, percent-encoded (none
/// when the text is empty, as for a request no route matches). Upstream answers pass unchanged.
///
/// Envoy sends the status in one HEADERS frame that ends the stream (trailers-only); serve sends the
/// headers and then the status as trailers, which gRPC clients read the same way.
enum GRPCLocalReply {
    /// Marks a response the gateway made itself; its value is the text a gRPC client gets.
    static let marker = HTTPField.Name("x-isvc-local-reply")!
    static let grpcStatus = HTTPField.Name("grpc-status")!
    static let grpcMessage = HTTPField.Name("grpc-message")!
    static let grpcStatusDetails = HTTPField.Name("grpc-status-details-bin")!

    /// A gRPC request as Envoy tells it (`grpc/common.cc`): `content-type` `application/grpc` or
    /// `application/grpc+…` (not gRPC-Web), with a path.
    static func isGRPC(_ request: Request) -> Bool { isGRPC(contentType: request.headers[.contentType]) }

    static func isGRPC(contentType: String?) -> Bool {
        guard let contentType else { return false }
        return contentType == "application/grpc" || contentType.hasPrefix("application/grpc+")
    }

    /// `Grpc::Utility::httpToGrpcStatus`.
    static func status(forHTTP code: Int) -> Int {
        switch code {
        case 400: 13  // INTERNAL
        case 401: 16  // UNAUTHENTICATED
        case 403: 7  // PERMISSION_DENIED
        case 404: 12  // UNIMPLEMENTED
        case 429, 502, 503, 504: 14  // UNAVAILABLE
        default: 2  // UNKNOWN
        }
    }

    /// gRPC's percent-encoding of `grpc-message`: bytes outside printable ASCII, and `%`, as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != 0x25 {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// The response the client gets: the marker removed, and for a gRPC request a local reply
    /// turned into its gRPC form.
    static func finish(_ response: Response, grpc: Bool) -> Response {
        guard let text = response.headers[marker] else { return response }
        var plain = response
        plain.headers[marker] = nil
        guard grpc else { return plain }
        var headers = HTTPFields()
        headers[.contentType] = "application/grpc"
        var trailers = HTTPFields()
        trailers[grpcStatus] = String(status(forHTTP: response.status.code))
        if !text.isEmpty { trailers[grpcMessage] = text }
        for field in response.headers where field.name == .wwwAuthenticate { headers.append(field) }
        let status = trailers
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await writer.finish(status) })
    }
}

extension Response {
    /// Marks a gateway-made response with the text a gRPC client would get (`GRPCLocalReply`).
    mutating func markLocal(_ text: String) {
        headers[GRPCLocalReply.marker] = GRPCLocalReply.percentEncoded(text)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
