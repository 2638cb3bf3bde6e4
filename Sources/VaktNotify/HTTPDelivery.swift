import Foundation
import VaktCore

/// What an HTTP attempt's outcome means for delivery, the same for every HTTP channel
/// (webhook, SMS gateway, ntfy).
enum HTTPDelivery {
    /// Sends `post` for `notification` with its `Idempotency-Key` and classifies the answer:
    /// the one way every HTTP channel makes an attempt.
    static func send(
        _ post: HTTPPost, for notification: VaktCore.Notification, redaction: Redaction
    ) async -> DeliveryAttempt {
        guard WebhookNotifier.isValidHeaderValue(notification.key) else {
            return .failed(reason: "the idempotency key is not a valid header value", retryable: false)
        }
        var post = post
        post.headers.append("Idempotency-Key: \(notification.key)")
        return attempt(for: await CurlQueue.perform(post), timeout: post.timeout, redaction: redaction)
    }

    /// The attempt: its result, and the server's `Retry-After` on a retryable failure.
    static func attempt(
        for outcome: Result<HTTPPost.Response, CurlError>, timeout: Double, redaction: Redaction
    ) -> DeliveryAttempt {
        let result = result(for: outcome, timeout: timeout, redaction: redaction)
        guard case .failed(_, true) = result, case .success(let response) = outcome else {
            return DeliveryAttempt(result: result, retryAfter: nil)
        }
        return DeliveryAttempt(result: result, retryAfter: response.retryAfter)
    }

    /// Longest excerpt of a response body quoted in a failure reason.
    static let excerptLength = 200

    /// What one attempt's outcome means for delivery.
    ///
    /// 2xx is delivered. 408, 429 and 5xx may pass and are retryable; any other status
    /// (redirects included: they are not followed) is a permanent failure. A transport error
    /// is retryable unless `CurlError.isRetryable` says it is a configuration problem.
    /// - Parameter redaction: Hides the channel's secrets in the quoted response body.
    static func result(
        for outcome: Result<HTTPPost.Response, CurlError>, timeout: Double, redaction: Redaction
    ) -> DeliveryResult {
        switch outcome {
        case .success(let response):
            let status = response.status
            if (200..<300).contains(status) { return .delivered }
            var reason = "HTTP \(status)"
            if (300..<400).contains(status) { reason += " (redirects are not followed)" }
            let excerpt = excerpt(of: response.body, redaction: redaction)
            if !excerpt.isEmpty { reason += ": \(excerpt)" }
            let retryable = status == 408 || status == 429 || (500..<600).contains(status)
            return .failed(reason: reason, retryable: retryable)
        case .failure(let error):
            let reason =
                error == .operationTimedout
                ? "no answer within \(formatted(timeout)) s: \(error)" : "no HTTP answer: \(error)"
            return .failed(reason: reason, retryable: error.isRetryable)
        }
    }

    /// The body as one line of text without secrets, cut to `excerptLength` characters.
    ///
    /// Secrets are hidden before the text is cut, so no cut leaves part of one behind.
    static func excerpt(of body: Data, redaction: Redaction) -> String {
        let text = redaction.apply(
            redaction.apply(String(decoding: body, as: UTF8.self))
                .split(whereSeparator: { $0.isWhitespace || $0.isNewline })
                .joined(separator: " "))
        guard text.count > excerptLength else { return text }
        return redaction.apply(String(text.prefix(excerptLength))) + "…"
    }

    private static func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
