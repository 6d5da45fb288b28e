//! The little shell: workshop lines paste as they are. A real (small)
//! parser for `sh` syntax ([`parser`]), an executor ([`exec`]) that routes
//! output between the terminal, pipes, files and `$(...)`, and the text
//! tools the workshop pipes into ([`builtins`], [`jq`]).

pub mod arith;
pub mod ast;
pub mod builtins;
pub mod exec;
pub mod jq;
pub mod parser;

pub use exec::{Shell, INTERRUPTED};
pub use parser::{is_complete, parse, ParseError};
