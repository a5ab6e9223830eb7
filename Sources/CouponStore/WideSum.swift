import GRDB

/// Sums that cannot overflow: SQLite's `SUM` of 64-bit integers fails with "integer overflow"
/// (and would make a report answer 500 for ever, the ledger being append-only). Each value is
/// split into its high 32 bits (arithmetic shift, so negative values work) and its low 32 bits;
/// the two halves are summed apart, each safe for 2^31 rows, and joined in 128 bits.
///
/// ```swift
/// let sql = "SELECT currency, \(WideSum.sql("balance", as: "total")) FROM coupons GROUP BY currency"
/// let total = WideSum.value(row, "total")   // Int128
/// ```
enum WideSum {
    /// `SUM((expr) >> 32) AS name_hi, SUM((expr) & 4294967295) AS name_lo`.
    static func sql(_ expression: String, as name: String) -> String {
        "COALESCE(SUM((\(expression)) >> 32), 0) AS \(name)_hi, COALESCE(SUM((\(expression)) & 4294967295), 0) AS \(name)_lo"
    }

    /// The sum the two halves named `name` stand for.
    static func value(_ row: Row, _ name: String) -> Int128 {
        let high: Int64 = row[name + "_hi"] ?? 0
        let low: Int64 = row[name + "_lo"] ?? 0
        return Int128(high) << 32 + Int128(low)
    }
}
