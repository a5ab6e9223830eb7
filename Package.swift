// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "qr-coupons",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "coupon-station", targets: ["coupon-station"]),
        .executable(name: "couponctl", targets: ["couponctl"]),
        .executable(name: "coupon-bench", targets: ["coupon-bench"]),
        .executable(name: "coupon-server", targets: ["coupon-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // C libraries from Debian, one system-library target each.
        .systemLibrary(name: "CZBar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // C only where Swift cannot go: setjmp/longjmp error handling of libpng and libjpeg.
        .target(name: "CImageShims", dependencies: ["CPNG", "CJPEG"]),

        // Grey images, image file I/O and the image operations of the decode pipeline.
        .target(name: "Imaging", dependencies: ["CImageShims"]),
        // QR rendering: libqrencode to a module matrix, PNG and SVG output.
        .target(name: "QRRender", dependencies: ["CQREncode", "Imaging"]),
        // GS1 check digits and UPC-E expansion, shared by the scanner and the domain.
        .target(name: "GS1"),
        // The one owner of glibc's iconv descriptors: payload text and printer encodings.
        .target(name: "TextEncoding"),
        // zbar and the decode pipeline around it.
        .target(name: "Scanning", dependencies: ["CZBar", "Imaging", "GS1", "TextEncoding"]),
        // The coupon domain: money, codes, baskets, the settlement rule. Pure Swift, no I/O.
        .target(name: "CouponCore", dependencies: ["GS1"]),
        // The patent's first embodiment: a coupon's state signed (Ed25519) into its QR, read offline.
        .target(
            name: "SignedState",
            dependencies: ["CouponCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // What a customer receives: the coupon's text, MMS-style MIME message, SMS and QR files.
        .target(name: "CouponMessages", dependencies: ["CouponCore", "QRRender"]),
        // The API's contract: every request and response body of docs/api.md, Codable. No HTTP library.
        .target(name: "CouponAPI", dependencies: ["CouponCore"]),
        // The one HTTP client of the API (async-http-client): retries, idempotency, typed errors, façades.
        .target(
            name: "CouponClient",
            dependencies: [
                "CouponAPI", "CouponCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // Persistence: the CouponStore protocol, its SQLite implementation (GRDB), the embedded
        // default, and its PostgreSQL one (postgres-nio), for several servers on one database.
        .target(
            name: "CouponStore",
            dependencies: [
                "CouponCore", "SignedState", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The built coupon-server as a child process: for the crash tests, the CLI tests and the benchmarks.
        .target(name: "ServerLauncher"),
        // Sample photo sets with their manifests, for tests and the benchmark.
        .target(name: "SampleSets", dependencies: ["Scanning", "Imaging", "QRRender", "SignedState", "CouponCore"]),
        // The provider's HTTP/JSON API (Hummingbird 2) over a CouponStore.
        .target(
            name: "CouponServer",
            dependencies: [
                "CouponAPI", "CouponCore", "CouponStore", "SignedState", "CouponMessages", "QRRender",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "coupon-server",
            dependencies: [
                "CouponServer", "CouponStore", "CouponCore", "CLISupport", "SignedState",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The settlement station: the provider's client, the journal, checkout and recovery, receipts.
        .target(
            name: "Station",
            dependencies: [
                "CouponAPI", "CouponClient", "CouponCore", "QRRender", "TextEncoding", "SignedState",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // What the three programs share on the command line: the terminal, the progress bar, the
        // settings (file, environment, flags; one list of keys), server trust options, the main.
        .target(
            name: "CLISupport",
            dependencies: ["CouponCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            plugins: ["RevisionPlugin"]
        ),
        // Records the git revision for `--version`.
        .plugin(name: "RevisionPlugin", capability: .buildTool()),
        // coupon-station's commands.
        .target(
            name: "StationCLI",
            dependencies: [
                "CLISupport", "Imaging", "Scanning", "QRRender", "Station", "CouponAPI", "CouponClient", "CouponCore",
                "SignedState", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "coupon-station",
            dependencies: ["StationCLI", "Station", "CLISupport", "CouponCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // couponctl's commands: the issuer's side of the API, QR files, MMS and SMS messages.
        .target(
            name: "IssuerCLI",
            dependencies: [
                "CLISupport", "CouponAPI", "CouponClient", "CouponCore", "QRRender", "Imaging", "CouponMessages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "couponctl",
            dependencies: [
                "IssuerCLI", "CLISupport", "CouponClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "coupon-bench",
            dependencies: [
                "Imaging", "Scanning", "QRRender", "SampleSets", "CouponCore", "CouponStore", "CouponAPI", "CouponClient",
                "ServerLauncher", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // coupon-station with a crash injected after a checkout step: the crash tests' harness only.
        .executableTarget(name: "station-crash", dependencies: ["StationCLI", "CLISupport"], path: "Tests/StationCrash"),
        // What several test targets share: a raw socket for requests no HTTP client would send.
        .target(name: "TestSupport", dependencies: ["CouponStore", "CouponCore"], path: "Tests/TestSupport"),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "QRRenderTests", dependencies: ["QRRender", "Scanning", "Imaging"]),
        .testTarget(name: "ScanningTests", dependencies: ["Scanning", "Imaging", "SampleSets", "QRRender", "GS1"]),
        .testTarget(name: "CouponCoreTests", dependencies: ["CouponCore"]),
        .testTarget(name: "SignedStateTests", dependencies: ["SignedState", "CouponCore", "QRRender", "Scanning", "Imaging"]),
        .testTarget(name: "CLISupportTests", dependencies: ["CLISupport"]),
        .testTarget(name: "CouponAPITests", dependencies: ["CouponAPI"]),
        .testTarget(name: "TextEncodingTests", dependencies: ["TextEncoding"]),
        .testTarget(
            name: "CouponServerTests",
            dependencies: [
                "CouponServer", "CouponStore", "CouponCore", "CouponAPI", "CouponClient", "ServerLauncher", "TestSupport",
                "SignedState",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "CouponStoreTests",
            dependencies: [
                "CouponStore", "CouponCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "StationCLITests",
            dependencies: [
                "TestSupport", "ServerLauncher", "CLISupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "StationTests",
            dependencies: [
                "Station", "CouponAPI", "CouponCore", "Scanning", "Imaging", "SignedState",
                .product(name: "GRDB", package: "GRDB.swift"),
            ], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
