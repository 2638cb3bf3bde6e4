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

/// The TLS sessions and name lookups every HTTP transfer shares, whichever thread runs it
/// (with locks: libcurl supports sharing these between threads, but not connections; those
/// are kept per channel, `CurlConnections`).
final class CurlShare: @unchecked Sendable {
    /// The share for HTTP channels; it lives as long as the process.
    static let http = CurlShare()

    /// `nil` when libcurl could not make one or refused a setting: transfers then share
    /// nothing, which costs only a full TLS handshake where a resumed one would do.
    private(set) var handle: UnsafeMutableRawPointer?  // set once, in `init`
    /// One lock per kind of data libcurl shares, indexed by `curl_lock_data`.
    private let locks = (0..<Int(CURL_LOCK_DATA_LAST.rawValue)).map { _ in NSLock() }

    private init() {
        _ = try? CurlGlobal.ensureInitialized()
        guard let share = curl_share_init() else { return }
        let me = Unmanaged.passUnretained(self).toOpaque()
        var codes = [
            vakt_curl_share_setopt_pointer(share, CURLSHOPT_USERDATA, me),
            vakt_curl_share_setopt_lock(share) { _, data, _, user in
                guard let user else { return }
                Unmanaged<CurlShare>.fromOpaque(user).takeUnretainedValue().lock(for: data).lock()
            },
            vakt_curl_share_setopt_unlock(share) { _, data, user in
                guard let user else { return }
                Unmanaged<CurlShare>.fromOpaque(user).takeUnretainedValue().lock(for: data).unlock()
            },
        ]
        for data in [CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_DNS] {
            codes.append(vakt_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(data.rawValue)))
        }
        if codes.allSatisfy({ $0 == CURLSHE_OK }) {
            handle = share
        } else {
            curl_share_cleanup(share)
        }
    }

    private func lock(for data: curl_lock_data) -> NSLock {
        locks[min(Int(data.rawValue), locks.count - 1)]
    }
}

/// A channel's libcurl easy handles, kept between transfers so a transfer reuses the
/// connection an earlier one left open to the channel's server: libcurl keeps a handle's
/// connections across `curl_easy_reset`, which clears every option a transfer set. Each
/// handle serves one transfer at a time.
///
/// A new TCP connection per notification, closed after it, cost about a third of a
/// millisecond of an alarm's way to a phone on loopback, measured with marks along the path;
/// on a real gateway it costs a TLS handshake, several round trips. libcurl checks a kept
/// connection before it uses it and connects afresh when the server has closed it (a FIN or
/// RST came). One idle longer than `maxIdle` is not used at all: a connection a firewall or
/// NAT dropped without a word can cost an attempt its timeout only within that window, as
/// any connection dying mid-request does.
final class CurlConnections: @unchecked Sendable {
    /// Seconds a kept connection may have been idle and still be used.
    static let maxIdle = 30
    /// How many handles wait at most between transfers; beyond, a returned handle is cleaned
    /// up with its connections.
    static let kept = 4

    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    /// A handle with every option at its default (a kept one, reset), or `nil` when libcurl
    /// cannot make one. Give it back with `give` when its transfer has ended.
    func take() -> UnsafeMutableRawPointer? {
        lock.withLock { idle.popLast() } ?? curl_easy_init()
    }

    /// Returns a handle from `take` once its transfer has ended (an aborted or failed transfer
    /// has closed its connection; the handle stays good).
    func give(_ handle: UnsafeMutableRawPointer) {
        // Reset now rather than at the next take: an idle handle holds no copy of the last
        // request (its body names a resident and a room) and no pointers to what was freed.
        curl_easy_reset(handle)
        let kept = lock.withLock {
            guard idle.count < Self.kept else { return false }
            idle.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }
}
