/// Fish- and IPython-style suggestions: the rest of the newest history entry
/// that starts with what is typed, shown dim after the cursor, taken with →.
enum Autosuggestion {
    /// The rest of the first of `entries` (newest first) that starts with
    /// `line` and is longer, up to that entry's first line break; nil for a
    /// blank line or no such entry. IPython's AutoSuggestFromHistory does the same.
    static func suggestion(for line: String, entries: some Sequence<String>) -> String? {
        guard !line.allSatisfy(\.isWhitespace), !line.contains("\n") else { return nil }
        for entry in entries where entry.count > line.count && entry.hasPrefix(line) {
            let rest = entry.dropFirst(line.count).prefix { $0 != "\n" }
            if !rest.isEmpty { return String(rest) }
        }
        return nil
    }
}
