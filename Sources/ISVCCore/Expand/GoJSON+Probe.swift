/// Go's `encoding/json` for the few structs whose exact bytes matter, written into strings of the
/// objects the controllers make: struct fields in the Go type's order, `omitempty` zero values left
/// out, strings escaped as Go does (`GoJSON.quote`).
extension GoJSON {
    /// A corev1.Probe: handler first (exec, httpGet, tcpSocket, grpc), then the timing fields.
    static func probe(_ p: Value) -> String {
        var parts: [String] = []
        if let e = p["exec"] {
            let command = e["command"]?.array ?? []
            parts.append("\"exec\":{" + (command.isEmpty ? "" : "\"command\":[" + command.map(scalar).joined(separator: ",") + "]") + "}")
        }
        if let h = p["httpGet"] {
            var f: [String] = []
            if let path = h["path"]?.string { f.append("\"path\":" + quote(path)) }
            f.append("\"port\":" + scalar(h["port"] ?? 0))
            if let host = h["host"]?.string { f.append("\"host\":" + quote(host)) }
            if let scheme = h["scheme"]?.string { f.append("\"scheme\":" + quote(scheme)) }
            if let headers = h["httpHeaders"]?.array, !headers.isEmpty {
                let each = headers.map {
                    "{\"name\":" + quote($0["name"]?.string ?? "") + ",\"value\":" + quote($0["value"]?.string ?? "") + "}"
                }
                f.append("\"httpHeaders\":[" + each.joined(separator: ",") + "]")
            }
            parts.append("\"httpGet\":{" + f.joined(separator: ",") + "}")
        }
        if let t = p["tcpSocket"] {
            var f = ["\"port\":" + scalar(t["port"] ?? 0)]
            if let host = t["host"]?.string { f.append("\"host\":" + quote(host)) }
            parts.append("\"tcpSocket\":{" + f.joined(separator: ",") + "}")
        }
        if let g = p["grpc"] {
            var f = ["\"port\":" + scalar(g["port"] ?? 0)]
            if let service = g["service"]?.string { f.append("\"service\":" + quote(service)) }
            parts.append("\"grpc\":{" + f.joined(separator: ",") + "}")
        }
        for k in [
            "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
            "terminationGracePeriodSeconds",
        ] {
            if let v = p[k]?.int, v != 0 { parts.append("\"\(k)\":\(v)") }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A probe as the API server holds it once defaulted (`SetDefaults_Probe`, `SetDefaults_HTTPGetAction`):
    /// timeout 1, period 10, success 1, failure 3 when unset or 0; an httpGet's path `/` and scheme HTTP.
    static func defaulted(_ probe: Value) -> Value {
        var p = probe
        for (key, value) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)]
        where (p[key]?.int ?? 0) == 0 {
            p[key] = .int(value)
        }
        if p["httpGet"] != nil {
            if (p[path: ["httpGet", "path"]]?.string ?? "").isEmpty { p[path: ["httpGet", "path"]] = "/" }
            if (p[path: ["httpGet", "scheme"]]?.string ?? "").isEmpty { p[path: ["httpGet", "scheme"]] = "HTTP" }
        }
        return p
    }

    static func scalar(_ v: Value) -> String {
        if case .string(let s) = v { return quote(s) }
        return JSONWriter.compact(v)
    }
}
