//! Small text helpers shared by the widgets.

/// Display width in columns. Cluster text (names, statuses, messages) is
/// one column per character, which is what we count.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to `width` columns, ending with `…` when it was cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Pads `s` with spaces to `w` columns (cutting it if longer).
pub fn pad(s: &str, w: usize) -> String {
    let s = fit(s, w);
    let n = width(&s);
    format!("{s}{}", " ".repeat(w - n))
}

/// A bar of `width` cells filled to `percent` (eighths for the last cell).
pub fn bar(percent: u16, width: usize) -> String {
    const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let p = percent.min(100) as usize;
    let eighths = p * width * 8 / 100;
    let full = eighths / 8;
    let mut s: String = "█".repeat(full);
    if full < width {
        s.push(if eighths.is_multiple_of(8) {
            '·'
        } else {
            EIGHTHS[eighths % 8]
        });
        s.push_str(&"·".repeat(width - full - 1));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_fits() {
        assert_eq!(bar(50, 4), "██··");
        assert_eq!(bar(0, 3), "···");
        assert_eq!(bar(100, 3), "███");
        assert_eq!(fit("kube-system", 6), "kube-…");
        assert_eq!(fit("web", 6), "web");
    }
}
