import NIOCore

/// How long a connection may take, and how many may wait: the defence against clients that open
/// connections and hold them (docs/operations.md lists every value).
public struct ConnectionLimits: Sendable {
    /// A new connection must send a whole request header (after its TLS handshake) within this
    /// time, or it gets 408 and is closed (`COUPON_HEADER_TIMEOUT`, seconds).
    public var headerTimeout: TimeAmount = .seconds(10)
    /// A keep-alive connection with no request for this long is closed (`COUPON_IDLE_TIMEOUT`).
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Connections that have not yet sent a whole header. When this many wait, the oldest is
    /// closed to make room, so a client that sends its request at once is always heard
    /// (`COUPON_MAX_PENDING_CONNECTIONS`).
    public var maxPending = 1000
    /// Open connections in all; past it, new ones wait in the listen backlog. Capped at start to
    /// the descriptor limit less ``descriptorReserve`` (`COUPON_MAX_CONNECTIONS`).
    public var maxConnections = 10_000
    /// Descriptors kept for the database, its WAL, backups and logs (`COUPON_DESCRIPTOR_RESERVE`).
    public var descriptorReserve = 256

    public init() {}
}
