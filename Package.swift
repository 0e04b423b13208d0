// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "PredictiveMaintenance",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ingest", targets: ["IngestMain"]),
        .executable(name: "detection", targets: ["DetectionMain"]),
        .executable(name: "alerting", targets: ["AlertingMain"]),
        .executable(name: "scheduling", targets: ["SchedulingMain"]),
        .executable(name: "gateway", targets: ["GatewayMain"]),
        .executable(name: "simulator", targets: ["SimulatorMain"]),
        .executable(name: "proto-swift-gen", targets: ["ProtoSwiftGeneratorMain"]),
        .executable(name: "rpc-bench", targets: ["RPCBenchmark"]),
        .executable(name: "ingest-bench", targets: ["IngestBenchmark"]),
        .executable(name: "alerting-bench", targets: ["AlertingBenchmark"]),
        .executable(name: "detection-bench", targets: ["DetectionBenchmark"]),
        // For the libFuzzer harnesses of the Fuzz/ package.
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // MARK: Proto: the contract's generated code and its generator
        .systemLibrary(
            name: "CProtobufC",
            path: "Shared/CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        .target(name: "CPMProto", dependencies: ["CProtobufC"], path: "Shared/CPMProto"),
        .target(
            name: "PMProto",
            dependencies: ["CPMProto", "CProtobufC"],
            path: "Shared/PMProto",
            swiftSettings: swiftSettings
        ),
        .target(name: "CProtoDescriptor", dependencies: ["CProtobufC"], path: "Proto/Generator/CProtoDescriptor"),
        .target(
            name: "ProtoSwiftGenerator",
            dependencies: ["CProtoDescriptor", "CProtobufC"],
            path: "Proto/Generator/ProtoSwiftGenerator",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ProtoSwiftGeneratorMain",
            dependencies: [
                "ProtoSwiftGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Proto/Generator/ProtoSwiftGeneratorMain",
            swiftSettings: swiftSettings
        ),

        // MARK: Shared: the RPC layer and the service kit
        .target(
            name: "PMRPC",
            dependencies: [
                "PMProto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/RPC",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PMServices",
            dependencies: ["PMProto", "PMRPC"],
            path: "Shared/PMServices",
            swiftSettings: swiftSettings
        ),
        // Reading files (CSV) into readings: Ingest's importer and the gateway's batch upload.
        .target(name: "ReadingFormats", dependencies: ["PMProto", "PMMath"], path: "Shared/ReadingFormats", swiftSettings: swiftSettings),
        // Deterministic randomness and small numeric helpers shared by the simulator and the detectors.
        .target(name: "PMMath", path: "Shared/PMMath", swiftSettings: swiftSettings),
        .target(
            name: "ServiceKit",
            dependencies: [
                "PMRPC",
                "PMProto",
                "PMServices",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Shared/ServiceKit",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceStorage",
            dependencies: [
                "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceStorage",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RPCTesting",
            dependencies: [
                "PMProto", "PMRPC", "PMServices", "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            path: "Shared/RPCTesting",
            swiftSettings: swiftSettings
        ),

        // MARK: Services
        .target(
            name: "Ingest",
            dependencies: [
                "ServiceKit", "ServiceStorage", "PMRPC", "PMProto", "PMServices",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Ingest/Ingest",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "IngestMain",
            dependencies: [
                "Ingest", "ServiceKit", "PMRPC", "PMProto", "PMServices", "ReadingFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Ingest/IngestMain",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Detection",
            dependencies: [
                "Detectors", "PMMath", "ServiceKit", "ServiceStorage", "PMRPC", "PMProto", "PMServices",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Detection/Detection",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "DetectionMain",
            dependencies: ["Detection", "Detectors", "ServiceKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Detection/DetectionMain",
            swiftSettings: swiftSettings),
        .target(
            name: "Alerting",
            dependencies: [
                "ServiceKit", "ServiceStorage", "PMRPC", "PMProto", "PMServices",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Alerting/Alerting",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AlertingMain", dependencies: ["Alerting", "ServiceKit"], path: "Services/Alerting/AlertingMain",
            swiftSettings: swiftSettings),
        .target(
            name: "Scheduling",
            dependencies: [
                "ServiceKit", "PMMath", "ServiceStorage", "PMRPC", "PMProto", "PMServices",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Scheduling/Scheduling",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SchedulingMain", dependencies: ["Scheduling", "ServiceKit"], path: "Services/Scheduling/SchedulingMain",
            swiftSettings: swiftSettings),

        // MARK: Simulator
        .target(
            name: "Simulator",
            dependencies: [
                "PMRPC", "PMProto", "PMServices", "ServiceKit", "PMMath",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Services/Simulator/Simulator",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SimulatorMain",
            dependencies: [
                "Simulator", "ServiceKit", "PMRPC", "PMServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Simulator/SimulatorMain",
            swiftSettings: swiftSettings
        ),

        // Detectors: the Isolation Forest and the detectors, pure Swift, shared by the service and the backtest.
        .target(name: "Detectors", dependencies: ["PMMath"], path: "Services/Detection/Detectors", swiftSettings: swiftSettings),

        // MARK: Gateway
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit", "PMRPC", "PMProto", "PMServices", "PMMath", "ReadingFormats",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Gateway/Gateway",
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GatewayMain",
            dependencies: [
                "Gateway", "ServiceKit", "PMMath", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Gateway/GatewayMain", swiftSettings: swiftSettings),

        // MARK: Benchmarks
        .executableTarget(
            name: "RPCBenchmark",
            dependencies: [
                "PMRPC", "PMProto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/RPCBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "IngestBenchmark",
            dependencies: [
                "Ingest", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit", "ServiceStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/IngestBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "AlertingBenchmark",
            dependencies: [
                "Alerting", "Ingest", "Scheduling", "Detection", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/AlertingBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "DetectionBenchmark",
            dependencies: [
                "Detection", "Detectors", "Ingest", "Simulator", "PMMath", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/DetectionBenchmark",
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzzing: what each fuzzer of Fuzz/ does with an input; the tests replay Fuzz/FailCases with it
        .target(
            name: "FuzzTargets",
            dependencies: [
                "PMProto", "PMRPC", "ServiceKit", "Ingest", "Alerting", "Scheduling", "Detection",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/FuzzTargets",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "ProtoTests",
            dependencies: ["PMProto", "ProtoSwiftGenerator"],
            path: "Tests/ProtoTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/RPCTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "Simulator", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit", "ServiceStorage", "ReadingFormats",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/IngestTests",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebhookTestSupport",
            dependencies: [
                "RPCTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/Support/WebhookTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertingTests",
            dependencies: ["Alerting", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit", "WebhookTestSupport"],
            path: "Tests/AlertingTests",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProcessTestSupport",
            path: "Tests/Support/ProcessTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DetectionTests",
            dependencies: [
                "Detectors", "Detection", "Ingest", "Alerting", "PMMath", "PMProto", "PMRPC", "PMServices", "RPCTesting", "ServiceKit",
                "ProcessTestSupport",
            ],
            path: "Tests/DetectionTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Scheduling", "Ingest", "Alerting", "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit"],
            path: "Tests/SchedulingTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets"],
            path: "Tests/FuzzRegressionTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "PMRPC", "PMServices", "RPCTesting", "ServiceKit", "PMMath", "ProcessTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/GatewayTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PMRPC", "PMProto", "PMServices", "RPCTesting", "ServiceKit", "WebhookTestSupport", "ProcessTestSupport", "Detectors",
                "PMMath",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/IntegrationTests",
            // Compiled by the foreign-client test itself with `cc`, as an outside team would.
            exclude: ["ForeignClient"],
            swiftSettings: swiftSettings
        ),
    ]
)
