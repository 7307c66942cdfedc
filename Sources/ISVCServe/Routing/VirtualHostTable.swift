/// A listener's virtual hosts by domain, searched in Envoy's order: an exact domain first, then the
/// longest suffix wildcard (`*.example.com`), then the longest prefix wildcard (`models.*`), then
/// `*`. Hosts compare without case and without a port (`ignore_port_in_host_matching`).
struct VirtualHostTable: Sendable {
    private var exact: [String: Int] = [:]
    private var suffixes: [(suffix: String, index: Int)] = []
    private var prefixes: [(prefix: String, index: Int)] = []
    private var any: Int?

    /// `domains[i]` are the domains of virtual host `i`; the first virtual host to list a domain has it.
    init(domains: [[String]]) {
        for (index, list) in domains.enumerated() {
            for domain in list.map({ $0.lowercased() }) {
                if domain == "*" {
                    if any == nil { any = index }
                } else if domain.hasPrefix("*") {
                    suffixes.append((String(domain.dropFirst()), index))
                } else if domain.hasSuffix("*") {
                    prefixes.append((String(domain.dropLast()), index))
                } else if exact[domain] == nil {
                    exact[domain] = index
                }
            }
        }
        // Longest first; for equal lengths the earlier virtual host (a stable sort keeps the order).
        suffixes = suffixes.enumerated().sorted { ($0.element.suffix.count, -$0.offset) > ($1.element.suffix.count, -$1.offset) }.map(
            \.element)
        prefixes = prefixes.enumerated().sorted { ($0.element.prefix.count, -$0.offset) > ($1.element.prefix.count, -$1.offset) }.map(
            \.element)
    }

    /// The virtual host for a Host header value, if any.
    func lookup(_ host: String) -> Int? {
        let name = Self.normalized(host)
        if let i = exact[name] { return i }
        // A wildcard stands for at least one character.
        if let hit = suffixes.first(where: { name.count > $0.suffix.count && name.hasSuffix($0.suffix) }) { return hit.index }
        if let hit = prefixes.first(where: { name.count > $0.prefix.count && name.hasPrefix($0.prefix) }) { return hit.index }
        return any
    }

    /// Lower case, without a port (`host:8080`; an IPv6 literal keeps its brackets).
    static func normalized(_ host: String) -> String {
        var name = host
        if name.utf8.contains(UInt8(ascii: ":")), let colon = name.lastIndex(of: ":"), !name.hasSuffix("]"),
            Int(name[name.index(after: colon)...]) != nil
        {
            name = String(name[..<colon])
        }
        return name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? name.lowercased() : name
    }
}
