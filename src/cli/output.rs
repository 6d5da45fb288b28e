//! What a command prints: stdout, stderr and an exit code, as a shell sees it.

/// The result of one command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    pub fn ok(stdout: impl Into<String>) -> Output {
        Output {
            stdout: stdout.into(),
            ..Default::default()
        }
    }
    /// A failure printed to stderr with exit code 1.
    pub fn err(stderr: impl Into<String>) -> Output {
        let mut s = stderr.into();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        Output {
            stderr: s,
            code: 1,
            ..Default::default()
        }
    }
    /// kubectl's `error: ...` line.
    pub fn error(msg: impl std::fmt::Display) -> Output {
        Output::err(format!("error: {msg}"))
    }
    pub fn push_out(&mut self, s: &str) {
        self.stdout.push_str(s);
        if !s.is_empty() && !s.ends_with('\n') {
            self.stdout.push('\n');
        }
    }
    pub fn push_err(&mut self, s: &str) {
        self.stderr.push_str(s);
        if !s.is_empty() && !s.ends_with('\n') {
            self.stderr.push('\n');
        }
    }
    /// Appends another output (its failure makes this one fail).
    pub fn extend(&mut self, o: Output) {
        self.stdout.push_str(&o.stdout);
        self.stderr.push_str(&o.stderr);
        if o.code != 0 {
            self.code = o.code;
        }
    }
    /// The same output with another exit code.
    pub fn with_code(mut self, code: i32) -> Output {
        self.code = code;
        self
    }
    pub fn success(&self) -> bool {
        self.code == 0
    }
}
