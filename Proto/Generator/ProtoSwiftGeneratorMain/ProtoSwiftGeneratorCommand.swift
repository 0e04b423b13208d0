import ArgumentParser
import Foundation
import ProtoSwiftGenerator

/// Regenerates (or, with --check, verifies) every file generated from Proto/.
@main
struct ProtoSwiftGeneratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proto-swift-gen",
        abstract: "Generate protoc-c C code and Swift message types from Proto/*.proto."
    )

    @Option(help: "The package root.")
    var root: String = FileManager.default.currentDirectoryPath

    @Flag(help: "Change nothing; exit 1 when a committed generated file is stale.")
    var check = false

    func run() throws {
        let regenerator = Regenerator(packageRoot: URL(fileURLWithPath: root))
        if check {
            let stale = try regenerator.staleFiles()
            guard stale.isEmpty else {
                print("Generated code is stale; run Proto/generate.sh. Stale files:")
                for file in stale { print("  \(file)") }
                throw ExitCode.failure
            }
            print("Generated code is current.")
        } else {
            try regenerator.write()
            print("Generated code written.")
        }
    }
}
