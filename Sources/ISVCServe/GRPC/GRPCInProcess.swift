import GRPCCore
import NIOCore
import SwiftProtobuf

/// A unary gRPC call to a native replica answered in the gateway's process, as the REST path is:
/// the request frame decoded, the service method called, the answer framed, the status for the
/// trailers. The same service, codes and messages as the replica's gRPC server
/// (`GRPCInferenceServer`), which still takes what this does not: compressed or several messages.
enum GRPCInProcess {
    struct Reply: Sendable {
        /// The framed response message (absent on an error).
        var body: ByteBuffer
        var status: Int
        var message: String?
    }

    /// The single uncompressed message of a unary call's body; nil when the frame is compressed,
    /// holds more than one message or is cut short.
    static func message(_ body: ByteBuffer) -> [UInt8]? {
        let start = body.readerIndex
        guard body.readableBytes >= 5, body.getInteger(at: start, as: UInt8.self) == 0,
            let length = body.getInteger(at: start + 1, as: UInt32.self), Int(length) == body.readableBytes - 5
        else { return nil }
        return body.getBytes(at: start + 5, length: Int(length))
    }

    /// The RPC named by a `/inference.GRPCInferenceService/<Method>` path, answered by `service`.
    static func call(_ service: GRPCInferenceService, path: String, message: [UInt8]) async -> Reply {
        let prefix = "/inference.GRPCInferenceService/"
        let method = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : ""
        let context = ServerContext(
            descriptor: MethodDescriptor(fullyQualifiedService: "inference.GRPCInferenceService", method: method),
            remotePeer: "in-process", localPeer: "in-process", cancellation: .init())
        do {
            switch method {
            case "ServerLive": return try framed(await service.serverLive(request: decode(message), context: context))
            case "ServerReady": return try framed(await service.serverReady(request: decode(message), context: context))
            case "ModelReady": return try framed(await service.modelReady(request: decode(message), context: context))
            case "ServerMetadata": return try framed(await service.serverMetadata(request: decode(message), context: context))
            case "ModelMetadata": return try framed(await service.modelMetadata(request: decode(message), context: context))
            case "ModelInfer": return try framed(await service.modelInfer(request: decode(message), context: context))
            case "RepositoryModelLoad": return try framed(await service.repositoryModelLoad(request: decode(message), context: context))
            case "RepositoryModelUnload":
                return try framed(await service.repositoryModelUnload(request: decode(message), context: context))
            default:
                return Reply(
                    body: ByteBuffer(), status: RPCError.Code.unimplemented.rawValue,
                    message: "Requested RPC isn't implemented by this server.")
            }
        } catch let error as any RPCErrorConvertible {
            return Reply(body: ByteBuffer(), status: error.rpcErrorCode.rawValue, message: error.rpcErrorMessage)
        } catch {
            return Reply(body: ByteBuffer(), status: RPCError.Code.unknown.rawValue, message: "Service method threw an unknown error.")
        }
    }

    /// grpc-swift's deserializer: INVALID_ARGUMENT when the bytes are not the message.
    static func decode<M: SwiftProtobuf.Message>(_ bytes: [UInt8]) throws -> M {
        do {
            return try M(serializedBytes: bytes)
        } catch {
            throw RPCError(code: .invalidArgument, message: "Can't deserialize to message of type \(M.self).")
        }
    }

    static func framed<M: SwiftProtobuf.Message>(_ response: M) throws -> Reply {
        let bytes: [UInt8] = try response.serializedBytes()
        var body = ByteBuffer()
        body.reserveCapacity(bytes.count + 5)
        body.writeInteger(UInt8(0))
        body.writeInteger(UInt32(bytes.count))
        body.writeBytes(bytes)
        return Reply(body: body, status: 0, message: nil)
    }
}
