import Hummingbird
import HummingbirdCore

extension FlatDictionary where Key == Substring, Value == Substring {
    /// The `limit` of a paged list: `fallback` when absent, else 1 to `max`; anything else (not a
    /// number, 0, too many) is `bad_limit`, never silently the default.
    func limit(default fallback: Int, max: Int) throws -> Int {
        guard let text = self["limit"] else { return fallback }
        guard let limit = Int(text), (1...max).contains(limit) else {
            throw APIError(.badRequest, .badLimit, "limit is 1 to \(max), not '\(text)'")
        }
        return limit
    }
}
