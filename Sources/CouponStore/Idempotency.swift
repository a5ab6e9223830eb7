/// An `Idempotency-Key` as the store keeps it: scoped to the caller (a station's keys never meet
/// another station's), with a hash of the request it first came with.
public struct IdempotencyKey: Sendable, Hashable {
    public var scope: String
    public var key: String
    /// A hash of method, path and body: the same key with another request is refused.
    public var requestHash: String

    public init(scope: String, key: String, requestHash: String) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
    }
}

/// A response exactly as first sent, replayed for a retry.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// The result of an idempotent operation: done now, or done before and replayed.
public enum Idempotent<Value: Sendable>: Sendable {
    case fresh(Value, StoredResponse)
    case replay(StoredResponse)

    public var response: StoredResponse {
        switch self {
        case .fresh(_, let response), .replay(let response): response
        }
    }
}

/// The same idempotency key came with a different request.
public struct IdempotencyKeyReused: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "this Idempotency-Key was used before with a different request" }
}

/// The answer stored under this idempotency key was sealed with another server secret (the
/// secret was replaced since), so it cannot be replayed; nothing was done again either.
public struct IdempotencyReplayUnreadable: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String {
        "the answer first sent under this Idempotency-Key was sealed with another server secret and cannot be replayed"
    }
}
