// The patent's first embodiment on the wire: a coupon whose balance travels back to the phone,
// signed by the provider (docs/api.md, "Balance on the phone").

/// A phone-balance coupon's signed state: what its QR carries after the code (`CODE.TOKEN`).
/// Not a secret: it holds no code.
public struct PhoneStateBody: Codable, Sendable, Equatable {
    /// Rises with every change of the coupon; the higher of two states is the newer.
    public var sequence: Int
    /// The signed state as QR-friendly text (base32 of the 44-byte state and its Ed25519 signature).
    public var token: String
    /// The available balance the state carries.
    public var balance: Amount
    public var signedAt: String
    public var keyID: String

    enum CodingKeys: String, CodingKey {
        case sequence, token, balance
        case signedAt = "signed_at"
        case keyID = "key_id"
    }

    public init(sequence: Int, token: String, balance: Amount, signedAt: String, keyID: String) {
        self.sequence = sequence
        self.token = token
        self.balance = balance
        self.signedAt = signedAt
        self.keyID = keyID
    }
}

/// One of the provider's state keys: tills verify states with the public key.
public struct PublicKeyInfo: Codable, Sendable, Equatable {
    public var id: String
    /// The Ed25519 public key, base64 of its 32 bytes.
    public var publicKey: String
    /// `active` (signs), `valid` (its states still verify) or `retired` (its states are refused).
    public var status: String

    enum CodingKeys: String, CodingKey {
        case id, status
        case publicKey = "public_key"
    }

    public init(id: String, publicKey: String, status: String) {
        self.id = id
        self.publicKey = publicKey
        self.status = status
    }
}

/// `GET /v1/public/keys`: the state keys, and the provider's clock (a till checks its own by it).
public struct PublicKeys: Codable, Sendable, Equatable {
    public var keys: [PublicKeyInfo]
    public var serverTime: String

    enum CodingKeys: String, CodingKey {
        case keys
        case serverTime = "server_time"
    }

    public init(keys: [PublicKeyInfo], serverTime: String) {
        self.keys = keys
        self.serverTime = serverTime
    }
}

/// `POST /v1/outbox/claim`: up to `limit` pending messages, each kept from other deliverers for
/// `lease_seconds`.
public struct OutboxClaimBody: Codable, Sendable, Equatable {
    public var limit: Int?
    public var leaseSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case limit
        case leaseSeconds = "lease_seconds"
    }

    public init(limit: Int? = nil, leaseSeconds: Int? = nil) {
        self.limit = limit
        self.leaseSeconds = leaseSeconds
    }
}

/// A message for a phone-balance coupon's phone: its new state, and its code (so the phone gets
/// a new QR). Only admins see it, once per claim.
public struct OutboxMessageBody: Codable, Sendable, Equatable {
    public var id: String
    public var couponID: String
    public var code: String
    public var qrPayload: String
    public var phoneState: PhoneStateBody
    public var expiresAt: String?
    public var phone: String?
    public var campaign: String?
    public var createdAt: String
    /// Earlier claims of this message whose delivery was not confirmed.
    public var attempts: Int

    enum CodingKeys: String, CodingKey {
        case id, code, phone, campaign, attempts
        case couponID = "coupon_id"
        case qrPayload = "qr_payload"
        case phoneState = "phone_state"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }

    public init(
        id: String, couponID: String, code: String, qrPayload: String, phoneState: PhoneStateBody,
        expiresAt: String? = nil, phone: String? = nil, campaign: String? = nil, createdAt: String, attempts: Int
    ) {
        self.id = id
        self.couponID = couponID
        self.code = code
        self.qrPayload = qrPayload
        self.phoneState = phoneState
        self.expiresAt = expiresAt
        self.phone = phone
        self.campaign = campaign
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// The answer to a claim.
public struct OutboxMessages: Codable, Sendable, Equatable {
    public var messages: [OutboxMessageBody]

    public init(messages: [OutboxMessageBody]) {
        self.messages = messages
    }
}

/// `POST /v1/outbox/delivered`: the messages that reached their phones.
public struct OutboxDeliveredBody: Codable, Sendable, Equatable {
    public var ids: [String]

    public init(ids: [String]) {
        self.ids = ids
    }
}

/// The answer to `POST /v1/outbox/delivered` and `GET /v1/outbox`.
public struct OutboxStatus: Codable, Sendable, Equatable {
    /// Messages marked delivered by this call (0 for a repeat, and for `GET`).
    public var delivered: Int
    /// Messages still waiting.
    public var pending: Int

    public init(delivered: Int, pending: Int) {
        self.delivered = delivered
        self.pending = pending
    }
}

/// What the outbox webhook receives for each message: the message (with the coupon's code and its
/// new QR link), the MMS-style MIME message and the SMS, as `couponctl outbox deliver` writes
/// them. Signed in the `Coupon-Signature` header (docs/api.md).
public struct OutboxWebhookBody: Codable, Sendable, Equatable {
    public var message: OutboxMessageBody
    /// The MMS-style MIME message (multipart/related: SMIL, text, the QR as PNG).
    public var mms: String
    public var sms: SMSBody

    public init(message: OutboxMessageBody, mms: String, sms: SMSBody) {
        self.message = message
        self.mms = mms
        self.sms = sms
    }
}

/// An SMS: its text, `GSM-7` or `UCS-2`, and how many segments it takes.
public struct SMSBody: Codable, Sendable, Equatable {
    public var text: String
    public var encoding: String
    public var segments: Int

    public init(text: String, encoding: String, segments: Int) {
        self.text = text
        self.encoding = encoding
        self.segments = segments
    }
}
