import ISVCCore
import Testing

@testable import ISVCServe

/// How a container's command and args become a local process.
@Suite("Process replica launch")
struct ProcessLaunchTests {
    static func launch(_ args: [String], env: [Value] = [], userPort: Int = 8080) -> ProcessReplica.Launch? {
        let container: Value = ["command": ["python3", "server.py"], "args": .array(args.map { .string($0) }), "env": .array(env)]
        return ProcessReplica.launch(
            container: container, userPort: userPort, localPort: 41000, modelMountPath: "/mnt/models",
            modelDirectory: "/tmp/w/models", predictorAddress: { $0 == "m-predictor.default" ? "127.0.0.1:42000" : nil },
            grpcPort: { 43000 })
    }

    @Test("KServe's flags point at local values: ports, model directory, predictor address, $(VAR)")
    func kserveFlags() throws {
        let l = try #require(
            Self.launch(
                [
                    "--model_name=m", "--model_dir=/mnt/models/v1", "--http_port", "8080",
                    "--predictor_host", "m-predictor.default", "--name=$(NAME)",
                ],
                env: [["name": "NAME", "value": "x"]]))
        #expect(l.executable == "python3")
        #expect(
            l.arguments == [
                "server.py", "--model_name=m", "--model_dir=/tmp/w/models/v1", "--http_port", "41000",
                "--predictor_host", "127.0.0.1:42000", "--name=x", "--grpc_port=43000",
            ])
        #expect(l.environment["PORT"] == "41000")
    }

    @Test("an explicit --grpc_port is replaced; a server without KServe's flags gets none added")
    func grpcPort() throws {
        #expect(
            try #require(Self.launch(["--http_port=8080", "--grpc_port", "8081"])).arguments
                == ["server.py", "--http_port=41000", "--grpc_port", "43000"])
        #expect(try #require(Self.launch(["--port", "8080"])).arguments == ["server.py", "--port", "41000"])
        // An h2c revision whose port is the gRPC one: gRPC on the replica's port, REST on its own.
        #expect(
            try #require(Self.launch(["--http_port", "8080", "--grpc_port=8081"], userPort: 8081)).arguments
                == ["server.py", "--http_port", "43000", "--grpc_port=41000"])
        #expect(
            try #require(Self.launch(["--grpc_port", "8081"], userPort: 8081)).arguments
                == ["server.py", "--grpc_port", "41000", "--http_port=43000"])
        #expect(
            ProcessReplica.launch(
                container: ["image": "x"], userPort: 8080, localPort: 1, modelMountPath: "/mnt/models",
                modelDirectory: "/m", predictorAddress: { _ in nil }) == nil)
    }
}
