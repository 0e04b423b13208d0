/// One fuzzer's handling of an input, shared by its libFuzzer harness (`Fuzz/`) and by the test that
/// replays every input that ever failed (`Fuzz/FailCases/<name>/`) without the fuzzer.
public struct FuzzTarget: Sendable {
    /// The target's name: its folder under `Fuzz/FailCases` and `Fuzz/Dictionaries/<name>.dict`.
    public let name: String
    /// Handles one input; traps when the input reveals a bug (a crash, or a check below failing). Blocks
    /// its thread while a handler runs on Swift concurrency's pool: never call it from that pool.
    public let run: @Sendable ([UInt8]) -> Void
    /// Valid inputs to start from, one per message or method at least.
    public let seeds: @Sendable () -> [[UInt8]]

    /// Every target; a service adds its handlers here when it lands.
    public static let all: [FuzzTarget] = [
        .frames, .messages, .ingestHandlers, .alertingHandlers, .schedulingHandlers, .detectionHandlers,
    ]

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// Inputs that choose what to exercise start with a name and a newline (`QueryReadings\n<payload>`),
/// so a saved fail case keeps its meaning when the contract gains messages or methods.
enum NamedInput {
    static func split(_ bytes: [UInt8]) -> (name: String, payload: [UInt8])? {
        guard let newline = bytes.firstIndex(of: 0x0A), newline <= 64 else { return nil }
        return (String(decoding: bytes[..<newline], as: UTF8.self), Array(bytes[(newline + 1)...]))
    }

    static func join(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        Array(name.utf8) + [0x0A] + payload
    }
}
