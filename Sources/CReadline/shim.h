// GNU readline for kls. Readline's globals are shared mutable C state, which
// Swift 6 rejects, so everything Swift needs goes through these small functions.
#ifndef KLS_READLINE_SHIM_H
#define KLS_READLINE_SHIM_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <ctype.h>
#include <readline/readline.h>
#include <readline/history.h>

typedef char **(*kls_completer)(const char *text, int start, int end);

// State lives in function-local statics: Swift's Clang importer emits the static
// inline functions below but not file-scope static variables.

/// Set when SIGINT arrives; taken (and cleared) by kls_take_interrupt.
static inline volatile sig_atomic_t *kls_interrupt_flag(void) {
    static volatile sig_atomic_t pending = 0;
    return &pending;
}

/// The thread reading lines, and a Swift callback run on SIGINT.
static inline pthread_t *kls_reader_thread(void) {
    static pthread_t thread;
    return &thread;
}

static inline void (**kls_interrupt_extra(void))(void) {
    static void (*extra)(void) = 0;
    return &extra;
}

/// The prompt shown after Ctrl-C (the REPL's primary prompt).
static inline char **kls_fresh_prompt(void) {
    static char *prompt = 0;
    return &prompt;
}

/// Called by readline (in normal context) whenever a signal interrupts its
/// read. readline then simply reads again, so on Ctrl-C the line is cleared and
/// a fresh prompt drawn in place; the REPL sees the flag when the next line
/// comes back and drops any unfinished statement.
static inline int kls_signal_hook(void) {
    if (*kls_interrupt_flag()) {
        rl_replace_line("", 0);
        rl_crlf();
        if (*kls_fresh_prompt()) rl_set_prompt(*kls_fresh_prompt());
        rl_on_new_line();
        rl_redisplay();
    }
    return 0;
}

static inline void kls_set_fresh_prompt(const char *prompt) {
    free(*kls_fresh_prompt());
    *kls_fresh_prompt() = strdup(prompt);
}

/// Only sets flags, the one thing a signal handler may safely do (the Swift
/// callback is an atomic store). A process-directed SIGINT may land on any
/// thread; only the one blocked in readline's read() gets EINTR, so the signal
/// is forwarded there.
static inline void kls_on_sigint(int signal) {
    if (!pthread_equal(pthread_self(), *kls_reader_thread())) {
        pthread_kill(*kls_reader_thread(), signal);
        return;
    }
    *kls_interrupt_flag() = 1;
    void (*extra)(void) = *kls_interrupt_extra();
    if (extra) extra();
}

/// Installs the SIGINT handler without SA_RESTART, so a blocking read in
/// readline returns and readline runs the signal hook.
static inline void kls_install_sigint(void (*extra)(void)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = kls_on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    *kls_interrupt_extra() = extra;
    *kls_reader_thread() = pthread_self();
    sigaction(SIGINT, &action, NULL);
}

/// 1 if SIGINT arrived since the last call.
static inline int kls_take_interrupt(void) {
    int was = *kls_interrupt_flag();
    *kls_interrupt_flag() = 0;
    return was;
}

/// Draws over the line readline has just drawn: the prompt shown, the line,
/// the cursor's byte offset, and the screen's columns and rows.
typedef void (*kls_painter)(const char *prompt, const char *line, int point, int columns, int rows);

static inline kls_painter *kls_painter_slot(void) {
    static kls_painter painter = 0;
    return &painter;
}

/// Readline's own redisplay (which keeps its model of the screen right), then
/// the painter over it: it rewrites the same characters in colour.
static inline void kls_redisplay(void) {
    rl_redisplay();
    kls_painter painter = *kls_painter_slot();
    if (!painter || !rl_line_buffer) return;
    int rows = 0, columns = 0;
    rl_get_screen_size(&rows, &columns);
    painter(rl_display_prompt ? rl_display_prompt : "", rl_line_buffer, rl_point, columns, rows);
}

/// Installs `painter` (0 removes it) as part of readline's redisplay, from the
/// next line on. Readline treats a terminal as dumb (no cursor motion, one row,
/// sideways scrolling) when it first sets up with a redisplay function of the
/// application's own, so the function is swapped in by the startup hook, after
/// that set-up.
static inline void kls_set_painter(kls_painter painter) {
    *kls_painter_slot() = painter;
    if (!painter) rl_redisplay_function = rl_redisplay;
}

/// 1 when readline shows a long line scrolled sideways on one row (the user's
/// `set horizontal-scroll-mode on`, or readline's choice).
static inline int kls_scrolls_horizontally(void) {
    const char *value = rl_variable_value("horizontal-scroll-mode");
    return value && strcmp(value, "on") == 0;
}

/// The screen's width and height as readline knows them (after a resize too).
static inline int kls_screen_columns(void) {
    int rows = 0, columns = 0;
    rl_get_screen_size(&rows, &columns);
    return columns;
}

/// Cells a character takes on the terminal (-1 for a control character).
/// glibc declares wcwidth only under _XOPEN_SOURCE, which SwiftPM drops from
/// readline's flags; the symbol is always there.
extern int wcwidth(wchar_t c);
static inline int kls_character_width(unsigned int c) { return wcwidth((wchar_t)c); }

/// Writes `text` where readline draws, at once.
static inline void kls_write_display(const char *text) {
    FILE *out = rl_outstream ? rl_outstream : stdout;
    fputs(text, out);
    fflush(out);
}

/// The rest of the line suggested from history (malloc'd, or 0), from Swift.
typedef char *(*kls_suggester)(const char *line);

static inline kls_suggester *kls_suggester_slot(void) {
    static kls_suggester suggester = 0;
    return &suggester;
}

/// → (or End, Ctrl-E, Ctrl-F) at the end of the line with a suggestion showing
/// accepts it, as in fish and IPython; otherwise the key does what it did.
static inline int kls_accept_or(int count, int key, rl_command_func_t *otherwise) {
    kls_suggester suggester = *kls_suggester_slot();
    if (suggester && rl_point == rl_end && rl_line_buffer) {
        char *rest = suggester(rl_line_buffer);
        if (rest) {
            rl_insert_text(rest);
            free(rest);
            return 0;
        }
    }
    return otherwise(count, key);
}

/// Alt-F (or Ctrl-→) at the end of the line takes the suggestion's next word
/// (what precedes it, then letters, digits and '_'), as IPython's Alt-F does.
static inline int kls_accept_word_or_forward_word(int count, int key) {
    kls_suggester suggester = *kls_suggester_slot();
    if (suggester && rl_point == rl_end && rl_line_buffer) {
        char *rest = suggester(rl_line_buffer);
        if (rest) {
            size_t i = 0;
            while (rest[i] && !(isalnum((unsigned char)rest[i]) || rest[i] == '_')) i++;
            while (rest[i] && (isalnum((unsigned char)rest[i]) || rest[i] == '_' || (unsigned char)rest[i] >= 0x80)) i++;
            rest[i] = 0;
            rl_insert_text(rest);
            free(rest);
            return 0;
        }
    }
    return rl_forward_word(count, key);
}

static inline int kls_accept_or_forward(int count, int key) { return kls_accept_or(count, key, rl_forward_char); }
static inline int kls_accept_or_end(int count, int key) { return kls_accept_or(count, key, rl_end_of_line); }

/// Installs `suggester` (0 removes it): suggestions are drawn by the painter.
static inline void kls_set_suggester(kls_suggester suggester) { *kls_suggester_slot() = suggester; }

/// History entry `back` steps from the newest (0), or 0 past the oldest.
static inline const char *kls_history_back(int back) {
    if (back < 0 || back >= history_length) return 0;
    HIST_ENTRY *entry = history_get(history_base + history_length - 1 - back);
    return entry ? entry->line : 0;
}

/// Runs at the start of each line, after readline has set up the terminal and
/// its keymaps and read ~/.inputrc (bindings made before that are overwritten).
/// Each line: the painter, if any, joins the redisplay. Once:
/// ↑/↓ search the history by what is typed before the cursor (IPython's and
/// Julia's arrows), in both of a terminal's cursor-key modes — with nothing
/// typed they step through it as usual — and a closing bracket briefly shows
/// its opening partner.
static inline int kls_bind_keys(void) {
    rl_redisplay_function = *kls_painter_slot() ? kls_redisplay : rl_redisplay;
    static int bound = 0;
    if (bound) return 0;
    bound = 1;
    const char *bindings[] = {
        "\"\\e[A\": history-search-backward", "\"\\e[B\": history-search-forward",
        "\"\\eOA\": history-search-backward", "\"\\eOB\": history-search-forward",
        "set blink-matching-paren on",
    };
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
        // rl_parse_and_bind may write into its argument: give it a copy.
        char *line = strdup(bindings[i]);
        if (line) {
            rl_parse_and_bind(line);
            free(line);
        }
    }
    // → and End in both cursor-key modes, Ctrl-F and Ctrl-E: accept a suggestion.
    const char *forward[] = {"\033[C", "\033OC", "\006"};
    const char *end[] = {"\033[F", "\033OF", "\033[4~", "\033[8~", "\005"};
    for (size_t i = 0; i < sizeof forward / sizeof forward[0]; i++)
        rl_bind_keyseq(forward[i], kls_accept_or_forward);
    for (size_t i = 0; i < sizeof end / sizeof end[0]; i++)
        rl_bind_keyseq(end[i], kls_accept_or_end);
    const char *word[] = {"\033f", "\033[1;5C", "\033[1;3C"};
    for (size_t i = 0; i < sizeof word / sizeof word[0]; i++)
        rl_bind_keyseq(word[i], kls_accept_word_or_forward_word);
    return 0;
}

/// Names the application, installs the completer and the characters that
/// end a word for completion (copied: readline keeps the pointer for good),
/// lets kls handle signals itself, and binds the arrows to prefix search.
static inline void kls_readline_setup(kls_completer completer, const char *word_breaks) {
    rl_readline_name = "kls";
    rl_attempted_completion_function = completer;
    rl_completer_word_break_characters = strdup(word_breaks);
    rl_catch_signals = 0;
    rl_signal_event_hook = kls_signal_hook;
    rl_startup_hook = kls_bind_keys;
    // Otherwise a word that starts after a quote gets that quote appended when
    // it completes — a folder's path too, closing the string too early. kls's
    // completer says itself what follows a match.
    rl_basic_quote_characters = "";
}

/// Inside the completer: no fallback to readline's filename completion, and
/// the character appended after a unique match (0 for none, e.g. after a '/').
static inline void kls_completion_options(int append_character) {
    rl_attempted_completion_over = 1;
    rl_completion_append_character = append_character;
}

/// The line being edited, up to the cursor.
static inline const char *kls_line_buffer(void) { return rl_line_buffer ? rl_line_buffer : ""; }
static inline int kls_line_point(void) { return rl_point; }

/// A NULL-terminated, malloc'd match array as readline expects (it frees it):
/// element 0 is the text to insert (the longest common prefix), then matches.
static inline char **kls_match_array(int count) {
    char **matches = (char **)calloc((size_t)count + 2, sizeof(char *));
    return matches;
}

static inline void kls_match_set(char **matches, int index, const char *text) {
    matches[index] = strdup(text);
}

#endif
