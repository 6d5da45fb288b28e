//! Terminal hygiene and the frame loop.
//!
//! The terminal is put back (raw mode off, main screen, cursor shown) when
//! the loop ends, when the guard is dropped on an early return, and by a
//! panic hook before the panic message is printed (ratatui's template
//! `errors.rs` habit). Ctrl-C arrives as a key in raw mode and quits.
//! Resizes need nothing: each draw fits the current size.

use super::app::App;
use super::keys;
use super::source::Source;
use super::ui;
use super::update::update;
use crossterm::event::{self, Event, KeyEvent};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::Terminal;
use std::io::{self, Stdout};
use std::time::{Duration, Instant};

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Restores the terminal on drop.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen; installs the panic hook.
pub fn setup() -> io::Result<(Guard, Terminal<CrosstermBackend<Stdout>>)> {
    install_panic_hook();
    enable_raw_mode()?;
    let guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    let term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((guard, term))
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Frames per second of the dashboard.
pub const FPS: u32 = 25;

/// Draws at a steady frame rate; between frames, runs the simulation (for
/// at most 60 % of a frame) and handles keys as they come.
pub fn run_loop<B: Backend>(
    term: &mut Terminal<B>,
    app: &mut App,
    source: &mut dyn Source,
) -> io::Result<()> {
    let frame = Duration::from_secs(1) / FPS;
    let budget = frame * 3 / 5;
    loop {
        #[allow(clippy::disallowed_methods)] // the TUI loop is a pacing edge
        let start = Instant::now();
        source.advance(app, start, budget);
        if app.frame.is_multiple_of(10) {
            source.refresh_pane(app);
        }
        term.draw(|f| ui::draw(f, app))?;
        app.frame += 1;
        let deadline = start + frame;
        loop {
            #[allow(clippy::disallowed_methods)] // the TUI loop is a pacing edge
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            if !event::poll(deadline - now)? {
                break;
            }
            if let Event::Key(key) = event::read()? {
                handle_key(app, source, key);
                if app.quit {
                    return Ok(());
                }
                // Answer keys at once rather than at the next frame.
                term.draw(|f| ui::draw(f, app))?;
            }
        }
    }
}

/// Handles one key event: maps it (Alt+key as Esc then the key, see
/// [`keys::unfold`]), updates the app and carries out the effects. Stops
/// at a quit.
pub fn handle_key(app: &mut App, source: &mut dyn Source, key: KeyEvent) {
    // Each key is mapped in the mode the previous one left.
    for k in keys::unfold(key) {
        if let Some(a) = keys::action_for(app.mode, k) {
            for e in update(app, a) {
                #[allow(clippy::disallowed_methods)] // the TUI loop is a pacing edge
                let wall = Instant::now();
                source.apply(app, e, wall);
            }
        }
        if app.quit {
            return;
        }
    }
}
