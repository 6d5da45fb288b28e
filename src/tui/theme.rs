//! Colours with meaning, in k9s's two layers: a steady colour for a row's
//! status, and a brief highlight when it was added, changed or deleted
//! (k9s skins' `addColor`, `modifyColor`, `errorColor`, `pendingColor`,
//! `killColor`, `completedColor`). In monochrome (`NO_COLOR`, a terminal
//! without colours) nothing depends on colour: statuses are words in the
//! table, changes get a `+ ~ -` mark in the first column, and the selection
//! is shown in reverse video.

use super::app::StatusClass;
use super::cache::Change;
use ratatui::style::{Color, Modifier, Style};

/// The palette in use.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub const COLOR: Theme = Theme { color: true };
    pub const MONO: Theme = Theme { color: false };

    /// Colour unless `NO_COLOR` is set (no-color.org), `TERM` is `dumb`, or
    /// the terminal reports fewer than 8 colours.
    pub fn detect() -> Theme {
        let no_color = std::env::var_os("NO_COLOR");
        let term = std::env::var("TERM").ok();
        Theme::from_env(
            no_color.as_deref().and_then(|v| v.to_str()),
            term.as_deref(),
            crossterm::style::available_color_count(),
        )
    }

    /// [`Theme::detect`]'s decision from `NO_COLOR`'s value, `TERM` and
    /// the number of colours the terminal reports. no-color.org: a
    /// `NO_COLOR` that is present and not empty turns colour off.
    pub fn from_env(no_color: Option<&str>, term: Option<&str>, colors: u16) -> Theme {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        let dumb = term == Some("dumb");
        Theme {
            color: !(no_color || dumb || colors < 8),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The steady colour of a status.
    pub fn status(&self, s: StatusClass) -> Style {
        match s {
            StatusClass::Ok => self.fg(Color::Green),
            StatusClass::Pending => self.fg(Color::Yellow),
            StatusClass::Error => self.fg(Color::Red).add_modifier(if self.color {
                Modifier::empty()
            } else {
                Modifier::BOLD
            }),
            StatusClass::Completed => self.fg(Color::DarkGray),
            StatusClass::Terminating => self.fg(Color::Magenta),
            StatusClass::Neutral => Style::new(),
        }
    }

    /// The brief highlight of a changed row, laid over its status colour.
    pub fn change(&self, c: Change) -> Style {
        if !self.color {
            return match c {
                Change::Deleted => Style::new().add_modifier(Modifier::CROSSED_OUT),
                _ => Style::new().add_modifier(Modifier::BOLD),
            };
        }
        match c {
            Change::Added => Style::new().bg(Color::Blue).fg(Color::White),
            Change::Modified => Style::new().bg(Color::Rgb(70, 70, 0)),
            Change::Deleted => Style::new()
                .bg(Color::Rgb(90, 0, 0))
                .add_modifier(Modifier::CROSSED_OUT),
        }
    }

    /// The mark a changed row carries in its first column.
    pub fn change_mark(c: Option<Change>) -> &'static str {
        match c {
            Some(Change::Added) => "+",
            Some(Change::Modified) => "~",
            Some(Change::Deleted) => "-",
            None => " ",
        }
    }

    /// The selected row: reversed, so it shows in its status colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// A usage bar's colour: green, yellow from 70 %, red from 90 %.
    pub fn usage(&self, percent: u16) -> Style {
        match percent {
            0..70 => self.fg(Color::Green),
            70..90 => self.fg(Color::Yellow),
            _ => self.fg(Color::Red),
        }
    }

    /// A pod tile: a coloured square, or a letter in monochrome.
    pub fn tile(&self, s: StatusClass) -> (&'static str, Style) {
        if self.color {
            ("■", self.status(s))
        } else {
            let c = match s {
                StatusClass::Ok => "R",
                StatusClass::Pending => "P",
                StatusClass::Error => "E",
                StatusClass::Completed => "C",
                StatusClass::Terminating => "T",
                StatusClass::Neutral => "?",
            };
            (c, Style::new())
        }
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    #[test]
    fn no_color_dumb_terminals_and_few_colours_are_monochrome() {
        let t = |nc, term, n| Theme::from_env(nc, term, n);
        assert_eq!(t(None, Some("xterm-256color"), 256), Theme::COLOR);
        assert_eq!(t(Some("1"), Some("xterm-256color"), 256), Theme::MONO);
        // no-color.org: present *and not empty*.
        assert_eq!(t(Some(""), Some("xterm-256color"), 256), Theme::COLOR);
        assert_eq!(t(None, Some("dumb"), 256), Theme::MONO);
        assert_eq!(t(None, Some("vt100"), 2), Theme::MONO);
        assert_eq!(t(None, Some("xterm"), 8), Theme::COLOR);
    }
}
