#ifndef VAKT_CNCURSES_SHIM_H
#define VAKT_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncurses.h>
#include <stdio.h>

/* Macros and shared mutable globals that Swift cannot import or that Swift 6 rejects. */
static inline int vakt_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int vakt_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline WINDOW *vakt_stdscr(void) { return stdscr; }
static inline int vakt_lines(void) { return LINES; }
static inline int vakt_cols(void) { return COLS; }
static inline int vakt_a_bold(void) { return A_BOLD; }
static inline int vakt_a_reverse(void) { return A_REVERSE; }
static inline int vakt_a_dim(void) { return A_DIM; }
static inline int vakt_a_standout(void) { return A_STANDOUT; }
static inline int vakt_color_pair(int n) { return COLOR_PAIR(n); }
static inline int vakt_mvaddstr(int y, int x, const char *s) { return mvaddstr(y, x, s); }
/* initscr() exits the process when TERM is unset; newterm returns NULL instead. */
static inline SCREEN *vakt_newterm(const char *type) { return newterm(type, stdout, stdin); }
static inline const char *vakt_curses_version(void) { return curses_version(); }
#endif
