//! Go's `text/tabwriter` with describe's settings (minwidth 0, tabwidth 8,
//! padding 2, pad char space, no flags): a column is aligned over a run of
//! consecutive lines that all have a cell in it; a line with fewer cells
//! ends the block (printers.md §4.1). Ported from `tabwriter.format`.

/// Aligns text whose cells are separated by TABs.
pub fn align(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text
        .split_terminator('\n')
        .map(|l| l.split('\t').collect())
        .collect();
    let mut out = String::new();
    let mut widths: Vec<usize> = Vec::new();
    format(
        &lines,
        0,
        lines.len(),
        &mut widths,
        minwidth,
        padding,
        &mut out,
    );
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        // Cells of a line: all but the last are tab-terminated.
        if column >= lines[this].len() - 1 {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut w = minwidth;
        while this < line1 {
            let line = &lines[this];
            if column >= line.len() - 1 {
                break;
            }
            w = w.max(width(line[column]) + padding);
            this += 1;
        }
        widths.push(w);
        format(lines, line0, this, widths, minwidth, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &[usize],
    out: &mut String,
) {
    for line in &lines[line0..line1] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                // A tab-terminated cell: padded to its column's width.
                let w = widths.get(j).copied().unwrap_or(0);
                let pad = w.saturating_sub(width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_lines_without_tabs() {
        // printers.md §4.1: "IPs:" ends the block.
        let t = "Name:\tweb\nService Account:\tdefault\nIPs:\n  IP:\t10.244.1.5\nControlled By:\tReplicaSet/web\n";
        assert_eq!(
            align(t, 0, 2),
            "Name:             web\nService Account:  default\nIPs:\n  IP:           10.244.1.5\nControlled By:  ReplicaSet/web\n"
        );
    }
}
