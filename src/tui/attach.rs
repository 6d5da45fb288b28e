//! Attach mode (placeholder).

use super::theme::Theme;

pub fn run(_url: &str, _theme: Theme) -> Result<(), String> {
    Err("attach mode is not available yet".into())
}
