/// A container's probe as the API server holds it (defaulted) and Go's `encoding/json` writes it:
/// the agent receives the model server's readiness probe this way in `SERVING_READINESS_PROBE`.
/// Fields in `corev1.Probe`'s declaration order, zero values left out, strings escaped as Go does.
enum GoProbeJSON {
    static func encode(_ probe: Value) -> String {
        var fields: [String] = []
        if let exec = probe["exec"] {
            let command = exec["command"]?.array?.compactMap(\.string) ?? []
            fields.append(#""exec":{"# + (command.isEmpty ? "" : #""command":["# + command.map(string).joined(separator: ",") + "]") + "}")
        }
        if let get = probe["httpGet"] {
            var http = [#""path":"# + string(get["path"]?.string ?? "/"), #""port":"# + port(get["port"])]
            if let host = get["host"]?.string, !host.isEmpty { http.append(#""host":"# + string(host)) }
            http.append(#""scheme":"# + string(get["scheme"]?.string ?? "HTTP"))
            let headers = (get["httpHeaders"]?.array ?? []).map { h in
                #"{"name":"# + string(h["name"]?.string ?? "") + #","value":"# + string(h["value"]?.string ?? "") + "}"
            }
            if !headers.isEmpty { http.append(#""httpHeaders":["# + headers.joined(separator: ",") + "]") }
            fields.append(#""httpGet":{"# + http.joined(separator: ",") + "}")
        }
        if let tcp = probe["tcpSocket"] {
            var socket = [#""port":"# + port(tcp["port"])]
            if let host = tcp["host"]?.string, !host.isEmpty { socket.append(#""host":"# + string(host)) }
            fields.append(#""tcpSocket":{"# + socket.joined(separator: ",") + "}")
        }
        if let grpc = probe["grpc"] {
            var g = [#""port":"# + String(grpc["port"]?.int ?? 0)]
            if let service = grpc["service"]?.string { g.append(#""service":"# + string(service)) }
            fields.append(#""grpc":{"# + g.joined(separator: ",") + "}")
        }
        // SetDefaults_Probe: timeout 1, period 10, success 1, failure 3 when unset (or 0).
        for (key, fallback) in [
            ("initialDelaySeconds", 0), ("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
            ("failureThreshold", 3), ("terminationGracePeriodSeconds", 0),
        ] {
            let value = probe[key]?.int.flatMap { $0 == 0 ? nil : $0 } ?? fallback
            if value != 0 { fields.append("\"\(key)\":\(value)") }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// An IntOrString: a number, or a quoted port name.
    static func port(_ value: Value?) -> String {
        if let n = value?.int { return String(n) }
        return string(value?.string ?? "")
    }

    /// A JSON string as Go writes it: `<`, `>` and `&` escaped for HTML, and U+2028, U+2029.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            case _ where scalar.value < 0x20:
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
