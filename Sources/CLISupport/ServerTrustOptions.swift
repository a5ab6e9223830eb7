import ArgumentParser
import CouponCore

/// How a front end trusts the provider: the system's CA store or one CA file, and whether plain
/// `http://` off this machine is allowed. Shared by `coupon-station` and `couponctl`.
public struct ServerTrustOptions: ParsableArguments {
    @Option(help: "PEM CA the server's certificate must chain to, instead of the system's (env COUPON_CA_FILE).")
    public var ca: String?
    @Flag(
        name: .customLong("allow-http"),
        help: "Allow plain http:// to a server off this machine (env COUPON_ALLOW_HTTP=1).")
    public var allowHTTP = false

    public init() {}

    /// `server` checked by ``ServerURL``, and the CA file, from these flags or the settings
    /// `COUPON_CA_FILE` and `COUPON_ALLOW_HTTP`. Several servers of one provider are given
    /// separated by commas (`https://a.example,https://b.example`): each is checked, and the
    /// answer keeps them in that order, comma-separated, for the client's failover.
    public func resolve(server: String, values: [String: String]) throws(ServerURLError) -> (
        url: String, caFile: String?
    ) {
        let allow = allowHTTP || values["COUPON_ALLOW_HTTP"] == "1"
        var urls: [String] = []
        for part in server.split(separator: ",", omittingEmptySubsequences: false) {
            urls.append(try ServerURL.check(part.trimmingCharacters(in: .whitespaces), allowHTTP: allow))
        }
        return (urls.joined(separator: ","), ca ?? values["COUPON_CA_FILE"])
    }
}
