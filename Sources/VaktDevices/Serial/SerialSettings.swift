import VaktCore

#if canImport(Glibc)
    import Glibc
#endif

/// How `SerialSettings` (a device profile's speed and framing, declared in VaktCore so profiles
/// can carry it) becomes termios attributes.
///
/// There is no flow control: the legacy receivers and dispensers Vakt talks to wire only RX, TX
/// and ground, and a hub waiting on a CTS line that is not connected would never send an
/// acknowledgement.
extension SerialSettings {
    /// The termios constant of every rate in `supportedBauds`.
    private static let speeds: [Int: speed_t] = [
        300: speed_t(B300), 600: speed_t(B600), 1200: speed_t(B1200), 2400: speed_t(B2400),
        4800: speed_t(B4800), 9600: speed_t(B9600), 19_200: speed_t(B19200), 38_400: speed_t(B38400),
        57_600: speed_t(B57600), 115_200: speed_t(B115200), 230_400: speed_t(B230400),
    ]

    /// The termios speed constant for `baud`, or nil when it is not supported.
    var speed: speed_t? {
        Self.supportedBauds.contains(baud) ? Self.speeds[baud] : nil
    }

    /// Throws for settings no port can be opened with, before any device is touched.
    func validate() throws(SerialError) {
        guard speed != nil else { throw SerialError.unsupportedBaud(baud) }
        guard (5...8).contains(dataBits), stopBits == 1 || stopBits == 2 else {
            throw SerialError.unsupportedFraming(dataBits: dataBits, stopBits: stopBits)
        }
    }

    /// Puts `attributes` in raw mode with these settings.
    ///
    /// Raw: no line editing, no echo, no translation of CR and NL, no signals from received bytes,
    /// so every byte the device sends reaches the decoder unchanged. `CLOCAL` ignores the modem
    /// lines (a receiver without DCD must still be readable), no software or hardware flow control,
    /// and `VMIN = 0, VTIME = 0` so a read never blocks in the kernel: `SerialPort` waits in
    /// `poll()` instead, where it can time out and be woken.
    func apply(to attributes: inout termios) throws(SerialError) {
        try validate()
        guard let speed else { throw SerialError.unsupportedBaud(baud) }
        cfmakeraw(&attributes)
        let size: Int32 =
            switch dataBits {
            case 5: CS5
            case 6: CS6
            case 7: CS7
            default: CS8
            }
        attributes.c_cflag &= ~(tcflag_t(CSIZE | PARENB | PARODD | CSTOPB) | tcflag_t(CRTSCTS))
        attributes.c_cflag |= tcflag_t(size | CLOCAL | CREAD)
        if parity != .none { attributes.c_cflag |= tcflag_t(PARENB) }
        if parity == .odd { attributes.c_cflag |= tcflag_t(PARODD) }
        if stopBits == 2 { attributes.c_cflag |= tcflag_t(CSTOPB) }
        // Parity errors are not checked: a frame with a bad byte fails the decoder's own checksum.
        attributes.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY | INPCK)
        withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&attributes, speed)
        cfsetospeed(&attributes, speed)
    }
}
