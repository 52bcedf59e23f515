// swift-tools-version: 6.1
import PackageDescription

// One set of settings for every target (Swift 6 mode, as Hummingbird and swift-log do).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "steward",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "steward", targets: ["steward"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Imported directly (not only through postgres-nio and Hummingbird), so declared.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian packages, each behind a tiny shim.
        .systemLibrary(
            name: "CStewardMilter", pkgConfig: "milter",
            providers: [.apt(["libmilter-dev"])]
        ),
        .systemLibrary(
            name: "CStewardMagic", pkgConfig: "libmagic",
            providers: [.apt(["libmagic-dev"])]
        ),
        .systemLibrary(
            name: "CStewardGMime", pkgConfig: "gmime-3.0",
            providers: [.apt(["libgmime-3.0-dev"])]
        ),
        .systemLibrary(
            name: "CStewardArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // PDF text for confidential markers (poppler, the extractor behind pdftotext).
        .systemLibrary(
            name: "CStewardPoppler", pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]
        ),
        // MS-DOS COMPRESS.EXE files (SZDD, KWAJ): libmspack, which ClamAV uses for the same.
        .systemLibrary(
            name: "CStewardMSPack", pkgConfig: "libmspack",
            providers: [.apt(["libmspack-dev"])]
        ),
        // Opaque S/MIME signed messages: OpenSSL's CMS reads SignedData (not a hand parser).
        .systemLibrary(
            name: "CStewardCMS", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // XML and HTML parsing (OOXML/OpenDocument parts, HTML bodies): libxml2.
        .systemLibrary(
            name: "CStewardXML", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // glibc's memmem for byte searches (a GNU extension Swift's Glibc module leaves out).
        .target(name: "CStewardBytes"),
        // Keeps libmilter's own signal thread from taking SIGHUP/SIGTERM (steward_signals.c says why).
        .target(name: "CStewardSignals"),
        // ICU (Debian libicu-dev): UTS #39 confusable skeletons and UTS #46 IDNA, for look-alike
        // names and domains. A C target, not a system library: ICU's headers cannot be imported
        // into Swift beside Foundation, whose bundled ICU defines the same enums differently.
        .target(name: "CStewardICU", linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc")]),

        // Values shared by every module: envelope, inspected message, findings, verdicts.
        .target(name: "StewardCore", dependencies: ["CStewardBytes"], swiftSettings: swiftSettings),
        // MIME walk (GMime), true types (libmagic), text for searching.
        .target(
            name: "StewardInspection",
            dependencies: [
                "StewardCore", "CStewardGMime", "CStewardMagic", "CStewardArchive", "CStewardPoppler", "CStewardXML",
                "CStewardMSPack", "CStewardCMS",
            ],
            swiftSettings: swiftSettings
        ),
        // The union's directory, rule sets per branch, the evaluator: pure, no I/O.
        .target(
            name: "StewardPolicy",
            dependencies: ["StewardCore", "CStewardICU", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Held messages and their evidence.
        .target(
            name: "StewardQuarantine",
            dependencies: [
                "StewardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration and the one pipeline that the milter and `steward check` share.
        .target(
            name: "StewardEngine",
            dependencies: [
                "StewardCore", "StewardInspection", "StewardPolicy", "StewardQuarantine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // libmilter binding and the per-connection session.
        .target(
            name: "StewardMilter",
            dependencies: [
                "StewardCore", "StewardEngine", "CStewardMilter", "CStewardSignals",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The review app officials use in a browser (Hummingbird, server-rendered Mustache pages).
        .target(
            name: "StewardReview",
            dependencies: [
                "StewardCore", "StewardEngine", "StewardInspection", "StewardPolicy", "StewardQuarantine", "CStewardXML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // Page templates and the stylesheet are compiled into the binary (EmbedResources), not
            // shipped as a resource bundle: an installed steward has no bundle or build tree beside it.
            exclude: ["Templates", "Assets"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedResources"]
        ),
        // Fuzzing over inspection: a bounded driver for the test suite, libFuzzer through scripts/fuzz.
        .executableTarget(
            name: "steward-fuzz",
            dependencies: ["StewardCore", "StewardInspection"],
            swiftSettings: swiftSettings
        ),
        // Build tool: the review app's files as a generated Swift source.
        .executableTarget(name: "embed-resources", swiftSettings: swiftSettings),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["embed-resources"]),
        .executableTarget(
            name: "steward",
            dependencies: [
                "StewardCore", "StewardEngine", "StewardInspection", "StewardMilter", "StewardPolicy", "StewardQuarantine",
                "StewardReview",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildInfo"]
        ),
        // Build tool: the git commit for `steward --version`.
        .plugin(name: "BuildInfo", capability: .buildTool()),

        // The one set of helpers for tests that run the real binary and real peers (miltertest,
        // a private Postfix): paths, posix_spawn-based Command, StewardServe, PostfixLab, samples.
        .target(
            name: "StewardTestSupport",
            dependencies: ["StewardCore"],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "StewardCoreTests", dependencies: ["StewardCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StewardInspectionTests", dependencies: ["StewardCore", "StewardInspection", "StewardTestSupport"],
            exclude: ["FuzzFindings"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardAttachmentTests",
            dependencies: ["StewardCore", "StewardEngine", "StewardInspection", "StewardPolicy", "StewardTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardPolicyTests", dependencies: ["StewardCore", "StewardEngine", "StewardPolicy"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardMilterTests",
            dependencies: ["StewardCore", "StewardEngine", "StewardMilter", "StewardQuarantine", "StewardTestSupport", "CStewardMilter"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardEngineTests",
            dependencies: [
                "StewardCore", "StewardEngine", "StewardPolicy", "StewardQuarantine", "StewardTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardCLITests",
            dependencies: ["StewardTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardConfidentialTests",
            dependencies: ["StewardCore", "StewardEngine", "StewardInspection", "StewardPolicy", "StewardTestSupport"],
            exclude: ["make_documents.py", "Office"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardReviewTests",
            dependencies: [
                "StewardCore", "StewardEngine", "StewardInspection", "StewardPolicy", "StewardQuarantine", "StewardReview",
                "StewardTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StewardEndToEndTests",
            dependencies: ["StewardTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
