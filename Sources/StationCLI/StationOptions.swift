import ArgumentParser
import CLISupport
import CouponClient
import CouponCore
import Foundation
import Station

/// The station's configuration: a file (KEY=VALUE lines), then the environment, then flags; later wins.
struct StationOptions: ParsableArguments {
    @Option(help: "Configuration file of KEY=VALUE lines (the environment variables' names).") var config: String?
    @Option(
        help: "The provider's URL, or several servers of it separated by commas, tried in turn (env COUPON_SERVER).")
    var server: String?
    @Option(help: "This station's API key (env COUPON_API_KEY); --key-file keeps it out of ps.") var key: String?
    @Option(name: .customLong("key-file"), help: "A file holding this station's API key (mode 0600).")
    var keyFile: String?
    @OptionGroup var trust: ServerTrustOptions
    @Option(help: "Shop name on receipts (env COUPON_STATION_SHOP).") var shop: String?
    @Option(help: "Station name on receipts (env COUPON_STATION_NAME).") var station: String?
    @Option(help: "Receipt width in columns: 32, 42 or 48 (env COUPON_STATION_WIDTH).") var width: Int?
    @Option(help: "Local journal of checkouts in flight (env COUPON_STATION_JOURNAL).") var journal: String?
    @Option(help: "ESC/POS text encoding: gb18030, cp437, cp858 (env COUPON_STATION_ENCODING).") var encoding: String?
    @Option(
        name: .customLong("printer-qr"),
        help: "Receipt QR on ESC/POS: native or raster (env COUPON_STATION_PRINTER_QR).")
    var printerQR: String?
    @Option(name: .customLong("time-zone"), help: "Time zone of receipt times (env COUPON_STATION_TIME_ZONE).")
    var timeZone: String?

    struct Resolved {
        var server: String
        var key: String
        var caFile: String?
        var shop: String
        var station: String?
        var width: Int
        var journal: String
        var escpos: ESCPOS
        var timeZone: TimeZone
        var printerDevice: String?
    }

    func resolve() throws -> Resolved {
        let values: [String: String]
        do {
            values = try Settings.load(path: config)
        } catch {
            throw StationError.badInput(error.description)
        }
        guard let server = server ?? values["COUPON_SERVER"] else {
            throw StationError.badInput("no server: give --server URL or set COUPON_SERVER")
        }
        var fromFile: String?
        if let keyFile {
            do { fromFile = try KeyFile.read(keyFile) } catch { throw StationError.badInput(error.description) }
        }
        guard let key = key ?? fromFile ?? values["COUPON_API_KEY"] else {
            throw StationError.badInput("no station key: give --key-file FILE, set COUPON_API_KEY, or give --key KEY")
        }
        let checked: (url: String, caFile: String?)
        do {
            checked = try trust.resolve(server: server, values: values)
        } catch {
            throw StationError.badInput(error.description)
        }
        let widthText = width.map(String.init) ?? values["COUPON_STATION_WIDTH"] ?? "42"
        guard let width = Int(widthText), ReceiptLayout.widths.contains(width) else {
            throw StationError.badInput("the receipt width must be 32, 42 or 48, not \(widthText)")
        }
        let encodingName = encoding ?? values["COUPON_STATION_ENCODING"] ?? "gb18030"
        guard let encoding = PrinterEncoding(rawValue: encodingName.lowercased()) else {
            throw StationError.badInput("unknown printer encoding '\(encodingName)'; known: gb18030, cp437, cp858")
        }
        let qrName = printerQR ?? values["COUPON_STATION_PRINTER_QR"] ?? "native"
        guard let qr = ESCPOS.QRMode(rawValue: qrName) else {
            throw StationError.badInput("--printer-qr is native or raster, not '\(qrName)'")
        }
        let zoneName = timeZone ?? values["COUPON_STATION_TIME_ZONE"] ?? TimeZone.current.identifier
        guard let zone = TimeZone(identifier: zoneName) else {
            throw StationError.badInput("unknown time zone '\(zoneName)'")
        }
        let shopName = shop ?? values["COUPON_STATION_SHOP"] ?? "Coupon Shop"
        if let lost = encoding.unprintable(in: shopName) {
            FileHandle.standardError.write(
                Data(
                    "warning: the printer encoding \(encoding.rawValue) cannot print \(lost) of the shop name '\(shopName)' (printed as ?); use --encoding gb18030 for Chinese\n"
                        .utf8))
        }
        return Resolved(
            server: checked.url, key: key, caFile: checked.caFile,
            shop: shopName,
            station: station ?? values["COUPON_STATION_NAME"],
            width: width, journal: journal ?? values["COUPON_STATION_JOURNAL"] ?? "./station-data/journal.sqlite",
            escpos: ESCPOS(encoding: encoding, qr: qr), timeZone: zone, printerDevice: values["COUPON_STATION_PRINTER"])
    }
}

extension StationOptions.Resolved {
    /// Runs `body` with the checkout machinery these settings describe, printing to `printer`;
    /// its HTTP client is shut down after.
    func withCheckout<T: Sendable>(printer: ReceiptPrinter, _ body: (Checkout) async throws -> T) async throws -> T {
        let journal = try Journal(path: journal)
        let (server, key, shop, station, timeZone) = (server, key, shop, station, timeZone)
        return try await withHTTPClient(caFile: caFile, connect: .seconds(2), read: .seconds(10)) { http in
            var client = APIClient(http: http, baseURL: server, key: key)
            client.timeout = .seconds(10)
            var checkout = Checkout(
                client: StationAPI(client), journal: journal, printer: printer, shop: shop, station: station,
                timeZone: timeZone)
            checkout.afterStep = CheckoutHooks.afterStep
            return try await body(checkout)
        }
    }

    /// A printer with this configuration's width and ESC/POS settings.
    func printer(text: String?, escpos: String?, qr: String?, append: Bool = false) -> ReceiptPrinter {
        var printer = ReceiptPrinter()
        printer.width = width
        printer.textPath = text
        printer.escposPath = escpos ?? printerDevice
        printer.escpos = self.escpos
        printer.qrPath = qr
        printer.append = append
        return printer
    }
}

/// Reports what recovery did with checkouts a crash or lost connection left open.
func recoverOpenCheckouts(_ checkout: Checkout) async throws {
    let (outcomes, open) = try await checkout.recover()
    for (id, problem) in open {
        Terminal.error("coupon-station: checkout \(id) is still open (\(problem)); it is retried next time")
    }
    for outcome in outcomes {
        let what = outcome.paid ? "paid, receipt printed" : "not paid, slip printed"
        Terminal.error(
            "coupon-station: recovered checkout \(outcome.checkoutID): \(what)"
                + (outcome.printError.map { " (printing failed: \($0))" } ?? ""))
    }
}
