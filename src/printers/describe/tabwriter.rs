//! A port of Go's `text/tabwriter` (left alignment, space padding, no
//! flags), which `kubectl describe` writes through with minwidth 0, tabwidth
//! 8, padding 2 (`describe.go`, `tabbedString`).
//!
//! Cells are tab-terminated; the text after a line's last tab is not part
//! of any column. Column *k* is aligned over each maximal run of consecutive
//! lines that have a tab-terminated cell *k* (printers.md §4.1). A line
//! without any tab flushes the writer, which ends every column block.

/// One cell: its text and its width in runes.
#[derive(Clone, Debug, Default)]
struct Cell {
    text: String,
    width: usize,
}

/// The tab writer. Write text with [`TabWriter::write`], then take the
/// aligned output with [`TabWriter::finish`].
#[derive(Clone, Debug)]
pub struct TabWriter {
    minwidth: usize,
    padding: usize,
    /// Buffered lines; the last one is the line being written.
    lines: Vec<Vec<Cell>>,
    cell: String,
    out: String,
}

impl TabWriter {
    pub fn new(minwidth: usize, padding: usize) -> TabWriter {
        TabWriter {
            minwidth,
            padding,
            lines: vec![Vec::new()],
            cell: String::new(),
            out: String::new(),
        }
    }

    /// The writer `kubectl describe` uses.
    pub fn describe() -> TabWriter {
        TabWriter::new(0, 2)
    }

    fn terminate_cell(&mut self) -> usize {
        let text = std::mem::take(&mut self.cell);
        let width = text.chars().count();
        let line = self.lines.last_mut().expect("always one line");
        line.push(Cell { text, width });
        line.len()
    }

    pub fn write(&mut self, s: &str) {
        for ch in s.chars() {
            match ch {
                '\t' => {
                    self.terminate_cell();
                }
                '\n' => {
                    let ncells = self.terminate_cell();
                    self.lines.push(Vec::new());
                    if ncells == 1 {
                        // A line with one cell cannot influence the layout of
                        // later lines: Go flushes here.
                        self.flush();
                    }
                }
                c => self.cell.push(c),
            }
        }
    }

    /// Formats and emits everything buffered (Go's `Flush`).
    pub fn flush(&mut self) {
        if !self.cell.is_empty() {
            self.terminate_cell();
        }
        let n = self.lines.len();
        let mut widths = Vec::new();
        self.format(&mut widths, 0, n);
        self.lines = vec![Vec::new()];
        self.cell.clear();
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    fn format(&mut self, widths: &mut Vec<usize>, line0: usize, line1: usize) {
        let column = widths.len();
        let mut line0 = line0;
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: print the lines before the block.
            self.write_lines(widths, line0, this);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + self.padding);
                this += 1;
            }
            widths.push(width);
            self.format(widths, line0, this);
            widths.pop();
            line0 = this;
        }
        self.write_lines(widths, line0, line1);
    }

    fn write_lines(&mut self, widths: &[usize], line0: usize, line1: usize) {
        let total = self.lines.len();
        for i in line0..line1 {
            for (j, c) in self.lines[i].iter().enumerate() {
                self.out.push_str(&c.text);
                if j < widths.len() {
                    let pad = widths[j].saturating_sub(c.width);
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 != total {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(s: &str) -> String {
        let mut w = TabWriter::describe();
        w.write(s);
        w.finish()
    }

    /// The example of Go's tabwriter package documentation: `b` and `c` are
    /// in different columns because the `b` column is not contiguous.
    #[test]
    fn columns_are_blocks_of_consecutive_lines() {
        let out = tab("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n");
        assert_eq!(
            out,
            "aaaa  bbb  d\naa    b    dd\na     \naa    cccc  eee\n"
        );
    }

    /// A line without a tab ends the block (printers.md §4.1 worked example).
    #[test]
    fn a_title_line_ends_the_block() {
        let out = tab("Name:\tweb\nService Account:\tdefault\nIPs:\n  IP:\t10.244.1.5\nControlled By:\tReplicaSet/web\n");
        assert_eq!(
            out,
            "Name:             web\nService Account:  default\nIPs:\n  IP:           10.244.1.5\nControlled By:  ReplicaSet/web\n"
        );
    }

    #[test]
    fn trailing_text_is_not_padded_but_empty_cells_are() {
        assert_eq!(tab("a\t\nbbb\tx\n"), "a    \nbbb  x\n");
    }
}
