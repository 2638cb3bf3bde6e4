import CNcurses
import Foundation

/// The terminal, through ncurses: draws frames, reads keys, rings the bell.
///
/// Uses `newterm`, not `initscr`, which would end the process when TERM is unset or unknown.
/// Colours are used when the terminal has them; every style also reads in monochrome.
public final class Terminal {
    public enum Failure: Error, CustomStringConvertible {
        case noTerminal(String)
        public var description: String {
            switch self {
            case .noTerminal(let term):
                "cannot use the terminal (TERM=\(term.isEmpty ? "unset" : term)): run the dashboard in a terminal"
            }
        }
    }

    private let screen: OpaquePointer
    private let colours: Bool

    /// - Parameter keyTimeout: How long `readKey` waits for a key, in milliseconds.
    public init(keyTimeout: Int32 = 250) throws {
        setlocale(LC_ALL, "")
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0, let screen = vakt_newterm(nil) else {
            throw Failure.noTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        self.screen = screen
        set_term(screen)
        cbreak()
        noecho()
        keypad(vakt_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        timeout(keyTimeout)
        colours = has_colors()
        if colours {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_RED), -1)  // critical
            init_pair(2, Int16(COLOR_YELLOW), -1)  // high
            init_pair(3, Int16(COLOR_WHITE), Int16(COLOR_RED))  // alert banner
            init_pair(4, Int16(COLOR_BLACK), Int16(COLOR_CYAN))  // header
            init_pair(5, Int16(COLOR_RED), -1)  // error
        }
    }

    /// Rows and columns now (they change when the window is resized).
    public var size: (width: Int, height: Int) {
        (Int(vakt_getmaxx(vakt_stdscr())), Int(vakt_getmaxy(vakt_stdscr())))
    }

    public func draw(_ frame: Frame) {
        erase()
        for (y, line) in frame.lines.enumerated() where y < frame.height {
            var x = 0
            for span in line {
                // The last cell of the last row would scroll the screen: leave it empty.
                let room = frame.width - x - (y == frame.height - 1 ? 1 : 0)
                guard room > 0 else { break }
                let text = String(span.text.prefix(room))
                let attributes = attributes(for: span.style)
                attron(attributes)
                _ = vakt_mvaddstr(Int32(y), Int32(x), text)
                attroff(attributes)
                x += text.count
            }
        }
        refresh()
    }

    private func attributes(for style: Style) -> Int32 {
        let bold = Int32(vakt_a_bold())
        let reverse = Int32(vakt_a_reverse())
        switch style {
        case .normal: return 0
        case .dim: return Int32(vakt_a_dim())
        case .bold: return bold
        case .selected: return reverse | bold
        case .header: return colours ? Int32(vakt_color_pair(4)) : reverse
        case .critical: return bold | (colours ? Int32(vakt_color_pair(1)) : 0)
        case .high: return colours ? Int32(vakt_color_pair(2)) : bold
        case .alert: return bold | (colours ? Int32(vakt_color_pair(3)) : reverse)
        case .error: return bold | (colours ? Int32(vakt_color_pair(5)) : 0)
        }
    }

    /// The next key, or nil when none came within the timeout (or the window was resized:
    /// the next draw uses the new size).
    public func readKey() -> Key? {
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            switch Int32(character) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            default: return nil
            }
        }
        switch character {
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard character >= 32, let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A new critical alarm: the bell, and the screen flashes where the terminal can.
    public func alert() {
        beep()
        flash()
    }

    /// Gives the terminal back as it was.
    public func close() {
        endwin()
        delscreen(screen)
    }
}
