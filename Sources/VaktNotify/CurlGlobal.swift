import CCurl
import Foundation

/// libcurl's process-wide setup, done once before the first handle.
enum CurlGlobal {
    /// The result of `curl_global_init`; reading it performs the call exactly once.
    private static let initResult: UInt32 = curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue

    /// Makes sure libcurl is set up.
    ///
    /// - Throws: `CurlError` when `curl_global_init` failed (it is not retried).
    static func ensureInitialized() throws(CurlError) {
        guard initResult == CURLE_OK.rawValue else { throw CurlError(rawValue: initResult) }
    }
}

/// Sets up libcurl (and the TLS library's configuration it loads) at start, so the first
/// notification does not pay for it on an alarm's way out.
///
/// - Throws: `CurlError` when libcurl cannot be set up; every HTTP and SMTP attempt would fail.
public func prepareTransfers() throws(CurlError) {
    try CurlGlobal.ensureInitialized()
}

/// The connections (and TLS sessions, and name lookups) every HTTP transfer shares: a transfer
/// reuses the connection an earlier one left open to the same server, whichever thread ran it.
///
/// A new TCP connection per notification, closed after it, cost about a third of a millisecond
/// of an alarm's way to a phone on loopback (measured, docs/benchmarks.md), and would cost a
/// TLS handshake, several round trips, on a real gateway. libcurl checks a kept connection
/// before it uses it and connects afresh when the server has closed it meanwhile.
final class CurlShare: @unchecked Sendable {
    /// The share for HTTP channels (webhook, SMS gateways, ntfy); it lives as long as the process.
    static let http = CurlShare()
    /// How many idle connections are kept at most (libcurl's default is 5), the oldest closed
    /// first: one per server a site's channels reach, with room to spare.
    static let keptConnections = 32

    /// `nil` when libcurl could not make one: transfers then connect each time.
    let handle: UnsafeMutableRawPointer?
    /// One lock per kind of data libcurl shares, indexed by `curl_lock_data`.
    private let locks = (0..<Int(CURL_LOCK_DATA_LAST.rawValue)).map { _ in NSLock() }

    private init() {
        _ = try? CurlGlobal.ensureInitialized()
        handle = curl_share_init()
        guard let handle else { return }
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = vakt_curl_share_setopt_pointer(handle, CURLSHOPT_USERDATA, me)
        _ = vakt_curl_share_setopt_lock(handle) { _, data, _, user in
            guard let user else { return }
            Unmanaged<CurlShare>.fromOpaque(user).takeUnretainedValue().lock(for: data).lock()
        }
        _ = vakt_curl_share_setopt_unlock(handle) { _, data, user in
            guard let user else { return }
            Unmanaged<CurlShare>.fromOpaque(user).takeUnretainedValue().lock(for: data).unlock()
        }
        for data in [CURL_LOCK_DATA_CONNECT, CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_DNS] {
            _ = vakt_curl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(data.rawValue))
        }
    }

    private func lock(for data: curl_lock_data) -> NSLock {
        locks[min(Int(data.rawValue), locks.count - 1)]
    }
}
