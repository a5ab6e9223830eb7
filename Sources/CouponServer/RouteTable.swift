import HTTPTypes
import Hummingbird
import Synchronization

/// The routes the router knows, by path pattern, so a known path asked with the wrong method is
/// answered 405 with `Allow` instead of the router's 404. Filled once the routes are registered.
final class RouteTable: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: [String])]>([])

    /// Records the router's routes (`/v1/coupons/{id}`, its methods).
    func load(_ routes: [(path: String, method: String)]) {
        var grouped: [String: [String]] = [:]
        for route in routes { grouped[route.path, default: []].append(route.method) }
        let table = grouped.map { (Self.segments($0.key), $0.value.sorted()) }
        patterns.withLock { $0 = table }
    }

    /// The methods `path` allows, or empty when no route has that path.
    func methods(for path: String) -> [String] {
        let asked = Self.segments(path)
        return patterns.withLock { patterns in
            patterns.first { pattern in
                pattern.segments.count == asked.count
                    && zip(pattern.segments, asked).allSatisfy { Self.isCapture($0) || $0 == $1 }
            }?.methods ?? []
        }
    }

    /// `{id}` (how Hummingbird describes `:id`), `:id` or `*`.
    private static func isCapture(_ segment: Substring) -> Bool {
        segment.hasPrefix("{") || segment.hasPrefix(":") || segment == "*"
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
