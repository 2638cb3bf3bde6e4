import CCurl

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
