import PMProto
import ServiceKit

/// One webhook receiver: its URL and the least severe alert it wants.
public struct WebhookReceiver: Sendable, Equatable {
    public var url: String
    public var minSeverity: Severity

    public init(url: String, minSeverity: Severity = .warning) {
        self.url = url
        self.minSeverity = minSeverity
    }
}

/// Where and how notifications are delivered.
public struct WebhookConfiguration: Sendable {
    /// ALERTING_WEBHOOK_URLS: comma-separated; an entry may start with `critical=` to receive only critical alerts.
    public var receivers: [WebhookReceiver]
    /// ALERTING_WEBHOOK_SECRET: the HMAC-SHA256 key of `X-PM-Signature`; required when there are receivers.
    public var secret: String
    /// ALERTING_WEBHOOK_MAX_AGE_MINUTES (default 1440): a notification still undelivered this long after
    /// its event is abandoned (and recorded as such).
    public var maxAge: Duration
    /// ALERTING_WEBHOOK_RETRY_INITIAL_MS (default 1000): the first retry's delay; it doubles, with jitter,
    /// up to ALERTING_WEBHOOK_RETRY_MAX_SECONDS (default 300).
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// ALERTING_WEBHOOK_TIMEOUT_SECONDS (default 10): one attempt's limit.
    public var timeout: Duration

    public init(environment: Environment) throws {
        receivers = try environment.string("alerting.webhook.urls", default: "").split(separator: ",").map { entry in
            try Self.receiver(String(entry).trimmingCharacters(in: .whitespaces))
        }
        secret = environment.string("alerting.webhook.secret", default: "")
        if !receivers.isEmpty, secret.isEmpty {
            throw ConfigurationError(
                variable: "ALERTING_WEBHOOK_SECRET", value: "", expected: "a secret, since ALERTING_WEBHOOK_URLS is set")
        }
        maxAge = .seconds(60 * (try environment.int("alerting.webhook.max-age.minutes", default: 1440, in: 1...525_600)))
        initialBackoff = .milliseconds(try environment.int("alerting.webhook.retry.initial.ms", default: 1000, in: 1...3_600_000))
        maxBackoff = .seconds(try environment.int("alerting.webhook.retry.max.seconds", default: 300, in: 1...86_400))
        timeout = .seconds(try environment.int("alerting.webhook.timeout.seconds", default: 10, in: 1...600))
    }

    static func receiver(_ entry: String) throws -> WebhookReceiver {
        var url = entry
        var minSeverity = Severity.warning
        for (prefix, severity) in [("critical=", Severity.critical), ("warning=", Severity.warning)] where entry.hasPrefix(prefix) {
            url = String(entry.dropFirst(prefix.count))
            minSeverity = severity
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8 else {
            throw ConfigurationError(
                variable: "ALERTING_WEBHOOK_URLS", value: entry, expected: "http(s) URLs, optionally prefixed by critical=")
        }
        return WebhookReceiver(url: url, minSeverity: minSeverity)
    }
}
