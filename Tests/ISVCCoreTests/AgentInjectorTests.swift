import Testing

@testable import ISVCCore

/// KServe's agent injection, on the scenarios of kserve's agent_injector_test.go that a fixture cannot
/// show alone (the fixtures agent-logger-batcher and standard-agent-logger show whole objects).
@Suite("Agent sidecar injection")
struct AgentInjectorTests {
    @Test("the readiness probe reaches the agent as Go's encoding/json writes a defaulted corev1.Probe")
    func probeJSON() {
        // "AddAgentWithHTTPGetReadinessProbe": the probe as the API server holds it.
        let probe: Value = [
            "httpGet": ["path": "/v1/health/ready", "port": 8080, "scheme": "HTTP"],
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
        ]
        #expect(
            GoJSON.probe(GoJSON.defaulted(probe))
                == #"{"httpGet":{"path":"/v1/health/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}"#
        )
        // Unset fields take the API server's defaults; a named port stays a string; Go escapes <, > and &.
        #expect(
            GoJSON.probe(GoJSON.defaulted(["tcpSocket": ["port": "http"]]))
                == #"{"tcpSocket":{"port":"http"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}"#)
        #expect(GoJSON.quote("a<b>&c\u{1}") == #""a\u003cb\u003e\u0026c\u0001""#)
        // httpHeaders: []HTTPHeader{name, value}, omitempty, each string as Go escapes it.
        let headers: Value = ["httpGet": ["port": 8080, "httpHeaders": [["name": "X-A", "value": "a<b"]]], "periodSeconds": 5]
        #expect(
            GoJSON.probe(headers) == #"{"httpGet":{"port":8080,"httpHeaders":[{"name":"X-A","value":"a\u003cb"}]},"periodSeconds":5}"#)
        #expect(GoJSON.probe(["httpGet": ["port": 8080, "httpHeaders": []]]) == #"{"httpGet":{"port":8080}}"#)
    }

    static func pod(_ containers: [Value]) -> [String: Value] { ["containers": .array(containers)] }

    @Test("with a transformer, the agent forwards to the transformer's port and takes its probe")
    func transformer() {
        var spec = Self.pod([
            ["name": "kserve-container", "ports": [["containerPort": 8085]]],
            [
                "name": "transformer-container", "ports": [["containerPort": 8090]],
                "readinessProbe": ["httpGet": ["path": "/ready", "port": 8090]],
            ],
        ])
        AgentInjector(config: ClusterConfig(), predictorLogger: nil)
            .inject(into: &spec, annotations: [Keys.batcherInternal: "true"], labels: [:], namespace: "default")
        let agent = spec["containers"]?.array?.last
        #expect(agent?["args"] == ["--enable-batcher", "--component-port", "8090"])
        #expect(agent?[path: ["readinessProbe", "httpGet", "path"]] == "/ready")
        #expect(agent?["env"]?.array?.first?["name"] == "SERVING_READINESS_PROBE")
    }

    @Test("no agent without the annotations, and none twice")
    func idempotent() {
        let injector = AgentInjector(config: ClusterConfig(), predictorLogger: nil)
        var plain = Self.pod([["name": "kserve-container"]])
        injector.inject(into: &plain, annotations: [:], labels: [:], namespace: "default")
        #expect(plain["containers"]?.array?.count == 1)
        var twice = Self.pod([["name": "kserve-container"], ["name": "agent"]])
        injector.inject(into: &twice, annotations: [Keys.loggerInternal: "true"], labels: [:], namespace: "default")
        #expect(twice["containers"]?.array?.count == 2)
    }

    @Test("the model puller mounts the model directory in the agent and the model server, and the model config in the agent")
    func puller() {
        var spec = Self.pod([["name": "kserve-container"]])
        let annotations = [
            Keys.agentInternal: "true", Keys.agentConfigVolumeName: "modelconfig-sk-0",
            Keys.agentConfigMountPath: "/mnt/configs", Keys.agentModelDir: "/mnt/models",
        ]
        AgentInjector(config: ClusterConfig(), predictorLogger: nil)
            .inject(into: &spec, annotations: annotations, labels: [:], namespace: "default")
        let containers = spec["containers"]?.array ?? []
        #expect(
            containers.last?["args"]
                == ["--enable-puller", "--config-dir", "/mnt/configs", "--model-dir", "/mnt/models", "--component-port", "8080"])
        #expect(containers.last?["volumeMounts"]?.array?.compactMap { $0["mountPath"]?.string } == ["/mnt/models", "/mnt/configs"])
        #expect(containers.first?["volumeMounts"]?.array?.compactMap { $0["mountPath"]?.string } == ["/mnt/models"])
        #expect(spec["volumes"]?.array?.compactMap { $0["name"]?.string } == ["model-dir", "model-config"])
    }
}
