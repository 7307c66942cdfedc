import NIOCore
import Testing

@testable import ISVCServe

/// Unary gRPC calls answered in the gateway's process: the same answers as the gRPC server's.
@Suite("gRPC answered in process")
struct GRPCInProcessTests {
    static func frame(_ bytes: [UInt8], compressed: Bool = false) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt8(compressed ? 1 : 0))
        b.writeInteger(UInt32(bytes.count))
        b.writeBytes(bytes)
        return b
    }

    @Test("one plain message is taken; compressed, cut short or several are left to the gRPC server")
    func frames() {
        #expect(GRPCInProcess.message(Self.frame([8, 1])) == [8, 1])
        #expect(GRPCInProcess.message(Self.frame([])) == [])
        #expect(GRPCInProcess.message(Self.frame([8, 1], compressed: true)) == nil)
        var two = Self.frame([8, 1])
        var second = Self.frame([8, 1])
        two.writeBuffer(&second)
        #expect(GRPCInProcess.message(two) == nil)
        #expect(GRPCInProcess.message(ByteBuffer(bytes: [0, 0, 0, 0])) == nil)
        #expect(GRPCInProcess.message(ByteBuffer(bytes: [0, 0, 0, 0, 5, 1])) == nil)
    }

    @Test("statuses and messages as grpc-swift's server gives them")
    func statuses() async throws {
        let service = GRPCInferenceService(models: [DoublingModel(name: "m")], limits: .init())
        let live = await GRPCInProcess.call(service, path: "/inference.GRPCInferenceService/ServerLive", message: [])
        #expect(live.status == 0)
        #expect(Array(live.body.readableBytesView) == [0, 0, 0, 0, 2, 0x08, 0x01])
        let missing = await GRPCInProcess.call(
            service, path: "/inference.GRPCInferenceService/ModelReady", message: [0x0A, 4] + Array("nope".utf8))
        #expect(missing.status == 5)
        #expect(missing.message == "Model with name nope does not exist.")
        #expect(missing.body.readableBytes == 0)
        let unknown = await GRPCInProcess.call(service, path: "/inference.GRPCInferenceService/Stream", message: [])
        #expect(unknown.status == 12)
        #expect(unknown.message == "Requested RPC isn't implemented by this server.")
        let garbage = await GRPCInProcess.call(service, path: "/inference.GRPCInferenceService/ModelReady", message: [0x0A, 40, 1])
        #expect(garbage.status == 3)
        #expect(garbage.message == "Can't deserialize to message of type Inference_ModelReadyRequest.")
        let load = await GRPCInProcess.call(service, path: "/inference.GRPCInferenceService/RepositoryModelLoad", message: [])
        #expect(load.status == 12)
    }
}
