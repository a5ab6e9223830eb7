import CouponCore
import CouponStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The two stores every store test runs on: a real SQLite file, and a real PostgreSQL database
/// of its own on the throwaway cluster `scripts/with-postgres` starts (scripts/test does).
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

public enum TestStores {
    /// A fresh, empty database on the test cluster.
    /// - Throws: when `COUPON_TEST_POSTGRES` is not set: PostgreSQL tests need the cluster.
    public static func newPostgresDatabase(poolSize: Int = 6) async throws -> PostgresLocation {
        guard let url = ProcessInfo.processInfo.environment["COUPON_TEST_POSTGRES"] else {
            throw MissingCluster()
        }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let location = try PostgresLocation(url: url, poolSize: poolSize).database(name)
        _ = try await PostgresCouponStore.createDatabase(location)
        return location
    }

    /// A new store of `kind` in a database of its own.
    public static func make(
        _ kind: StoreKind, hasher: CodeHasher, maxBalance: Int64? = nil, phoneStates: PhoneStates? = nil
    ) async throws -> any CouponStore {
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("coupons.sqlite").path
            return try SQLiteCouponStore(
                path: path, hasher: hasher, maxBalance: maxBalance ?? Limits().maxBalance, phoneStates: phoneStates)
        case .postgres:
            let location = try await newPostgresDatabase()
            // The contention tests queue dozens of sales on one coupon's lock behind six
            // connections while every other suite runs too: on two loaded cores that queue can
            // outlast a request's 5 s, which is the server's choice, not what these tests test.
            return try await PostgresCouponStore(
                location: location, hasher: hasher, maxBalance: maxBalance ?? Limits().maxBalance,
                leaseTimeout: .seconds(60), phoneStates: phoneStates)
        }
    }

    public struct MissingCluster: Error, CustomStringConvertible {
        public var description: String {
            "COUPON_TEST_POSTGRES is not set: run the tests with scripts/test, or under scripts/with-postgres"
        }
    }
}

/// A local port with no listener (bound once to learn a free number, then closed).
public enum RawPort {
    public static func unused() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PortError() }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw PortError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct PortError: Error {}
}
