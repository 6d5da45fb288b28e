//! The syntax tree of the little shell: the subset of POSIX `sh` that the
//! workshop's lines use (Shell Command Language, IEEE Std 1003.1, ch. 2).

/// One piece of a word, before expansion.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Unquoted text (field splitting does not apply to literal text).
    Lit(String),
    /// Text protected by quotes or a backslash.
    Quoted(String),
    /// `$NAME`, `${NAME}`, `$?`, `$1`.
    Var(String),
    /// `${NAME:-word}` (with `colon`) or `${NAME-word}`.
    VarDefault {
        name: String,
        default: Word,
        colon: bool,
    },
    /// `$(list)` or `` `list` ``.
    Subst(Box<List>),
    /// `$((expression))`: the expression, with its own `$` expansions.
    Arith(Word),
    /// `"..."`: expansions inside, but no field splitting.
    Double(Vec<Part>),
}

/// A word: parts concatenated.
pub type Word = Vec<Part>;

/// What a redirection does.
#[derive(Clone, Debug, PartialEq)]
pub enum RedirOp {
    /// `>` (and `>|`)
    Out,
    /// `>>`
    Append,
    /// `<`
    In,
    /// `<<DELIM`: the body (filled in once its lines are read); unquoted
    /// delimiters make the body subject to `$` expansion.
    HereDoc {
        index: usize,
        expand: bool,
        body: String,
    },
    /// `N>&M` (target fd in `Redirect::target` as text)
    Dup,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    pub fd: u32,
    pub op: RedirOp,
    pub target: Word,
}

/// `NAME=value ... word ... redirections`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Simple {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Simple(Simple),
    /// `for NAME [in WORDS]; do LIST; done`
    For {
        var: String,
        items: Option<Vec<Word>>,
        body: List,
    },
    /// `while LIST; do LIST; done` (`until` when `until`).
    While {
        cond: List,
        body: List,
        until: bool,
    },
    /// `if LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi`
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    /// `{ LIST; }`
    Group(List),
    /// `( LIST )`: variables set inside do not leak out.
    Subshell(List),
}

/// A command with the redirections written after a compound command
/// (`done > file`); simple commands keep theirs in [`Simple`].
#[derive(Clone, Debug, PartialEq)]
pub struct Cmd {
    pub command: Command,
    pub redirects: Vec<Redirect>,
}

/// `[!] cmd | cmd | ...`
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub negate: bool,
    pub cmds: Vec<Cmd>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `pipeline [&& pipeline | || pipeline]...`
#[derive(Clone, Debug, PartialEq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

/// Commands separated by `;`, `&` or newlines.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct List {
    pub items: Vec<AndOr>,
}
