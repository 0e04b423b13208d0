// swift-tools-version:6.1
// The libFuzzer harnesses, a package of their own so that the sanitizer build never touches the main
// one: `make fuzz` (scripts/fuzz.sh) builds it with its own scratch path. Each harness is one line over
// a FuzzTarget of the main package (Shared/FuzzTargets), which the tests also use to replay FailCases/.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the clone was called.
let mainPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

/// One harness executable per fuzz target.
func harness(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: mainPackage)],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "PredictiveMaintenanceFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer", .product(name: "FuzzTargets", package: mainPackage)]),
        harness("FuzzFrames"),
        harness("FuzzMessages"),
        harness("FuzzIngestHandlers"),
        harness("FuzzAlertingHandlers"),
        harness("FuzzSchedulingHandlers"),
        harness("FuzzDetectionHandlers"),
    ]
)
