import CCurl
import Foundation

/// One blocking HTTP POST through a libcurl easy handle of its channel's `CurlConnections`,
/// reusing a connection an earlier transfer left open.
///
/// Run it off the cooperative pool (see `CurlQueue`): it blocks its thread for up to `timeout`.
/// Redirects are not followed and only `http` and `https` are allowed, so a channel URL cannot
/// be bent into reading files or talking another protocol.
struct HTTPPost {
    /// What came back: the status and the start of the response body.
    struct Response: Sendable, Equatable {
        var status: Int
        /// At most `HTTPPost.bodyLimit` bytes of the body; the rest is read and dropped.
        var body: Data
        /// Seconds the server asked to wait before trying again (`Retry-After`), if it did.
        var retryAfter: Double? = nil
    }

    /// How much of a response body is kept: enough for a 200-character excerpt.
    static let bodyLimit = 2048

    var url: String
    /// `POST` (the default), `PUT`, or `GET` (no body).
    var method = "POST"
    /// Complete header lines, `Name: value`.
    var headers: [String]
    var body: Data
    /// Seconds for the whole attempt.
    var timeout: Double
    /// Seconds for the connection alone, at most `timeout`.
    var connectTimeout: Double
    /// The channel's kept handles and connections.
    var connections: CurlConnections

    init(
        url: String, method: String = "POST", headers: [String], body: Data, timeout: Double, connectTimeout: Double,
        connections: CurlConnections
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.connections = connections
    }

    /// Sends the request and waits for the answer.
    ///
    /// - Parameter cancellation: When set, the transfer aborts within about a second with
    ///   `CurlError.abortedByCallback`.
    /// - Throws: `CurlError` when no HTTP answer arrived (or libcurl could not be set up).
    func perform(cancellation: CancellationFlag) throws(CurlError) -> Response {
        try CurlGlobal.ensureInitialized()
        guard let handle = connections.take() else { throw CurlError.failedInit }
        defer { connections.give(handle) }

        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for line in headers {
            guard let appended = curl_slist_append(list, line) else { throw CurlError.outOfMemory }
            list = appended
        }

        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        let flagPointer = Unmanaged.passUnretained(cancellation).toOpaque()
        let totalMilliseconds = max(1, Int((timeout * 1000).rounded(.up)))
        let connectMilliseconds = max(1, min(totalMilliseconds, Int((connectTimeout * 1000).rounded(.up))))

        try check(vakt_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        if let share = CurlShare.http.handle { try check(vakt_curl_setopt_pointer(handle, CURLOPT_SHARE, share)) }
        try check(vakt_curl_setopt_long(handle, CURLOPT_MAXAGE_CONN, CurlConnections.maxIdle))
        try check(vakt_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(vakt_curl_setopt_string(handle, CURLOPT_URL, url))
        if method == "GET" {
            try check(vakt_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        } else {
            try check(vakt_curl_setopt_long(handle, CURLOPT_POST, 1))
            if method != "POST" { try check(vakt_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
            try check(vakt_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            // COPYPOSTFIELDS copies the bytes now, so the buffer need not outlive this call.
            try check(
                body.withUnsafeBytes {
                    vakt_curl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                })
        }
        try check(vakt_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        try check(vakt_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, totalMilliseconds))
        try check(vakt_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectMilliseconds))
        try check(vakt_curl_setopt_write_function(handle, ResponseSink.write))
        try check(vakt_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
        try check(vakt_curl_setopt_header_function(handle, ResponseSink.header))
        try check(vakt_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer))
        try check(vakt_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        try check(vakt_curl_setopt_xferinfo_function(handle, CancellationFlag.abortWhenCancelled))
        try check(vakt_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, flagPointer))

        let result = withExtendedLifetime((sink, cancellation)) { curl_easy_perform(handle) }
        try check(result)
        var status = 0
        try check(vakt_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return Response(status: status, body: sink.data, retryAfter: sink.retryAfter.flatMap(Self.retryAfter))
    }

    /// A `Retry-After` value in seconds: a number of seconds, or an HTTP date (RFC 9110).
    static func retryAfter(_ value: String) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { max(0, $0.timeIntervalSinceNow) }
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else { throw CurlError(code) }
    }

}

/// Collects the first `HTTPPost.bodyLimit` bytes of a response body.
private final class ResponseSink {
    var data = Data()
    /// The last `Retry-After` header's value.
    var retryAfter: String?

    static let header: vakt_curl_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let pointer, let userdata else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
        if line.lowercased().hasPrefix("retry-after:") {
            Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue().retryAfter = String(
                line.dropFirst("retry-after:".count)
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return length
    }

    static let write: vakt_curl_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let pointer, let userdata else { return length }
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
        let room = HTTPPost.bodyLimit - sink.data.count
        if room > 0 {
            sink.data.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: min(room, length))
        }
        // Claim every byte: returning less would make libcurl fail the transfer.
        return length
    }
}
