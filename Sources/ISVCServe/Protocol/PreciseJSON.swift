import Foundation

/// JSON parsed with numbers exactly as Python reads them. Foundation's JSONSerialization on Linux
/// rounds about one decimal number in five to a neighbouring Double (e.g. 0.15785200061051796 becomes
/// 0.1578520006105179), which can move a feature across a tree's threshold; JSONDecoder parses exactly.
/// The result has JSONSerialization's shapes: [String: Any], [Any], NSNumber, String, NSNull.
enum PreciseJSON {
    static func parse(_ data: Data) throws -> Any {
        try JSONDecoder().decode(Node.self, from: data).value
    }

    private struct Node: Decodable {
        let value: Any

        private struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            if var array = try? decoder.unkeyedContainer() {
                var items: [Any] = []
                if let n = array.count { items.reserveCapacity(n) }
                while !array.isAtEnd { items.append(try array.decode(Node.self).value) }
                value = items
                return
            }
            if let object = try? decoder.container(keyedBy: Key.self) {
                var dict: [String: Any] = [:]
                for key in object.allKeys { dict[key.stringValue] = try object.decode(Node.self, forKey: key).value }
                value = dict
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = NSNull()
            } else if let d = try? single.decode(Double.self) {
                // Integral values within 2^53 as integers, as JSONSerialization gives "3".
                if d.rounded() == d, abs(d) < 9_007_199_254_740_992 { value = NSNumber(value: Int64(d)) } else { value = NSNumber(value: d) }
            } else if let b = try? single.decode(Bool.self) {
                value = NSNumber(value: b)
            } else {
                value = try single.decode(String.self)
            }
        }
    }
}
