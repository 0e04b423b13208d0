#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The line every executable prints on standard output once it accepts work:
/// `ready <name> <kind>=<host:port>` (`ready ingest rpc=127.0.0.1:7101`). `scripts/run-system.sh` and
/// the process tests wait for it, and read the address from it when the port was 0.
public enum Readiness {
    /// Prints `ready <name> <kind>=<address>` and flushes standard output at once.
    public static func announce(_ name: String, kind: String, address: String) {
        print("ready \(name) \(kind)=\(address)")
        // All streams: `stdout` itself is not concurrency-safe to name. A parent reading a pipe must
        // see the line as soon as it is printed, not when the buffer fills.
        fflush(nil)
    }
}

/// The server's clock as Unix milliseconds, the unit of every timestamp in the contract.
public enum WallClock {
    /// Milliseconds since 1970-01-01 UTC from the system's real-time clock, which can jump when the
    /// clock is set; measure durations with `ContinuousClock` instead.
    public static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

extension Duration {
    /// The duration in whole milliseconds, the unit of the contract's times.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

extension Duration {
    /// The duration in seconds, fractions included, for rates and reports.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
