import CLibFuzzer
import Foundation
import FuzzTargets

/// Runs one harness: `--write-seeds DIR` writes the target's seed corpus and exits; anything else goes to
/// libFuzzer (`-max_total_time=60 corpus/`, ...).
public enum FuzzDriver {
    nonisolated(unsafe) private static var target: FuzzTarget?

    public static func main(_ target: FuzzTarget) -> Never {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            writeSeeds(of: target, to: arguments[2])
            exit(0)
        }
        Self.target = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.target!.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
        exit(status)
    }

    private static func writeSeeds(of target: FuzzTarget, to folder: String) {
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, seed) in target.seeds().enumerated() {
            FileManager.default.createFile(atPath: "\(folder)/seed-\(index)", contents: Data(seed))
        }
    }
}
