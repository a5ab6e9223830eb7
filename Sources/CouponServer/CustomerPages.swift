import Foundation
import HTTPTypes
import Hummingbird

/// What the customer's pages (`/c`, the QR's balance page, and `/b/{token}`, a receipt's) share:
/// their language, chosen by `Accept-Language` (Chinese or English), their headers (a Content
/// Security Policy without inline code: the script and the style sheet are files this server
/// serves), and those two files.
enum CustomerPages {
    enum Language: String {
        case en, zh

        /// The most preferred of Chinese and English in an `Accept-Language` header (q-values
        /// honoured); English when neither is named.
        init(acceptLanguage header: String?) {
            var best: (Language, Double)? = nil
            for part in (header ?? "").split(separator: ",") {
                let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let tag = fields.first else { continue }
                let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
                let language: Language? = tag.hasPrefix("zh") ? .zh : tag.hasPrefix("en") ? .en : nil
                if let language, q > 0, q > (best?.1 ?? -1) { best = (language, q) }
            }
            self = best?.0 ?? .en
        }

        var tag: String { self == .zh ? "zh-CN" : "en" }
    }

    /// The texts of both pages.
    struct Text {
        let language: Language
        func callAsFunction(_ en: String, _ zh: String) -> String { language == .zh ? zh : en }
    }

    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// A page's response: no caching (a balance changes), no referrer, no framing, no sniffing.
    static func page(_ html: String, language: Language) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: policy, HTTPField.Name("Referrer-Policy")!: "no-referrer",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff", .contentLanguage: language.tag,
                .vary: "Accept-Language",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func register(on router: Router<AppRequestContext>) {
        router.get("assets/balance.js") { _, _ in asset(script, type: "text/javascript; charset=utf-8") }
        router.get("assets/coupon.css") { _, _ in asset(style, type: "text/css; charset=utf-8") }
        // Browsers ask for an icon on every site; there is none (no content, not a 404 in their log).
        router.get("favicon.ico") { _, _ in Response(status: .noContent, headers: [.cacheControl: "public, max-age=86400"]) }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "public, max-age=3600",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The page a phone opens from a coupon's QR: the script reads the code from the fragment
    /// (which the browser never sends) and posts it; the messages come in the page's language.
    static func balancePage(_ language: Language) -> String {
        let t = Text(language: language)
        let messages: [(String, String)] = [
            ("no-code", t("No coupon code in this link.", "此链接中没有储值券代码。")),
            ("not-found", t("No coupon matches this code.", "没有与此代码对应的储值券。")),
            ("too-many", t("Too many tries from this network. Wait a minute and try again.", "此网络尝试次数过多，请稍候一分钟再试。")),
            ("offline", t("Cannot reach the server. Try again later.", "无法连接服务器，请稍后再试。")),
            ("until", t("valid until", "有效期至")),
            ("state-active", t("Active", "可用")), ("state-blocked", t("Blocked", "已冻结")),
            ("state-expired", t("Expired", "已过期")), ("available", t("available", "可用余额")),
        ]
        let data = messages.map { "data-\($0.0)=\"\(HTML.escape($0.1))\"" }.joined(separator: " ")
        return """
            <!doctype html><html lang="\(language.tag)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(t("Coupon balance", "储值券余额"))</title><link rel="stylesheet" href="/assets/coupon.css"></head>
            <body><main id="card" \(data)><h1>\(t("Coupon balance", "储值券余额"))</h1>
            <p id="balance" class="amount">…</p><p id="detail"></p></main>
            <script src="/assets/balance.js"></script></body></html>
            """
    }

    static let script = """
        'use strict';
        (function () {
          const card = document.getElementById('card');
          const say = (key) => card.dataset[key.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] || key;
          const show = (balance, detail, failed) => {
            document.getElementById('balance').textContent = balance;
            document.getElementById('detail').textContent = detail;
            card.classList.toggle('failed', !!failed);
          };
          const look = () => {
          const code = decodeURIComponent(location.hash.slice(1));
          if (!code) { show(say('no-code'), '', true); return; }
          show('…', '', false);
          fetch('/v1/public/balance', {method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({code: code}), referrerPolicy: 'no-referrer'})
            .then((response) => response.json().then((body) => ({status: response.status, body: body})))
            .then(({status, body}) => {
              if (status === 429) { show(say('too-many'), '', true); return; }
              if (status !== 200) { show(say('not-found'), '', true); return; }
              const digits = {JPY: 0, KRW: 0, VND: 0, KWD: 3, BHD: 3}[body.balance.currency] ?? 2;
              const major = (amount) => (amount / Math.pow(10, digits)).toFixed(digits);
              let detail = say('state-' + body.state);
              if (body.available.amount !== body.balance.amount) {
                detail += ' · ' + major(body.available.amount) + ' ' + say('available');
              }
              if (body.expires_at) { detail += ' · ' + say('until') + ' ' + body.expires_at.slice(0, 10); }
              show(major(body.balance.amount) + ' ' + body.balance.currency, detail, false);
            })
            .catch(() => show(say('offline'), '', true));
          };
          // Another code pasted into the link's fragment is looked up too (no reload happens then).
          window.addEventListener('hashchange', look);
          look();
        })();
        """

    static let style = """
        body { font-family: system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0;
               background: #f4f4f6; color: #1b1b1f; }
        main { max-width: 28rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 1rem;
               box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }
        h1 { font-size: 1.2rem; font-weight: 600; margin: 0 0 1rem; }
        .amount { font-size: 2.6rem; font-weight: 700; margin: .5rem 0; overflow-wrap: anywhere; }
        .failed .amount { font-size: 1.3rem; font-weight: 600; color: #a11; }
        p { line-height: 1.5; }
        .note { color: #555; font-size: .9rem; }
        """
}
