import Foundation
import Testing

@testable import ISVCCore

@Suite("Expansion details")
struct ExpandTests {
    @Test("UUIDv5 matches RFC 4122's construction")
    func uuid5() {
        let dns: [UInt8] = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        #expect(UUIDv5.format(UUIDv5.bytes(namespace: dns, name: "www.example.com")) == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test("kmeta.ChildName keeps short names and shortens long ones to 63 characters")
    func childName() {
        #expect(ChildName.make("hello", "-00001") == "hello-00001")
        let long = String(repeating: "a", count: 60)
        let name = ChildName.make(long, "-deployment")
        #expect(name.count == 63)
        #expect(name.hasSuffix("-deployment"))
        #expect(name == ChildName.make(long, "-deployment"))
    }

    /// The K-Network-Hash of Knative's networking: SHA-256 of the KIngress spec's Go JSON plus
    /// namespace and name. Expected values from a reimplementation checked against networking's
    /// TestInsertProbe vectors (route hello, namespace default, one revision).
    @Test("K-Network-Hash is computed over the spec exactly as net-istio computes it")
    func networkHash() {
        var config = ClusterConfig()
        let networking = KnativeNetworking(config: config)
        let groups = [TrafficGroup(tag: "", splits: [(revision: "hello-00001", percent: 100)], latest: nil)]
        let external = networking.rules(route: "hello", namespace: "default", labels: [:], groups: groups)
        #expect(
            networking.networkHash(external, namespace: "default", name: "hello", port: 80)
                == "0878975ddb3e11427b140f810d15eb3cc2993d744e2f689514280dd8e43b24c5")
        config.domains = [("svc.cluster.local", [:])]
        let local = KnativeNetworking(config: config).rules(route: "hello", namespace: "default", labels: [:], groups: groups)
        #expect(
            networking.networkHash(local, namespace: "default", name: "hello", port: 80)
                == "4f11e083169bb43d5b06140d153f36c4a19cddb6a75c0cfa7a16866d1ef14536")
    }

    @Test("the domain is picked by the most specific matching selector")
    func domains() {
        var config = ClusterConfig()
        config.domains = [("example.com", [:]), ("team.example.com", ["team": "a"]), ("prod.example.com", ["team": "a", "env": "prod"])]
        let n = KnativeNetworking(config: config)
        #expect(n.domain(forLabels: [:]) == "example.com")
        #expect(n.domain(forLabels: ["team": "a"]) == "team.example.com")
        #expect(n.domain(forLabels: ["team": "a", "env": "prod"]) == "prod.example.com")
        #expect(n.isClusterLocal(labels: [Keys.visibility: "cluster-local"]))
    }

    @Test("KServe's top-level host drops the first -predictor, and keeps it in namespaces with -default (upstream issue 4021)")
    func serviceHost() {
        #expect(
            KServeObjects.serviceHost(componentHost: "iris-predictor.default.example.com", kind: .predictor) == "iris.default.example.com")
        #expect(
            KServeObjects.serviceHost(componentHost: "iris-predictor.team-default.example.com", kind: .predictor)
                == "iris-predictor.team-default.example.com")
        #expect(KServeObjects.hostRegExp("a.b-c.com") == "^a\\.b-c\\.com(?::\\d{1,5})?$")
    }

    @Test("traffic with a tag is flattened into a default group and a tag group")
    func trafficGroups() {
        let groups = KnativeNetworking.groups(
            traffic: [["latestRevision": true, "percent": 100, "tag": "latest"]],
            configuration: "c", latest: "c-00001")
        #expect(groups.map(\.tag) == ["", "latest"])
        #expect(
            KnativeNetworking.rolloutJSON(groups)
                == #"{"configurations":[{"configurationName":"c","percent":100,"revisions":[{"revisionName":"c-00001","percent":100}],"stepParams":{}},{"configurationName":"c","tag":"latest","percent":100,"revisions":[{"revisionName":"c-00001","percent":100}],"stepParams":{}}]}"#
        )
    }

    @Test("a runtime's args are concatenated with the model's, env merged by name")
    func containerMerge() {
        let merged = ContainerMerge.merge(
            runtime: ["args": ["--a"], "env": [["name": "X", "value": "1"]], "resources": ["limits": ["cpu": "1", "memory": "2Gi"]]],
            isvc: [
                "args": ["--b"], "env": [["name": "X", "value": "2"], ["name": "Y", "value": "3"]],
                "resources": ["limits": ["memory": "4Gi"]],
            ])
        #expect(merged["args"] == ["--a", "--b"])
        #expect(merged["env"] == [["name": "X", "value": "2"], ["name": "Y", "value": "3"]])
        #expect(merged["resources"] == ["limits": ["cpu": "1", "memory": "4Gi"]])
    }

    @Test("runtime templates expand the isvc's metadata")
    func template() {
        let v = RuntimeTemplate.render(
            ["--model_name={{.Name}}", "--ns={{ .Namespace }}", "{{.Annotations.modelFormat}}", "{{.Labels.x}}"],
            name: "m", namespace: "n", labels: ["x": "y"], annotations: ["modelFormat": "sklearn"])
        #expect(v == ["--model_name=m", "--ns=n", "sklearn", "y"])
        #expect(ImageTag.replacing("kserve/sklearnserver:v0.20.0", with: "v0.19.0") == "kserve/sklearnserver:v0.19.0")
        #expect(ImageTag.replacing("localhost:5000/img", with: "1") == "localhost:5000/img:1")
        #expect(ImageTag.replacing("img@sha256:abc", with: "1") == "img@sha256:abc")
    }
}
