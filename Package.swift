// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Vakt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vakt", targets: ["vakt"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
    ],
    targets: [
        // C libraries found by pkg-config, with static inline shims for what Swift cannot import.
        .systemLibrary(
            name: "CMosquitto", path: "Sources/CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // No pkgConfig for ncursesw: its flags trip SwiftPM's prohibited-flag warning on every build.
        .systemLibrary(
            name: "CNcurses", path: "Sources/CNcurses",
            providers: [.apt(["libncurses-dev"])]),

        // The engine's per-device and per-key state lives in persistent (hash-tree) dictionaries:
        // the hub keeps the state before each input to roll back to, and changing a copy of a
        // plain Dictionary copies all of it, a site's size on every message.
        .target(
            name: "VaktCore",
            dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")]),
        .target(
            name: "VaktConfig",
            dependencies: ["VaktCore", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "VaktDevices",
            dependencies: [
                "VaktCore", "CMosquitto", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "VaktStore",
            dependencies: [
                "VaktCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "VaktNotify",
            dependencies: [
                "VaktCore", "CCurl", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "VaktRuntime",
            dependencies: [
                "VaktCore", "VaktConfig", "VaktDevices", "VaktStore", "VaktNotify",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "VaktDashboard",
            dependencies: [
                "VaktCore", "VaktDevices", "CNcurses", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "VaktFuzzTargets",
            dependencies: ["VaktCore", "VaktConfig", "VaktDevices"]),
        .target(
            name: "VaktReports",
            dependencies: ["VaktCore", "VaktStore"]),
        .target(
            name: "VaktTesting",
            dependencies: ["VaktCore", "VaktRuntime"]),
        .executableTarget(
            name: "vakt",
            dependencies: [
                "VaktCore", "VaktConfig", "VaktDevices", "VaktStore", "VaktNotify", "VaktRuntime", "VaktDashboard",
                "VaktReports", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Fuzz targets: a libFuzzer binary when scripts/fuzz builds it, an input replayer otherwise.
        .executableTarget(name: "vakt-fuzz", dependencies: ["VaktFuzzTargets"]),

        // Micro-benchmarks run by scripts/bench (release build).
        .executableTarget(
            name: "vakt-bench",
            dependencies: [
                "VaktCore", "VaktConfig", "VaktDashboard", "VaktDevices", "VaktStore", "VaktNotify", "VaktRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "VaktCoreTests", dependencies: ["VaktCore", "VaktTesting"]),
        .testTarget(name: "VaktConfigTests", dependencies: ["VaktConfig", "VaktTesting"]),
        .testTarget(
            name: "VaktDevicesTests", dependencies: ["VaktDevices", "VaktConfig", "VaktTesting", "VaktFuzzTargets"]),
        .testTarget(name: "VaktStoreTests", dependencies: ["VaktStore", "VaktTesting"]),
        .testTarget(
            name: "VaktNotifyTests",
            dependencies: ["VaktNotify", "VaktTesting", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "VaktReportsTests", dependencies: ["VaktReports", "VaktStore", "VaktConfig", "VaktTesting"]),
        .testTarget(name: "VaktDashboardTests", dependencies: ["VaktDashboard", "VaktConfig", "VaktTesting"]),
        .testTarget(
            name: "VaktIntegrationTests",
            dependencies: [
                "VaktRuntime", "VaktConfig", "VaktStore", "VaktDevices", "VaktNotify", "VaktTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ]
)
