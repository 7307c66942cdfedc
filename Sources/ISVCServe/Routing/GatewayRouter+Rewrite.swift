import Foundation
import ISVCCore

extension GatewayRouter {
    /// A route's URI rewrite as Envoy applies it: `prefix_rewrite` replaces the part the route's
    /// `prefix` matched (the whole path for a `path` match), `regex_rewrite` substitutes every match of
    /// its pattern in the path; the query string is kept either way.
    static func rewrite(_ pathAndQuery: String, action: Envoy.RouteAction, match: Envoy.RouteMatch) -> String {
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(parts.first ?? "")
        let query = parts.count > 1 ? "?" + parts[1] : ""
        if let prefix = action.prefixRewrite {
            switch match.path {
            case .prefix(let matched) where path.hasPrefix(matched): path = prefix + path.dropFirst(matched.count)
            case .pathSeparatedPrefix(let matched) where path.hasPrefix(matched): path = prefix + path.dropFirst(matched.count)
            case .path: path = prefix
            default: break
            }
        }
        if let rewrite = action.regexRewrite, let regex = try? NSRegularExpression(pattern: rewrite.pattern) {
            path = regex.stringByReplacingMatches(
                in: path, range: NSRange(path.startIndex..., in: path),
                withTemplate: template(rewrite.substitution))
        }
        return path + query
    }

    /// RE2 substitutions name groups `\1`; NSRegularExpression templates use `$1` (and `$` must be escaped).
    static func template(_ substitution: String) -> String {
        var out = ""
        var chars = substitution.makeIterator()
        while let c = chars.next() {
            switch c {
            case "$": out += "\\$"
            case "\\":
                if let n = chars.next() { out += n.isNumber ? "$\(n)" : (n == "\\" ? "\\\\" : String(n)) }
            default: out.append(c)
            }
        }
        return out
    }
}
