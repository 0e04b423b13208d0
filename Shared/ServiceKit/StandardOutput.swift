#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flushes stdout (all streams: `stdout` itself is not concurrency-safe to name) so a parent process reading a pipe sees a line as soon as it is printed.
public func fflushStandardOutput() {
    fflush(nil)
}
