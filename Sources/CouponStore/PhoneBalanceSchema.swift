/// The tables of phone-balance coupons, the same on both stores but for their types.
///
/// A coupon carrying its balance on the phone (`on_phone`) keeps its newest signed state
/// (`state_seq`, `state_token`) and its code sealed (`sealed_code`, AES-GCM under a key derived
/// from the code-hash secret, which lives outside the database), so the provider can send the
/// next QR while a backup alone still holds no code. The outbox holds one row per change to such
/// a coupon; it holds no code itself (the code is joined from the coupon, opened only when the
/// row is claimed for delivery). A newer row supersedes a pending older one: a phone needs only
/// its newest state.
enum PhoneBalanceSchema {
    static let sqlite = """
        ALTER TABLE coupons ADD COLUMN on_phone INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE coupons ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE coupons ADD COLUMN state_token TEXT;
        ALTER TABLE coupons ADD COLUMN sealed_code BLOB;
        \(outbox(blob: "BLOB", integer: "INTEGER"))
        """

    static let postgres = """
        ALTER TABLE coupons ADD COLUMN on_phone BOOLEAN NOT NULL DEFAULT false;
        ALTER TABLE coupons ADD COLUMN state_seq BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE coupons ADD COLUMN state_token TEXT;
        ALTER TABLE coupons ADD COLUMN sealed_code BYTEA;
        \(outbox(blob: "BYTEA", integer: "BIGINT"))
        """

    static func outbox(blob: String, integer: String) -> String {
        """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            coupon_id TEXT NOT NULL REFERENCES coupons(id),
            sequence \(integer) NOT NULL,
            state_token TEXT NOT NULL,
            balance \(integer) NOT NULL,
            currency TEXT NOT NULL,
            expires_at \(integer),
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'superseded')),
            attempts \(integer) NOT NULL DEFAULT 0,
            claimed_until \(integer) NOT NULL DEFAULT 0,
            created_at \(integer) NOT NULL,
            delivered_at \(integer)
        );
        CREATE INDEX outbox_pending ON outbox(created_at) WHERE status = 'pending';
        CREATE INDEX outbox_by_coupon ON outbox(coupon_id) WHERE status = 'pending';
        """
    }
}
