import Testing
import VaktCore

@testable import VaktDevices

#if canImport(Glibc)
    import Glibc
#endif

/// The termios attributes `settings` produce, from a fresh (cooked) set.
private func attributes(for settings: SerialSettings) throws -> termios {
    var attributes = termios()
    attributes.c_lflag = tcflag_t(ICANON | ECHO | ISIG)
    attributes.c_cflag = tcflag_t(CRTSCTS)
    attributes.c_iflag = tcflag_t(IXON | ICRNL)
    try settings.apply(to: &attributes)
    return attributes
}

private func dataBits(_ attributes: termios) -> Int32 { Int32(attributes.c_cflag & tcflag_t(CSIZE)) }

private func has(_ attributes: termios, _ flag: Int32) -> Bool { attributes.c_cflag & tcflag_t(flag) != 0 }

@Suite struct SerialSettingsTests {
    @Test func everySupportedRateHasATermiosSpeed() {
        for baud in SerialSettings.supportedBauds {
            #expect(SerialSettings(baud: baud).speed != nil, "\(baud)")
        }
        #expect(SerialSettings(baud: 9600).speed == speed_t(B9600))
        #expect(SerialSettings(baud: 115_200).speed == speed_t(B115200))
    }

    @Test func sevenEvenOne() throws {
        let result = try attributes(for: SerialSettings(baud: 1200, dataBits: 7, parity: .even, stopBits: 1))
        #expect(dataBits(result) == CS7)
        #expect(has(result, PARENB))
        #expect(!has(result, PARODD))
        #expect(!has(result, CSTOPB))
        var copy = result
        #expect(cfgetispeed(&copy) == speed_t(B1200))
        #expect(cfgetospeed(&copy) == speed_t(B1200))
    }

    @Test func eightNoneTwo() throws {
        let result = try attributes(for: SerialSettings(baud: 19_200, dataBits: 8, parity: .none, stopBits: 2))
        #expect(dataBits(result) == CS8)
        #expect(!has(result, PARENB))
        #expect(has(result, CSTOPB))
    }

    @Test func oddParityAndSmallSizes() throws {
        let odd = try attributes(for: SerialSettings(dataBits: 8, parity: .odd))
        #expect(has(odd, PARENB) && has(odd, PARODD))
        #expect(dataBits(try attributes(for: SerialSettings(dataBits: 5))) == CS5)
        #expect(dataBits(try attributes(for: SerialSettings(dataBits: 6))) == CS6)
    }

    @Test func rawWithoutFlowControl() throws {
        let result = try attributes(for: SerialSettings())
        #expect(result.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0)
        #expect(result.c_iflag & tcflag_t(IXON | IXOFF | ICRNL | INPCK | ISTRIP) == 0)
        #expect(result.c_oflag & tcflag_t(OPOST) == 0)
        #expect(result.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(has(result, CLOCAL) && has(result, CREAD))
        var copy = result
        withUnsafeBytes(of: &copy.c_cc) { cc in
            #expect(cc[Int(VMIN)] == 0)
            #expect(cc[Int(VTIME)] == 0)
        }
    }

    @Test func refusesWhatNoPortCanDo() {
        #expect(throws: SerialError.unsupportedBaud(12_345)) { try SerialSettings(baud: 12_345).validate() }
        #expect(throws: SerialError.unsupportedFraming(dataBits: 9, stopBits: 1)) {
            try SerialSettings(dataBits: 9).validate()
        }
        #expect(throws: SerialError.unsupportedFraming(dataBits: 8, stopBits: 3)) {
            try SerialSettings(stopBits: 3).validate()
        }
        #expect(SerialError.unsupportedBaud(12_345).description.contains("9600"))
    }
}
