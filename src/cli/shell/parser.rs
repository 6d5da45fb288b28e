//! A recursive-descent parser for the little shell, following the grammar
//! of POSIX `sh` (Shell Command Language §2.9/§2.10) for the constructs it
//! supports: simple commands with assignments and redirections, pipelines,
//! `&&`/`||`, `;`/`&`/newline lists, `for`, `while`/`until`, `if`, `{ }`,
//! `( )`, quotes, `$VAR`, `${VAR}`, `${VAR:-word}`, `$(...)`, backquotes,
//! `$((...))`, comments and here-documents.
//!
//! A text that stops in the middle of a construct (an open quote, a
//! here-document without its delimiter, `for` without `done`, a trailing
//! `&&` or `|` or `\`) is [`ParseError::Incomplete`]: the REPL and script
//! mode then read the next line and try again, as an interactive `sh` does.

use super::ast::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// More lines are needed.
    Incomplete,
    /// The text cannot be a command, worded as `bash` words it.
    Syntax(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Incomplete => f.write_str("kubesim: syntax error: unexpected end of file"),
            ParseError::Syntax(m) => write!(f, "kubesim: {m}"),
        }
    }
}

type R<T> = Result<T, ParseError>;

/// Parses a whole text (one or several lines).
pub fn parse(text: &str) -> R<List> {
    let mut p = Parser::new(text);
    let mut list = p.list(&Stop::Eof)?;
    if !p.pending.is_empty() {
        return Err(ParseError::Incomplete);
    }
    let bodies = std::mem::take(&mut p.bodies);
    fill_list(&mut list, &bodies);
    Ok(list)
}

/// Does the text form complete commands (or a syntax error, which more
/// lines cannot fix)?
pub fn is_complete(text: &str) -> bool {
    !matches!(parse(text), Err(ParseError::Incomplete))
}

/// The word of a here-document body (or of `$((...))`): `$` expansions and
/// backslash escapes of `$`, `` ` `` and `\`; quotes are ordinary
/// characters and nothing is split.
pub fn expansion_text(text: &str) -> Word {
    let mut p = Parser::new(text);
    let mut parts = Vec::new();
    let mut lit = String::new();
    while let Some(c) = p.peek() {
        match c {
            '\\' if matches!(p.peek_at(1), Some('$' | '`' | '\\')) => {
                p.pos += 1;
                lit.push(p.next().unwrap_or('\\'));
            }
            '\\' if p.peek_at(1) == Some('\n') => {
                p.pos += 2;
            }
            '$' | '`' => {
                let part = if c == '$' { p.dollar() } else { p.backtick() };
                match part {
                    Ok(Some(part)) => {
                        flush(&mut parts, &mut lit, true);
                        parts.push(part);
                    }
                    Ok(None) => lit.push('$'),
                    Err(_) => {
                        // Unbalanced: keep the rest literally.
                        lit.push_str(&p.rest());
                        break;
                    }
                }
            }
            _ => {
                p.pos += 1;
                lit.push(c);
            }
        }
    }
    flush(&mut parts, &mut lit, true);
    vec![Part::Double(parts)]
}

/// Where a list ends.
enum Stop {
    Eof,
    /// `)` of a subshell or `$(...)`.
    Paren,
    /// One of these reserved words.
    Words(&'static [&'static str]),
}

struct Pending {
    index: usize,
    delim: String,
    strip_tabs: bool,
}

struct Parser {
    c: Vec<char>,
    pos: usize,
    pending: Vec<Pending>,
    bodies: Vec<String>,
}

const RESERVED: &[&str] = &[
    "do", "done", "then", "fi", "else", "elif", "}", "in", "esac",
];

fn is_delim(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

fn flush(parts: &mut Vec<Part>, lit: &mut String, quoted: bool) {
    if !lit.is_empty() {
        let s = std::mem::take(lit);
        parts.push(if quoted {
            Part::Quoted(s)
        } else {
            Part::Lit(s)
        });
    }
}

fn syntax_near(tok: &str) -> ParseError {
    ParseError::Syntax(format!("syntax error near unexpected token `{tok}'"))
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser {
            c: text.chars().collect(),
            pos: 0,
            pending: Vec::new(),
            bodies: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.c.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.c.get(self.pos + n).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }
    fn rest(&self) -> String {
        self.c[self.pos.min(self.c.len())..].iter().collect()
    }
    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    /// Blanks, line continuations and comments (not newlines).
    fn skip_blanks(&mut self) -> R<()> {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\\') if self.peek_at(1) == Some('\n') => self.pos += 2,
                Some('\\') if self.peek_at(1).is_none() => return Err(ParseError::Incomplete),
                Some('#') => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Blanks and newlines (reading here-document bodies at each newline).
    fn skip_blank_lines(&mut self) -> R<()> {
        loop {
            self.skip_blanks()?;
            if self.peek() == Some('\n') {
                self.newline()?;
            } else {
                return Ok(());
            }
        }
    }

    /// Consumes a newline, then the bodies of pending here-documents.
    fn newline(&mut self) -> R<()> {
        self.pos += 1;
        let pending = std::mem::take(&mut self.pending);
        for h in pending {
            let mut body = String::new();
            loop {
                if self.pos >= self.c.len() {
                    return Err(ParseError::Incomplete);
                }
                let start = self.pos;
                while self.pos < self.c.len() && self.c[self.pos] != '\n' {
                    self.pos += 1;
                }
                let mut line: String = self.c[start..self.pos].iter().collect();
                let had_newline = self.pos < self.c.len();
                if had_newline {
                    self.pos += 1;
                }
                if h.strip_tabs {
                    line = line.trim_start_matches('\t').to_string();
                }
                if line.trim_end_matches('\r') == h.delim {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
                if !had_newline {
                    return Err(ParseError::Incomplete);
                }
            }
            self.bodies[h.index] = body;
        }
        Ok(())
    }

    /// The plain word at the cursor, if it is one (for reserved words).
    fn peek_keyword(&self) -> Option<String> {
        let mut i = self.pos;
        let mut s = String::new();
        while let Some(&c) = self.c.get(i) {
            if is_delim(c) {
                break;
            }
            if matches!(c, '"' | '\'' | '\\' | '$' | '`') {
                return None;
            }
            s.push(c);
            i += 1;
        }
        if s.is_empty() {
            None
        } else {
            Some(s)
        }
    }

    fn at_keyword(&self, kw: &str) -> bool {
        self.peek_keyword().as_deref() == Some(kw)
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.at_keyword(kw) {
            self.pos += kw.chars().count();
            true
        } else {
            false
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> R<()> {
        self.skip_blank_lines()?;
        if self.eat_keyword(kw) {
            return Ok(());
        }
        match self.peek() {
            None => Err(ParseError::Incomplete),
            _ => Err(syntax_near(&self.token_text())),
        }
    }

    /// The token at the cursor, for error messages.
    fn token_text(&self) -> String {
        match self.peek() {
            None => "newline".into(),
            Some('\n') => "newline".into(),
            Some(c) if is_delim(c) => {
                let two: String = self.c[self.pos..(self.pos + 2).min(self.c.len())]
                    .iter()
                    .collect();
                if ["&&", "||", ";;", ">>", "<<"].contains(&two.as_str()) {
                    two
                } else {
                    c.to_string()
                }
            }
            _ => self.peek_keyword().unwrap_or_else(|| self.rest()),
        }
    }

    fn at_list_end(&self, stop: &Stop) -> bool {
        match stop {
            Stop::Eof => false,
            Stop::Paren => self.peek() == Some(')'),
            Stop::Words(ws) => self
                .peek_keyword()
                .is_some_and(|k| ws.contains(&k.as_str())),
        }
    }

    fn list(&mut self, stop: &Stop) -> R<List> {
        let mut items = Vec::new();
        loop {
            self.skip_blank_lines()?;
            if self.peek().is_none() {
                return match stop {
                    Stop::Eof => Ok(List { items }),
                    _ => Err(ParseError::Incomplete),
                };
            }
            if self.at_list_end(stop) {
                return Ok(List { items });
            }
            items.push(self.and_or()?);
            self.skip_blanks()?;
            match self.peek() {
                Some(';') if self.peek_at(1) != Some(';') => self.pos += 1,
                Some('&') if self.peek_at(1) != Some('&') => self.pos += 1,
                Some('\n') => self.newline()?,
                None => {
                    return match stop {
                        Stop::Eof => Ok(List { items }),
                        _ => Err(ParseError::Incomplete),
                    }
                }
                _ if self.at_list_end(stop) => return Ok(List { items }),
                _ => return Err(syntax_near(&self.token_text())),
            }
        }
    }

    fn and_or(&mut self) -> R<AndOr> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.skip_blanks()?;
            let conn = if self.starts_with("&&") {
                Connector::And
            } else if self.starts_with("||") {
                Connector::Or
            } else {
                break;
            };
            self.pos += 2;
            self.skip_blank_lines()?;
            if self.peek().is_none() {
                return Err(ParseError::Incomplete);
            }
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> R<Pipeline> {
        self.skip_blanks()?;
        let negate = if self.at_keyword("!") {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut cmds = vec![self.command()?];
        loop {
            self.skip_blanks()?;
            if self.peek() == Some('|') && self.peek_at(1) != Some('|') {
                self.pos += 1;
                self.skip_blank_lines()?;
                if self.peek().is_none() {
                    return Err(ParseError::Incomplete);
                }
                cmds.push(self.command()?);
            } else {
                break;
            }
        }
        Ok(Pipeline { negate, cmds })
    }

    fn command(&mut self) -> R<Cmd> {
        self.skip_blanks()?;
        let kw = self.peek_keyword();
        let command = match kw.as_deref() {
            Some("for") => self.for_clause()?,
            Some("while") | Some("until") => self.while_clause()?,
            Some("if") => self.if_clause()?,
            Some("{") => {
                self.pos += 1;
                let body = self.list(&Stop::Words(&["}"]))?;
                self.expect_keyword("}")?;
                Command::Group(body)
            }
            Some(k) if RESERVED.contains(&k) => return Err(syntax_near(k)),
            _ if self.peek() == Some('(') => {
                self.pos += 1;
                let body = self.list(&Stop::Paren)?;
                self.skip_blank_lines()?;
                match self.next() {
                    Some(')') => {}
                    None => return Err(ParseError::Incomplete),
                    Some(_) => return Err(syntax_near(&self.token_text())),
                }
                Command::Subshell(body)
            }
            _ => {
                return self.simple().map(|s| Cmd {
                    command: Command::Simple(s),
                    redirects: Vec::new(),
                })
            }
        };
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks()?;
            match self.redirect()? {
                Some(mut rs) => redirects.append(&mut rs),
                None => break,
            }
        }
        Ok(Cmd { command, redirects })
    }

    /// `for NAME [in WORD...] ; do LIST ; done`
    fn for_clause(&mut self) -> R<Command> {
        self.eat_keyword("for");
        self.skip_blanks()?;
        let mut var = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                var.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        if var.is_empty() {
            return match self.peek() {
                None => Err(ParseError::Incomplete),
                _ => Err(syntax_near(&self.token_text())),
            };
        }
        if var.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Err(ParseError::Syntax(format!(
                "`{var}': not a valid identifier"
            )));
        }
        self.skip_blank_lines()?;
        let items = if self.eat_keyword("in") {
            let mut words = Vec::new();
            loop {
                self.skip_blanks()?;
                match self.peek() {
                    None => return Err(ParseError::Incomplete),
                    Some(';') | Some('\n') => break,
                    _ => words.push(self.word()?),
                }
            }
            Some(words)
        } else {
            None
        };
        self.skip_blanks()?;
        if self.peek() == Some(';') {
            self.pos += 1;
        }
        self.expect_keyword("do")?;
        let body = self.list(&Stop::Words(&["done"]))?;
        self.expect_keyword("done")?;
        Ok(Command::For { var, items, body })
    }

    /// `while|until LIST ; do LIST ; done`
    fn while_clause(&mut self) -> R<Command> {
        let until = self.eat_keyword("until");
        if !until {
            self.eat_keyword("while");
        }
        let cond = self.list(&Stop::Words(&["do"]))?;
        self.expect_keyword("do")?;
        let body = self.list(&Stop::Words(&["done"]))?;
        self.expect_keyword("done")?;
        Ok(Command::While { cond, body, until })
    }

    /// `if LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi`
    fn if_clause(&mut self) -> R<Command> {
        self.eat_keyword("if");
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.list(&Stop::Words(&["then"]))?;
            self.expect_keyword("then")?;
            let body = self.list(&Stop::Words(&["elif", "else", "fi"]))?;
            branches.push((cond, body));
            self.skip_blank_lines()?;
            if self.eat_keyword("elif") {
                continue;
            }
            if self.eat_keyword("else") {
                otherwise = Some(self.list(&Stop::Words(&["fi"]))?);
            }
            self.expect_keyword("fi")?;
            break;
        }
        Ok(Command::If {
            branches,
            otherwise,
        })
    }

    fn simple(&mut self) -> R<Simple> {
        let mut s = Simple::default();
        loop {
            self.skip_blanks()?;
            match self.peek() {
                None | Some('\n' | ';' | '&' | '|' | ')') => break,
                Some('(') => return Err(syntax_near("(")),
                _ => {}
            }
            if let Some(mut rs) = self.redirect()? {
                s.redirects.append(&mut rs);
                continue;
            }
            let word = self.word()?;
            if s.words.is_empty() {
                if let Some((name, value)) = split_assignment(&word) {
                    s.assigns.push((name, value));
                    continue;
                }
            }
            s.words.push(word);
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirects.is_empty() {
            return Err(syntax_near(&self.token_text()));
        }
        Ok(s)
    }

    /// A redirection at the cursor (`>f`, `2>&1`, `<<EOF`, `&>f`), if any.
    fn redirect(&mut self) -> R<Option<Vec<Redirect>>> {
        let start = self.pos;
        let mut fd: Option<u32> = None;
        let mut digits = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                digits.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        if !digits.is_empty() {
            if matches!(self.peek(), Some('<' | '>')) {
                fd = digits.parse().ok();
            } else {
                self.pos = start;
                return Ok(None);
            }
        }
        let both = digits.is_empty() && self.starts_with("&>");
        let (op, default_fd, len) = if both {
            (RedirOp::Out, 1, 2)
        } else if self.starts_with(">>") {
            (RedirOp::Append, 1, 2)
        } else if self.starts_with(">|") {
            (RedirOp::Out, 1, 2)
        } else if self.starts_with(">&") || self.starts_with("<&") {
            (
                RedirOp::Dup,
                if self.peek() == Some('>') { 1 } else { 0 },
                2,
            )
        } else if self.starts_with("<<-") {
            (
                RedirOp::HereDoc {
                    index: 0,
                    expand: true,
                    body: String::new(),
                },
                0,
                3,
            )
        } else if self.starts_with("<<") {
            (
                RedirOp::HereDoc {
                    index: 0,
                    expand: true,
                    body: String::new(),
                },
                0,
                2,
            )
        } else if self.peek() == Some('>') {
            (RedirOp::Out, 1, 1)
        } else if self.peek() == Some('<') {
            (RedirOp::In, 0, 1)
        } else {
            self.pos = start;
            return Ok(None);
        };
        let strip_tabs = len == 3;
        self.pos += len;
        self.skip_blanks()?;
        match self.peek() {
            None | Some('\n') => return Err(syntax_near("newline")),
            Some(c) if is_delim(c) => return Err(syntax_near(&self.token_text())),
            _ => {}
        }
        let target = self.word()?;
        let fd = fd.unwrap_or(default_fd);
        let op = match op {
            RedirOp::HereDoc { .. } => {
                let quoted = target.iter().any(|p| !matches!(p, Part::Lit(_)));
                let delim: String = target
                    .iter()
                    .map(|p| match p {
                        Part::Lit(s) | Part::Quoted(s) => s.clone(),
                        Part::Double(ps) => ps
                            .iter()
                            .map(|p| match p {
                                Part::Lit(s) | Part::Quoted(s) => s.clone(),
                                _ => String::new(),
                            })
                            .collect(),
                        _ => String::new(),
                    })
                    .collect();
                let index = self.bodies.len();
                self.bodies.push(String::new());
                self.pending.push(Pending {
                    index,
                    delim,
                    strip_tabs,
                });
                RedirOp::HereDoc {
                    index,
                    expand: !quoted,
                    body: String::new(),
                }
            }
            other => other,
        };
        let mut out = vec![Redirect { fd, op, target }];
        if both {
            out.push(Redirect {
                fd: 2,
                op: RedirOp::Dup,
                target: vec![Part::Lit("1".into())],
            });
        }
        Ok(Some(out))
    }

    /// One word (quotes, escapes and expansions kept as parts).
    fn word(&mut self) -> R<Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek() {
            if is_delim(c) {
                break;
            }
            match c {
                '\\' => {
                    self.pos += 1;
                    match self.next() {
                        None => return Err(ParseError::Incomplete),
                        Some('\n') => {}
                        Some(e) => {
                            flush(&mut parts, &mut lit, false);
                            parts.push(Part::Quoted(e.to_string()));
                        }
                    }
                }
                '\'' => {
                    self.pos += 1;
                    let mut s = String::new();
                    loop {
                        match self.next() {
                            None => return Err(ParseError::Incomplete),
                            Some('\'') => break,
                            Some(c) => s.push(c),
                        }
                    }
                    flush(&mut parts, &mut lit, false);
                    parts.push(Part::Quoted(s));
                }
                '"' => {
                    flush(&mut parts, &mut lit, false);
                    let d = self.double()?;
                    parts.push(d);
                }
                '$' => match self.dollar()? {
                    Some(p) => {
                        flush(&mut parts, &mut lit, false);
                        parts.push(p);
                    }
                    None => lit.push('$'),
                },
                '`' => {
                    let p = self.backtick()?.expect("backtick part");
                    flush(&mut parts, &mut lit, false);
                    parts.push(p);
                }
                _ => {
                    self.pos += 1;
                    lit.push(c);
                }
            }
        }
        flush(&mut parts, &mut lit, false);
        Ok(parts)
    }

    fn double(&mut self) -> R<Part> {
        self.pos += 1; // "
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.next() {
                        None => return Err(ParseError::Incomplete),
                        Some('\n') => {}
                        Some(c @ ('$' | '`' | '"' | '\\')) => lit.push(c),
                        Some(c) => {
                            lit.push('\\');
                            lit.push(c);
                        }
                    }
                }
                Some('$') => match self.dollar()? {
                    Some(p) => {
                        flush(&mut parts, &mut lit, true);
                        parts.push(p);
                    }
                    None => lit.push('$'),
                },
                Some('`') => {
                    let p = self.backtick()?.expect("backtick part");
                    flush(&mut parts, &mut lit, true);
                    parts.push(p);
                }
                Some(c) => {
                    self.pos += 1;
                    lit.push(c);
                }
            }
        }
        flush(&mut parts, &mut lit, true);
        Ok(Part::Double(parts))
    }

    /// After `$`: an expansion, or `None` for a literal `$`.
    fn dollar(&mut self) -> R<Option<Part>> {
        self.pos += 1; // $
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.pos += 2;
                let start = self.pos;
                let mut depth = 0i32;
                loop {
                    match self.peek() {
                        None => return Err(ParseError::Incomplete),
                        Some('(') => depth += 1,
                        Some(')') if depth == 0 => {
                            if self.peek_at(1) == Some(')') {
                                break;
                            }
                            return Err(syntax_near(")"));
                        }
                        Some(')') => depth -= 1,
                        _ => {}
                    }
                    self.pos += 1;
                }
                let inner: String = self.c[start..self.pos].iter().collect();
                self.pos += 2;
                Ok(Some(Part::Arith(expansion_text(&inner))))
            }
            Some('(') => {
                self.pos += 1;
                let list = self.list(&Stop::Paren)?;
                self.skip_blank_lines()?;
                match self.next() {
                    Some(')') => Ok(Some(Part::Subst(Box::new(list)))),
                    None => Err(ParseError::Incomplete),
                    Some(_) => Err(syntax_near(&self.token_text())),
                }
            }
            Some('{') => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric()
                        || c == '_'
                        || (name.is_empty() && "?$#@*!".contains(c))
                    {
                        name.push(c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                match self.peek() {
                    None => Err(ParseError::Incomplete),
                    Some('}') => {
                        self.pos += 1;
                        Ok(Some(Part::Var(name)))
                    }
                    Some(c) if (c == ':' && self.peek_at(1) == Some('-')) || c == '-' => {
                        let colon = c == ':';
                        self.pos += if colon { 2 } else { 1 };
                        let start = self.pos;
                        let mut depth = 0;
                        loop {
                            match self.peek() {
                                None => return Err(ParseError::Incomplete),
                                Some('{') => depth += 1,
                                Some('}') if depth == 0 => break,
                                Some('}') => depth -= 1,
                                _ => {}
                            }
                            self.pos += 1;
                        }
                        let raw: String = self.c[start..self.pos].iter().collect();
                        self.pos += 1;
                        let default = default_word(&raw);
                        Ok(Some(Part::VarDefault {
                            name,
                            default,
                            colon,
                        }))
                    }
                    Some(_) => Err(ParseError::Syntax(format!(
                        "${{{name}{}}}: bad substitution",
                        self.rest().split('}').next().unwrap_or("")
                    ))),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok(Some(Part::Var(name)))
            }
            Some(c) if c.is_ascii_digit() || "?$#@*!".contains(c) => {
                self.pos += 1;
                Ok(Some(Part::Var(c.to_string())))
            }
            _ => Ok(None),
        }
    }

    fn backtick(&mut self) -> R<Option<Part>> {
        self.pos += 1; // `
        let mut raw = String::new();
        loop {
            match self.next() {
                None => return Err(ParseError::Incomplete),
                Some('`') => break,
                Some('\\') => match self.next() {
                    None => return Err(ParseError::Incomplete),
                    Some(c @ ('`' | '\\' | '$')) => raw.push(c),
                    Some(c) => {
                        raw.push('\\');
                        raw.push(c);
                    }
                },
                Some(c) => raw.push(c),
            }
        }
        let list = parse(&raw)?;
        Ok(Some(Part::Subst(Box::new(list))))
    }
}

/// The word of `${VAR:-word}` (quotes allowed, nothing ends it early).
fn default_word(raw: &str) -> Word {
    let mut p = Parser::new(raw);
    let mut parts = Vec::new();
    let mut lit = String::new();
    while p.peek().is_some() {
        // Whitespace is part of the word here: read in pieces.
        match p.peek() {
            Some(c) if is_delim(c) => {
                p.pos += 1;
                lit.push(c);
            }
            _ => {
                flush(&mut parts, &mut lit, true);
                match p.word() {
                    Ok(mut w) => parts.append(&mut w),
                    Err(_) => {
                        lit.push_str(&p.rest());
                        break;
                    }
                }
            }
        }
    }
    flush(&mut parts, &mut lit, true);
    parts
}

/// `NAME=value` at the start of a simple command.
fn split_assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first)) = word.first() else {
        return None;
    };
    let (name, rest) = first.split_once('=')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let mut value = Vec::new();
    if !rest.is_empty() {
        value.push(Part::Lit(rest.to_string()));
    }
    value.extend(word[1..].iter().cloned());
    Some((name.to_string(), value))
}

// ----- here-document bodies into the tree ---------------------------------

fn fill_list(l: &mut List, bodies: &[String]) {
    for ao in &mut l.items {
        fill_pipeline(&mut ao.first, bodies);
        for (_, p) in &mut ao.rest {
            fill_pipeline(p, bodies);
        }
    }
}

fn fill_pipeline(p: &mut Pipeline, bodies: &[String]) {
    for c in &mut p.cmds {
        fill_redirects(&mut c.redirects, bodies);
        match &mut c.command {
            Command::Simple(s) => {
                fill_redirects(&mut s.redirects, bodies);
                for w in &mut s.words {
                    fill_word(w, bodies);
                }
                for (_, w) in &mut s.assigns {
                    fill_word(w, bodies);
                }
            }
            Command::For { items, body, .. } => {
                for w in items.iter_mut().flatten() {
                    fill_word(w, bodies);
                }
                fill_list(body, bodies);
            }
            Command::While { cond, body, .. } => {
                fill_list(cond, bodies);
                fill_list(body, bodies);
            }
            Command::If {
                branches,
                otherwise,
            } => {
                for (c, b) in branches {
                    fill_list(c, bodies);
                    fill_list(b, bodies);
                }
                if let Some(o) = otherwise {
                    fill_list(o, bodies);
                }
            }
            Command::Group(l) | Command::Subshell(l) => fill_list(l, bodies),
        }
    }
}

fn fill_redirects(rs: &mut [Redirect], bodies: &[String]) {
    for r in rs {
        if let RedirOp::HereDoc { index, body, .. } = &mut r.op {
            if let Some(b) = bodies.get(*index) {
                *body = b.clone();
            }
        }
    }
}

fn fill_word(w: &mut Word, bodies: &[String]) {
    for p in w {
        match p {
            Part::Subst(l) => fill_list(l, bodies),
            Part::Double(ps) => fill_word(ps, bodies),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(l: &List) -> &Simple {
        match &l.items[0].first.cmds[0].command {
            Command::Simple(s) => s,
            other => panic!("not simple: {other:?}"),
        }
    }

    #[test]
    fn words_quotes_and_expansions() {
        let l = parse(r#"kubectl get svc "a b" 'c $d' e\ f $X ${Y} $(echo hi)"#).unwrap();
        let s = simple(&l);
        assert_eq!(s.words.len(), 9);
        assert_eq!(
            s.words[3],
            vec![Part::Double(vec![Part::Quoted("a b".into())])]
        );
        assert_eq!(s.words[4], vec![Part::Quoted("c $d".into())]);
        assert_eq!(
            s.words[5],
            vec![
                Part::Lit("e".into()),
                Part::Quoted(" ".into()),
                Part::Lit("f".into())
            ]
        );
        assert_eq!(s.words[6], vec![Part::Var("X".into())]);
        assert_eq!(s.words[7], vec![Part::Var("Y".into())]);
        assert!(matches!(s.words[8][0], Part::Subst(_)));
    }

    #[test]
    fn assignment_with_substitution() {
        let l =
            parse("IP=$(kubectl get svc elastic -o go-template --template '{{.spec.clusterIP}}')")
                .unwrap();
        let s = simple(&l);
        assert_eq!(s.assigns[0].0, "IP");
        assert!(s.words.is_empty());
    }

    #[test]
    fn lists_and_pipelines() {
        let l = parse("a && b || c; d | e | f\n# comment\ng").unwrap();
        assert_eq!(l.items.len(), 3);
        assert_eq!(l.items[0].rest.len(), 2);
        assert_eq!(l.items[1].first.cmds.len(), 3);
    }

    #[test]
    fn incomplete_input_asks_for_more() {
        for t in [
            "echo 'abc",
            "echo \"abc",
            "kubectl apply -f- <<EOF\napiVersion: v1",
            "kubectl apply -f- <<EOF",
            "for i in 1 2; do",
            "while sleep 1; do echo",
            "a &&",
            "a |",
            "echo \\",
            "echo $(date",
            "if true; then echo",
        ] {
            assert_eq!(parse(t), Err(ParseError::Incomplete), "{t}");
        }
    }

    #[test]
    fn heredoc_bodies() {
        let l = parse("cat <<EOF\nhello $X\n  there\nEOF\necho done").unwrap();
        let s = simple(&l);
        assert_eq!(
            s.redirects[0].op,
            RedirOp::HereDoc {
                index: 0,
                expand: true,
                body: "hello $X\n  there\n".into()
            }
        );
        assert_eq!(l.items.len(), 2);
        let l = parse("cat <<'EOF'\n$X\nEOF").unwrap();
        assert!(matches!(
            simple(&l).redirects[0].op,
            RedirOp::HereDoc { expand: false, .. }
        ));
    }

    #[test]
    fn loops_and_ifs() {
        let l = parse("for i in $(seq 3); do echo $i; done").unwrap();
        assert!(matches!(
            l.items[0].first.cmds[0].command,
            Command::For { .. }
        ));
        let l = parse("while sleep 0.3\ndo\n  curl -m1 http://$IP\ndone").unwrap();
        assert!(matches!(
            l.items[0].first.cmds[0].command,
            Command::While { until: false, .. }
        ));
        let l = parse("if [ -f x ]; then echo a; elif true; then echo b; else echo c; fi").unwrap();
        let Command::If {
            branches,
            otherwise,
        } = &l.items[0].first.cmds[0].command
        else {
            panic!()
        };
        assert_eq!(branches.len(), 2);
        assert!(otherwise.is_some());
    }

    #[test]
    fn redirections() {
        let l = parse("kubectl get pods > out.txt 2>&1").unwrap();
        let s = simple(&l);
        assert_eq!(s.redirects.len(), 2);
        assert_eq!(s.redirects[0].op, RedirOp::Out);
        assert_eq!(s.redirects[1].fd, 2);
        assert_eq!(s.redirects[1].op, RedirOp::Dup);
        let l = parse("echo x >>log").unwrap();
        assert_eq!(simple(&l).redirects[0].op, RedirOp::Append);
    }

    #[test]
    fn syntax_errors_read_as_bash() {
        assert_eq!(
            parse("echo a ;; b"),
            Err(ParseError::Syntax(
                "syntax error near unexpected token `;;'".into()
            ))
        );
        assert_eq!(
            parse("done"),
            Err(ParseError::Syntax(
                "syntax error near unexpected token `done'".into()
            ))
        );
        assert_eq!(
            parse("| a"),
            Err(ParseError::Syntax(
                "syntax error near unexpected token `|'".into()
            ))
        );
    }
}
