import CCurl
import Foundation
import VaktCore

/// Sends notifications as e-mail through an SMTP server, with libcurl: `smtps://` (TLS from
/// the start) or `smtp://` (with `starttls: true`, TLS required before anything else is said),
/// optionally logging in. Each message has a Date, a Message-ID made from the notification's
/// key (a resend is recognisably the same message), and a UTF-8 subject.
///
/// SMTP replies 4xx are retryable, 5xx are not (a mailbox that does not exist stays so).
public final class SMTPNotifier: Notifier {
    public let channelID: String
    private let url: String
    private let from: String
    private let username: String?
    private let password: String?
    private let startTLS: Bool
    private let timeout: Double
    private let redaction: Redaction

    /// - Throws: `ChannelConfigurationError` for a URL that is not smtp(s), no `from`, or an
    ///   unreadable password.
    public init(channel: Channel, secrets: SecretResolver) throws(ChannelConfigurationError) {
        channelID = channel.id
        guard let components = URLComponentsLite(channel.url), ["smtp", "smtps"].contains(components.scheme),
            !components.host.isEmpty
        else { throw ChannelConfigurationError(channel: channel.id, .unsupportedURL) }
        guard channel.timeoutSeconds > 0, channel.timeoutSeconds.isFinite else {
            throw ChannelConfigurationError(channel: channel.id, .invalidTimeout)
        }
        guard let from = channel.sender, EmailAddress.isValid(from) else {
            throw ChannelConfigurationError(channel: channel.id, .setting("from", "an e-mail address is needed"))
        }
        url = channel.url
        self.from = from
        username = channel.username
        password = try secrets.resolve(channel.password, setting: "password", channel: channel)
        startTLS = channel.startTLS
        timeout = channel.timeoutSeconds
        redaction = Redaction(secrets: password.map { [$0] } ?? [])
    }

    /// The message as sent: headers and a base64 body, CRLF line ends.
    static func message(
        _ notification: VaktCore.Notification, from: String, to: String, site: SiteInfo, date: Date
    ) -> Data {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let id = notification.key.map {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "."
        }
        let subject = "=?UTF-8?B?\(Data(notification.title.utf8).base64EncodedString())?="
        let body = Data(notification.body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let lines = [
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(String(id))@\(site.id).vakt>",
            "From: \(from)",
            "To: \(to)",
            "Subject: \(subject)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "X-Vakt-Alarm: \(notification.alarm)",
            "",
            body,
        ]
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// SMTP has no Retry-After: the retry stage's own backoff applies.
    public func attempt(_ notification: VaktCore.Notification, site: SiteInfo) async -> DeliveryAttempt {
        DeliveryAttempt(result: await send(notification, site: site), retryAfter: nil)
    }

    private func send(_ notification: VaktCore.Notification, site: SiteInfo) async -> DeliveryResult {
        guard let to = notification.recipient.address, EmailAddress.isValid(to) else {
            return .failed(reason: "recipient \(notification.recipient.id) has no e-mail address", retryable: false)
        }
        let send = SMTPSend(
            url: url, from: from, to: to,
            message: Self.message(notification, from: from, to: to, site: site, date: Date()), username: username,
            password: password, startTLS: startTLS, timeout: timeout)
        let outcome = await CurlQueue.run { flag throws(CurlError) in try send.perform(cancellation: flag) }
        switch outcome {
        case .success(.success): return .delivered
        case .failure(let error):
            return .failed(reason: redaction.apply("\(error)"), retryable: error.isRetryable)
        case .success(.failure(let failure)):
            let reply = failure.reply.map { " (SMTP \($0))" } ?? ""
            let reason = redaction.apply("\(failure.error)\(reply)")
            if let code = failure.reply, code >= 400 {
                return .failed(reason: reason, retryable: code < 500)
            }
            return .failed(reason: reason, retryable: failure.error.isRetryable)
        }
    }
}

/// One blocking SMTP transaction through a fresh libcurl easy handle.
struct SMTPSend {
    struct Failure: Error {
        var error: CurlError
        /// The server's last reply code, when it said one.
        var reply: Int?
    }

    var url: String
    var from: String
    var to: String
    var message: Data
    var username: String?
    var password: String?
    var startTLS: Bool
    var timeout: Double

    func perform(cancellation: CancellationFlag) throws(CurlError) -> Result<Void, Failure> {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else { throw CurlError.failedInit }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipients) }
        recipients = curl_slist_append(nil, "<\(to)>")
        let source = MessageSource(message)
        let sourcePointer = Unmanaged.passUnretained(source).toOpaque()
        let flagPointer = Unmanaged.passUnretained(cancellation).toOpaque()
        let milliseconds = max(1, Int((timeout * 1000).rounded(.up)))

        func check(_ code: CURLcode) throws(CurlError) {
            guard code == CURLE_OK else { throw CurlError(code) }
        }
        try check(vakt_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(vakt_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        try check(vakt_curl_setopt_string(handle, CURLOPT_URL, url))
        try check(vakt_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
        try check(vakt_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients))
        if startTLS { try check(vakt_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))) }
        if let username { try check(vakt_curl_setopt_string(handle, CURLOPT_USERNAME, username)) }
        if let password { try check(vakt_curl_setopt_string(handle, CURLOPT_PASSWORD, password)) }
        try check(vakt_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        try check(vakt_curl_setopt_long(handle, CURLOPT_INFILESIZE, message.count))
        try check(vakt_curl_setopt_read_function(handle, MessageSource.read))
        try check(vakt_curl_setopt_pointer(handle, CURLOPT_READDATA, sourcePointer))
        try check(vakt_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds))
        try check(vakt_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 5000)))
        try check(vakt_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        try check(vakt_curl_setopt_xferinfo_function(handle, CancellationFlag.abortWhenCancelled))
        try check(vakt_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, flagPointer))

        let code = withExtendedLifetime((source, cancellation)) { curl_easy_perform(handle) }
        guard code != CURLE_OK else { return .success(()) }
        var reply = 0
        _ = vakt_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        return .failure(Failure(error: CurlError(code), reply: reply > 0 ? reply : nil))
    }

}

/// Hands the message to libcurl in pieces.
private final class MessageSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ data: Data) { bytes = Array(data) }

    static let read: vakt_curl_read_callback = { buffer, size, count, userdata in
        guard let buffer, let userdata else { return 0 }
        let source = Unmanaged<MessageSource>.fromOpaque(userdata).takeUnretainedValue()
        let length = min(size * count, source.bytes.count - source.offset)
        guard length > 0 else { return 0 }
        source.bytes.withUnsafeBufferPointer {
            UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress! + source.offset, byteCount: length)
        }
        source.offset += length
        return length
    }
}
