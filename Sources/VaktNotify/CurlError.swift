import CCurl

/// A libcurl failure: a `CURLcode` you can `catch` and compare.
///
/// A struct over the raw code rather than an enum, so codes libcurl adds later need no new
/// case (the same shape as GRDB's `ResultCode`): `catch CurlError.couldntConnect { ... }`.
/// The description comes from `curl_easy_strerror` alone, which knows nothing of the request,
/// so it never carries a URL, a header value or a secret.
public struct CurlError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The raw `CURLcode`.
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    init(_ code: CURLcode) { self.rawValue = code.rawValue }

    public static let unsupportedProtocol = CurlError(CURLE_UNSUPPORTED_PROTOCOL)
    public static let failedInit = CurlError(CURLE_FAILED_INIT)
    public static let urlMalformat = CurlError(CURLE_URL_MALFORMAT)
    public static let notBuiltIn = CurlError(CURLE_NOT_BUILT_IN)
    public static let couldntResolveProxy = CurlError(CURLE_COULDNT_RESOLVE_PROXY)
    public static let couldntResolveHost = CurlError(CURLE_COULDNT_RESOLVE_HOST)
    public static let couldntConnect = CurlError(CURLE_COULDNT_CONNECT)
    public static let weirdServerReply = CurlError(CURLE_WEIRD_SERVER_REPLY)
    public static let http2 = CurlError(CURLE_HTTP2)
    public static let partialFile = CurlError(CURLE_PARTIAL_FILE)
    public static let writeError = CurlError(CURLE_WRITE_ERROR)
    public static let readError = CurlError(CURLE_READ_ERROR)
    public static let outOfMemory = CurlError(CURLE_OUT_OF_MEMORY)
    public static let operationTimedout = CurlError(CURLE_OPERATION_TIMEDOUT)
    public static let badFunctionArgument = CurlError(CURLE_BAD_FUNCTION_ARGUMENT)
    public static let abortedByCallback = CurlError(CURLE_ABORTED_BY_CALLBACK)
    public static let tooManyRedirects = CurlError(CURLE_TOO_MANY_REDIRECTS)
    public static let unknownOption = CurlError(CURLE_UNKNOWN_OPTION)
    public static let gotNothing = CurlError(CURLE_GOT_NOTHING)
    public static let sslConnectError = CurlError(CURLE_SSL_CONNECT_ERROR)
    public static let sslCertProblem = CurlError(CURLE_SSL_CERTPROBLEM)
    public static let sslCACertBadFile = CurlError(CURLE_SSL_CACERT_BADFILE)
    public static let peerFailedVerification = CurlError(CURLE_PEER_FAILED_VERIFICATION)
    public static let sendError = CurlError(CURLE_SEND_ERROR)
    public static let recvError = CurlError(CURLE_RECV_ERROR)
    public static let loginDenied = CurlError(CURLE_LOGIN_DENIED)
    /// An SMTP server that does not offer the TLS the channel requires (`starttls: true`).
    public static let useSSLFailed = CurlError(CURLE_USE_SSL_FAILED)

    /// Whether trying again later may succeed.
    ///
    /// Only codes that describe the configuration or this build are permanent (a malformed
    /// URL, a protocol or option libcurl lacks, a certificate that does not verify). Every other
    /// code is a network or server condition and counts as retryable: an alarm notification
    /// should rather be retried than dropped, and the retry policy bounds the attempts.
    public var isRetryable: Bool { !Self.permanent.contains(self) }

    private static let permanent: Set<CurlError> = [
        .unsupportedProtocol, .urlMalformat, .notBuiltIn, .badFunctionArgument, .unknownOption,
        .sslCertProblem, .sslCACertBadFile, .peerFailedVerification, .loginDenied, .useSSLFailed,
    ]

    public var description: String {
        "\(String(cString: curl_easy_strerror(CURLcode(rawValue: rawValue)))) (curl error \(rawValue))"
    }

    /// Lets `catch CurlError.operationTimedout` match a thrown `CurlError`.
    public static func ~= (pattern: CurlError, error: any Error) -> Bool {
        (error as? CurlError) == pattern
    }
}
