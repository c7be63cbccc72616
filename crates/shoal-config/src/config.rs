//! [`Config`]: the current value of every directive, CONFIG GET and CONFIG SET.
//!
//! Calling contract for the server:
//!
//! 1. Build it with [`crate::load`] (config file, stdin, command-line options), or
//!    [`Config::new`] for a start without arguments; then tell it the absolute working
//!    directory with [`Config::set_working_dir`] if no `dir` directive did.
//! 2. Log each entry of [`Config::kept_directives_in_use`] once ("has no effect").
//! 3. Serve `CONFIG GET` with [`Config::config_get`] and `CONFIG SET` with
//!    [`Config::config_set`]; apply what the returned [`Changed`] list names (rebind,
//!    resize, ...). If applying fails, call [`Config::rollback`] with the same list and
//!    reply [`apply_failed_error`].
//! 4. Serve `CONFIG REWRITE` with [`Config::rewrite`] (see `rewrite.rs`).

use std::borrow::Cow;
use std::collections::HashSet;

use crate::args::until_nul;
use crate::glob::string_match;
use crate::host::Host;
use crate::table::{
    all_names, index_of, lookup, Check, Directive, Flags, Kind, Special, Support, DIRECTIVES,
};
use crate::value::{
    format_enum, format_keyspace_events, format_number, format_output_buffer_limits,
    format_percentiles, format_save_points, parse_bind, parse_bool, parse_enum,
    parse_keyspace_events, parse_number, parse_oom_score_adj_values, parse_output_buffer_limits,
    parse_percentiles, parse_replica_of, parse_save_points, ParseError, Value, DEFAULT_BIND,
    DEFAULT_OOM_SCORE_ADJ_VALUES, DEFAULT_OUTPUT_BUFFER_LIMITS, DEFAULT_PERCENTILES,
    DEFAULT_SAVE_POINTS,
};

/// Where a value being set comes from; `save` behaves differently in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A config file, stdin or the command line.
    File,
    /// CONFIG SET, or a rollback of one.
    ConfigSet,
}

/// The running configuration: one value per directive of [`crate::DIRECTIVES`], plus what
/// the file-only directives declared. Its `Debug` output redacts secrets.
#[derive(Clone, PartialEq)]
pub struct Config {
    pub(crate) values: Vec<Value>,
    /// Set by a file, the command line or CONFIG SET (not just defaulted).
    pub(crate) set_by_user: Vec<bool>,
    /// A config file's first `save` line replaces the defaults; later ones add to it.
    pub(crate) save_seen_in_file: bool,
    pub(crate) renamed_commands: Vec<(Vec<u8>, Vec<u8>)>,
    pub(crate) users: Vec<Vec<Vec<u8>>>,
    pub(crate) modules: Vec<Vec<Vec<u8>>>,
    pub(crate) module_configs: Vec<(Vec<u8>, Vec<u8>)>,
    pub(crate) config_file: Option<Vec<u8>>,
}

/// Secrets (`requirepass`, `masterauth`, `masteruser`) must not reach logs through `{:?}`.
fn debug_value(d: &Directive, v: &Value) -> String {
    if d.is_sensitive() && *v != Value::String(None) {
        "<redacted>".to_string()
    } else {
        String::from_utf8_lossy(&format_value(d, v)).into_owned()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (d, v) in DIRECTIVES.iter().zip(&self.values) {
            map.entry(&d.name, &debug_value(d, v));
        }
        map.entry(&"rename-command", &self.renamed_commands.len())
            .entry(&"user", &self.users.len())
            .entry(&"loadmodule", &self.modules.len())
            .entry(&"module configs", &self.module_configs.len())
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// A directive that CONFIG SET changed; the server applies it (or rolls it back).
/// Its `Debug` output redacts secrets.
#[derive(Clone, PartialEq)]
pub struct Changed {
    /// Canonical name.
    pub name: &'static str,
    /// The name as it was looked up (the alias, if the client used it), lower case;
    /// Redis names this one in apply errors.
    pub matched_name: &'static str,
    /// Whether Shoal acts on it; if not, the server only logs it once.
    pub support: Support,
    previous: Value,
}

impl std::fmt::Debug for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &DIRECTIVES[index_of_name(self.name)];
        f.debug_struct("Changed")
            .field("name", &self.name)
            .field("matched_name", &self.matched_name)
            .field("support", &self.support)
            .field("previous", &debug_value(d, &self.previous))
            .finish()
    }
}

impl Changed {
    /// The value before CONFIG SET, as CONFIG GET printed it.
    pub fn previous(&self) -> Vec<u8> {
        format_value(&DIRECTIVES[index_of_name(self.name)], &self.previous)
    }
}

/// Where a CONFIG SET comes from, which decides what it may change.
pub struct SetContext<'a> {
    /// The client connected over loopback or a unix socket (`enable-protected-configs local`).
    pub client_is_local: bool,
    /// The dataset is loading; directives such as `appendonly` are refused with `-LOADING`.
    pub loading: bool,
    /// Performs `dir` changes.
    pub host: &'a mut dyn Host,
}

/// A directive set in the configuration that Shoal does not act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptDirective {
    /// Canonical name, or the file-only directive's name (`loadmodule`, `user`, ...).
    pub name: String,
    /// Whether the value differs from Redis's default (so ignoring it changes behaviour).
    pub differs_from_default: bool,
}

/// The error for an apply step that failed after CONFIG SET stored new values; the
/// server replies with it after [`Config::rollback`].
pub fn apply_failed_error(changed: &Changed, reason: &str) -> String {
    format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {reason}",
        changed.matched_name
    )
}

fn index_of_name(name: &str) -> usize {
    lookup(name.as_bytes())
        .map(|f| f.index)
        .expect("Changed names come from the table")
}

fn default_value(d: &Directive) -> Value {
    match d.kind {
        Kind::Bool { default } => Value::Bool(default),
        Kind::Number(n) => Value::Number(n.default),
        Kind::Enum(e) => Value::Enum(e.default),
        Kind::String(s) => Value::String(s.default.map(|v| v.as_bytes().to_vec())),
        Kind::Special(s) => match s {
            Special::Dir => Value::Dir(Vec::new()),
            Special::Save => Value::Save(DEFAULT_SAVE_POINTS.to_vec()),
            Special::ClientOutputBufferLimit => {
                Value::ClientOutputBufferLimit(DEFAULT_OUTPUT_BUFFER_LIMITS)
            }
            Special::OomScoreAdjValues => Value::OomScoreAdjValues(DEFAULT_OOM_SCORE_ADJ_VALUES),
            Special::NotifyKeyspaceEvents => Value::NotifyKeyspaceEvents(0),
            Special::Bind => {
                Value::Bind(DEFAULT_BIND.iter().map(|a| a.as_bytes().to_vec()).collect())
            }
            Special::ReplicaOf => Value::ReplicaOf(None),
            Special::LatencyTrackingInfoPercentiles => {
                Value::Percentiles(DEFAULT_PERCENTILES.to_vec())
            }
        },
    }
}

/// CONFIG GET's text for a value.
pub(crate) fn format_value(d: &Directive, v: &Value) -> Vec<u8> {
    match (v, &d.kind) {
        (Value::Bool(b), _) => (if *b { "yes" } else { "no" }).into(),
        (Value::Number(n), Kind::Number(spec)) => format_number(spec, *n).into_bytes(),
        (Value::Enum(e), Kind::Enum(spec)) => format_enum(spec, *e).into_bytes(),
        (Value::String(s), _) => s.clone().unwrap_or_default(),
        (Value::Dir(p), _) => p.clone(),
        (Value::Save(points), _) => format_save_points(points).into_bytes(),
        (Value::ClientOutputBufferLimit(l), _) => format_output_buffer_limits(l).into_bytes(),
        (Value::OomScoreAdjValues(v), _) => v
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        (Value::NotifyKeyspaceEvents(f), _) => format_keyspace_events(*f).into_bytes(),
        (Value::Bind(addrs), _) => addrs.join(&b' '),
        (Value::ReplicaOf(None), _) => Vec::new(),
        (Value::ReplicaOf(Some((host, port))), _) => {
            let mut s = host.clone();
            s.extend_from_slice(format!(" {port}").as_bytes());
            s
        }
        (Value::Percentiles(p), _) => format_percentiles(p).into_bytes(),
        (Value::Number(_) | Value::Enum(_), _) => unreachable!("value type follows the table"),
    }
}

/// Splits a CONFIG SET value of a multi-word directive on single spaces, as Redis does:
/// `""` is no words at all, and doubled spaces make empty words.
fn split_on_spaces(value: &[u8]) -> Vec<&[u8]> {
    if value.is_empty() {
        Vec::new()
    } else {
        value.split(|b| *b == b' ').collect()
    }
}

/// First problem found while looking up the directives of a CONFIG SET.
enum LookupError {
    Unknown(Vec<u8>),
    Refused { name: Vec<u8>, reason: &'static str },
    Loading,
}

impl Config {
    /// The configuration of a server started without any option: Redis 7.0's defaults.
    /// `dir` is empty until [`Config::set_working_dir`] says where the process runs.
    pub fn new() -> Config {
        Config {
            values: DIRECTIVES.iter().map(default_value).collect(),
            set_by_user: vec![false; DIRECTIVES.len()],
            save_seen_in_file: false,
            renamed_commands: Vec::new(),
            users: Vec::new(),
            modules: Vec::new(),
            module_configs: Vec::new(),
            config_file: None,
        }
    }

    /// Records the process's absolute working directory, which `dir` reports.
    pub fn set_working_dir(&mut self, absolute: impl Into<Vec<u8>>) {
        self.values[index_of("dir")] = Value::Dir(absolute.into());
    }

    /// The value of one directive as CONFIG GET prints it, by canonical name or alias in
    /// any case; hidden directives included. `None` if no such directive.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        let found = lookup(name.as_bytes())?;
        Some(self.format(found.index))
    }

    pub(crate) fn format(&self, index: usize) -> Vec<u8> {
        format_value(&DIRECTIVES[index], &self.values[index])
    }

    /// Whether a file, the command line or CONFIG SET gave this directive a value.
    pub fn is_set_by_user(&self, name: &str) -> bool {
        lookup(name.as_bytes()).is_some_and(|f| self.set_by_user[f.index])
    }

    /// Answers `CONFIG GET pattern [pattern ...]`: pairs of name and value.
    ///
    /// A pattern without `*`, `?` or `[` is an exact, case-insensitive name: it also finds
    /// hidden directives, and the reply repeats the name as the client spelled it. Other
    /// patterns are globs matched case-insensitively against every canonical name and
    /// alias (so `*` lists `slaveof` beside `replicaof`), skipping hidden directives.
    /// Each name appears once. Redis replies in hash order; we reply in pattern order,
    /// then table order.
    pub fn config_get(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        let mut reply: Vec<(String, Vec<u8>)> = Vec::new();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for pattern in patterns {
            let pattern = until_nul(pattern);
            if !pattern.iter().any(|b| matches!(b, b'[' | b'*' | b'?')) {
                let key = pattern.to_ascii_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                if let Some(found) = lookup(pattern) {
                    seen.insert(key);
                    reply.push((
                        String::from_utf8_lossy(pattern).into_owned(),
                        self.format(found.index),
                    ));
                }
                continue;
            }
            for found in all_names() {
                if found.directive().is_hidden() {
                    continue;
                }
                let name = found.name();
                if seen.contains(name.as_bytes()) {
                    continue;
                }
                if string_match(pattern, name.as_bytes(), true) {
                    seen.insert(name.as_bytes().to_vec());
                    reply.push((name.to_string(), self.format(found.index)));
                }
            }
        }
        reply
    }

    /// Answers `CONFIG SET name value [name value ...]`: all or nothing.
    ///
    /// On success returns what changed, in request order, each directive once. On error
    /// nothing changed and the message is the full error line (`ERR ...`, or `LOADING ...`).
    /// An odd number of arguments is the caller's `ERR syntax error`.
    pub fn config_set(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        ctx: &mut SetContext<'_>,
    ) -> Result<Vec<Changed>, String> {
        let mut found_list = Vec::with_capacity(pairs.len());
        let mut problem: Option<LookupError> = None;
        for (name, _) in pairs {
            let Some(found) = lookup(name) else {
                problem.get_or_insert(LookupError::Unknown(name.to_vec()));
                continue;
            };
            if problem.is_some() {
                continue;
            }
            let d = found.directive();
            if d.flags.contains(Flags::IMMUTABLE) {
                problem = Some(LookupError::Refused {
                    name: name.to_vec(),
                    reason: "can't set immutable config",
                });
            } else if d.flags.contains(Flags::PROTECTED)
                && !self.protected_allowed(ctx.client_is_local)
            {
                problem = Some(LookupError::Refused {
                    name: name.to_vec(),
                    reason: "can't set protected config",
                });
            } else if ctx.loading && d.flags.contains(Flags::DENY_LOADING) {
                problem = Some(LookupError::Loading);
            } else if found_list.contains(&found) {
                // The same spelling twice; a name and its alias are not duplicates for Redis.
                problem = Some(LookupError::Refused {
                    name: name.to_vec(),
                    reason: "duplicate parameter",
                });
            }
            found_list.push(found);
        }
        match problem {
            Some(LookupError::Unknown(name)) => {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(&name)
                ))
            }
            Some(LookupError::Refused { name, reason }) => {
                return Err(format!(
                    "ERR CONFIG SET failed (possibly related to argument '{}') - {reason}",
                    String::from_utf8_lossy(&name)
                ))
            }
            Some(LookupError::Loading) => {
                return Err("LOADING Redis is loading the dataset in memory".to_string())
            }
            None => {}
        }

        let before: Vec<Value> = found_list
            .iter()
            .map(|f| self.values[f.index].clone())
            .collect();
        let before_flags = self.set_by_user.clone();
        let mut changed: Vec<Changed> = Vec::new();
        for (i, ((_, value), found)) in pairs.iter().zip(&found_list).enumerate() {
            let d = found.directive();
            let words: Vec<&[u8]> = if d.is_multi_arg() {
                split_on_spaces(value)
            } else {
                vec![*value]
            };
            match self.set_directive(found.index, &words, Origin::ConfigSet, ctx.host) {
                Ok(true) => {
                    if !changed.iter().any(|c| c.name == d.name) {
                        changed.push(Changed {
                            name: d.name,
                            matched_name: found.name(),
                            support: d.support,
                            previous: before[i].clone(),
                        });
                    }
                }
                Ok(false) => {}
                Err(reason) => {
                    self.restore(&found_list[..=i], &before[..=i], ctx.host);
                    self.set_by_user = before_flags;
                    return Err(format!(
                        "ERR CONFIG SET failed (possibly related to argument '{}') - {reason}",
                        found.name()
                    ));
                }
            }
        }
        self.adjust_after_set(&changed);
        Ok(changed)
    }

    /// Adjustments Redis makes when it applies a new value, visible in CONFIG GET.
    fn adjust_after_set(&mut self, changed: &[Changed]) {
        let touched = |name: &str| changed.iter().any(|c| c.name == name);
        if touched("hz") {
            self.clamp_hz();
        }
        if touched("repl-backlog-size") {
            // A backlog smaller than 16 KiB is raised to that size.
            if let Value::Number(v) = &mut self.values[index_of("repl-backlog-size")] {
                *v = (*v).max(16 * 1024);
            }
        }
        if touched("watchdog-period") {
            // The watchdog cannot fire more often than every two timer ticks.
            let min = match self.values[index_of("hz")] {
                Value::Number(hz) if hz > 0 => (1000 / hz) * 2,
                _ => 0,
            };
            if let Value::Number(v) = &mut self.values[index_of("watchdog-period")] {
                if *v != 0 && *v < min {
                    *v = min;
                }
            }
        }
    }

    /// Sets a directive on the server's own authority, as Redis does when the system
    /// imposes a value (e.g. `maxclients` lowered to fit the open-files limit): parsed
    /// like CONFIG SET, but immutable and protected directives are allowed and it does
    /// not count as set by the user.
    pub fn override_value(
        &mut self,
        name: &str,
        value: &[u8],
        host: &mut dyn Host,
    ) -> Result<(), String> {
        let found = lookup(name.as_bytes()).ok_or_else(|| format!("no such directive '{name}'"))?;
        let was_set = self.set_by_user[found.index];
        let words: Vec<&[u8]> = if found.directive().is_multi_arg() {
            split_on_spaces(value)
        } else {
            vec![value]
        };
        self.set_directive(found.index, &words, Origin::ConfigSet, host)
            .map_err(Cow::into_owned)?;
        self.set_by_user[found.index] = was_set;
        Ok(())
    }

    /// Puts back the values a successful [`Config::config_set`] replaced, for when the
    /// server could not apply them. `dir` is changed back through `host`.
    pub fn rollback(&mut self, changed: &[Changed], host: &mut dyn Host) {
        for c in changed.iter().rev() {
            let index = index_of_name(c.name);
            self.put_back(index, c.previous.clone(), host);
        }
    }

    fn restore(&mut self, found: &[crate::table::Found], before: &[Value], host: &mut dyn Host) {
        for (f, v) in found.iter().zip(before).rev() {
            self.put_back(f.index, v.clone(), host);
        }
    }

    fn put_back(&mut self, index: usize, value: Value, host: &mut dyn Host) {
        if let (Value::Dir(old), Value::Dir(current)) = (&value, &self.values[index]) {
            if old != current && !old.is_empty() {
                // Best effort, as in Redis: the directory we came from should still exist.
                let _ = host.change_dir(old);
            }
        }
        self.values[index] = value;
    }

    fn protected_allowed(&self, client_is_local: bool) -> bool {
        match self.values[index_of("enable-protected-configs")] {
            Value::Enum(1) => true,
            Value::Enum(2) => client_is_local,
            _ => false,
        }
    }

    /// Redis takes any `hz` but runs at 1..=500, and shows the clamped value.
    pub(crate) fn clamp_hz(&mut self) {
        let hz = &mut self.values[index_of("hz")];
        if let Value::Number(v) = hz {
            *v = (*v).clamp(1, 500);
        }
    }

    /// Parses `words` for directive `index` and stores the result. Returns whether the
    /// value counts as changed (Redis's "apply" trigger).
    pub(crate) fn set_directive(
        &mut self,
        index: usize,
        words: &[&[u8]],
        origin: Origin,
        host: &mut dyn Host,
    ) -> Result<bool, ParseError> {
        let d = &DIRECTIVES[index];
        let single = || -> Result<&[u8], ParseError> {
            match words {
                [one] => Ok(*one),
                _ => Err("wrong number of arguments".into()),
            }
        };
        let new = match d.kind {
            Kind::Bool { .. } => Value::Bool(parse_bool(single()?)?),
            Kind::Number(spec) => Value::Number(parse_number(&spec, single()?)?),
            Kind::Enum(spec) => {
                let v = parse_enum(&spec, words)?;
                if d.check == Check::ShutdownFlags && v & 1 != 0 && v & 2 != 0 {
                    return Err(
                        "shutdown options SAVE and NOSAVE can't be used simultaneously".into(),
                    );
                }
                Value::Enum(v)
            }
            Kind::String(spec) => {
                let raw = if spec.binary {
                    single()?
                } else {
                    until_nul(single()?)
                };
                self.check_string(d.check, raw)?;
                Value::String(if spec.empty_is_unset && raw.is_empty() {
                    None
                } else {
                    Some(raw.to_vec())
                })
            }
            Kind::Special(special) => return self.set_special(index, special, words, origin, host),
        };
        let old = std::mem::replace(&mut self.values[index], new);
        self.set_by_user[index] = true;
        Ok(old != self.values[index] || d.flags.contains(Flags::VOLATILE))
    }

    fn set_special(
        &mut self,
        index: usize,
        special: Special,
        words: &[&[u8]],
        origin: Origin,
        host: &mut dyn Host,
    ) -> Result<bool, ParseError> {
        let new = match special {
            Special::Dir => {
                let [path] = words else {
                    return Err("wrong number of arguments".into());
                };
                Value::Dir(host.change_dir(until_nul(path)).map_err(Cow::Owned)?)
            }
            Special::Save => {
                let mut words = words;
                let mut points = match &self.values[index] {
                    Value::Save(p) => p.clone(),
                    _ => unreachable!("save holds save points"),
                };
                if words.len() == 1 && until_nul(words[0]).is_empty() {
                    points.clear();
                    words = &[];
                }
                let new_points = parse_save_points(words)?;
                // In a file, the first `save` replaces the defaults and later ones append.
                if origin == Origin::ConfigSet || !self.save_seen_in_file {
                    points.clear();
                }
                if origin == Origin::File {
                    self.save_seen_in_file = true;
                }
                points.extend(new_points);
                Value::Save(points)
            }
            Special::ClientOutputBufferLimit => {
                let current = match &self.values[index] {
                    Value::ClientOutputBufferLimit(l) => *l,
                    _ => unreachable!("client-output-buffer-limit holds limits"),
                };
                Value::ClientOutputBufferLimit(parse_output_buffer_limits(&current, words)?)
            }
            Special::OomScoreAdjValues => {
                let v = Value::OomScoreAdjValues(parse_oom_score_adj_values(words)?);
                let changed = v != self.values[index];
                self.values[index] = v;
                self.set_by_user[index] = true;
                return Ok(changed);
            }
            Special::NotifyKeyspaceEvents => {
                let [flags] = words else {
                    return Err("wrong number of arguments".into());
                };
                Value::NotifyKeyspaceEvents(parse_keyspace_events(flags)?)
            }
            Special::Bind => Value::Bind(parse_bind(words)?),
            Special::ReplicaOf => Value::ReplicaOf(parse_replica_of(words)?),
            Special::LatencyTrackingInfoPercentiles => {
                Value::Percentiles(parse_percentiles(words)?)
            }
        };
        self.values[index] = new;
        self.set_by_user[index] = true;
        Ok(true)
    }

    fn check_string(&self, check: Check, value: &[u8]) -> Result<(), ParseError> {
        let is_base_name = !value.iter().any(|b| *b == b'/' || *b == b'\\');
        match check {
            Check::DbFilename if !is_base_name => {
                Err("dbfilename can't be a path, just a filename".into())
            }
            Check::AofFilename if value.is_empty() => Err("appendfilename can't be empty".into()),
            Check::AofFilename if !is_base_name => {
                Err("appendfilename can't be a path, just a filename".into())
            }
            Check::AofDirname if value.is_empty() => Err("appenddirname can't be empty".into()),
            Check::AofDirname if !is_base_name => {
                Err("appenddirname can't be a path, just a dirname".into())
            }
            Check::Hostname if value.len() >= 256 => {
                Err("Hostnames must be less than 256 characters".into())
            }
            Check::Hostname
                if !value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.') =>
            {
                Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into())
            }
            Check::ProcTitleTemplate if !self.proc_title_template_is_valid(value) => {
                Err("template format is invalid or contains unknown variables".into())
            }
            _ => Ok(()),
        }
    }

    /// A template is valid if every `{name}` is known, braces are closed, and it expands
    /// to something other than blanks when the title itself is empty.
    fn proc_title_template_is_valid(&self, template: &[u8]) -> bool {
        let cluster = self.values[index_of("cluster-enabled")] == Value::Bool(true);
        let unixsocket = self.format(index_of("unixsocket"));
        let mut out: Vec<u8> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.iter().position(|b| *b == b'{') else {
                out.extend_from_slice(rest);
                break;
            };
            out.extend_from_slice(&rest[..open]);
            rest = &rest[open + 1..];
            match rest.first() {
                None => return false,
                Some(b'{') => {
                    out.push(b'{');
                    rest = &rest[1..];
                    continue;
                }
                Some(_) => {}
            }
            let Some(close) = rest.iter().position(|b| *b == b'}') else {
                return false;
            };
            match &rest[..close] {
                b"title" => {}
                // These always expand to something: an address, a port, a path or `-`.
                b"listen-addr" | b"port" | b"tls-port" | b"config-file" => out.push(b'x'),
                b"server-mode" if cluster => out.extend_from_slice(b"[cluster]"),
                b"server-mode" => {}
                b"unixsocket" => out.extend_from_slice(&unixsocket),
                _ => return false,
            }
            rest = &rest[close + 1..];
        }
        out.iter().any(|b| *b != b' ')
    }

    /// Directives set in the configuration that Shoal accepts but does not act on: the
    /// server logs each once. File-only directives (`user`, `loadmodule`, module settings,
    /// `rename-command`) are included when present.
    pub fn kept_directives_in_use(&self) -> Vec<KeptDirective> {
        let defaults = Config::new();
        let mut out: Vec<KeptDirective> = DIRECTIVES
            .iter()
            .enumerate()
            .filter(|(i, d)| d.support == Support::Kept && self.set_by_user[*i])
            .map(|(i, d)| KeptDirective {
                name: d.name.to_string(),
                differs_from_default: self.values[i] != defaults.values[i],
            })
            .collect();
        let file_only = [
            ("rename-command", !self.renamed_commands.is_empty()),
            ("user", !self.users.is_empty()),
            ("loadmodule", !self.modules.is_empty()),
        ];
        for (name, present) in file_only {
            if present {
                out.push(KeptDirective {
                    name: name.to_string(),
                    differs_from_default: true,
                });
            }
        }
        for (name, _) in &self.module_configs {
            out.push(KeptDirective {
                name: String::from_utf8_lossy(name).into_owned(),
                differs_from_default: true,
            });
        }
        out
    }

    /// `rename-command` lines, in order: (command, new name; empty means removed).
    pub fn renamed_commands(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.renamed_commands
    }

    /// `user` lines, in order: the words after `user`.
    pub fn users(&self) -> &[Vec<Vec<u8>>] {
        &self.users
    }

    /// `loadmodule` lines, in order: the module path then its arguments.
    pub fn modules(&self) -> &[Vec<Vec<u8>>] {
        &self.modules
    }

    /// Module settings (`mymodule.option value ...`): lower-cased name and the value
    /// words joined by spaces; a later line for the same name replaces the earlier one.
    pub fn module_configs(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.module_configs
    }

    /// Path of the config file given on the command line, if any (CONFIG REWRITE needs
    /// one; INFO shows it).
    pub fn config_file(&self) -> Option<&[u8]> {
        self.config_file.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemoryHost;

    fn get_all(c: &Config, patterns: &[&str]) -> Vec<(String, String)> {
        let p: Vec<&[u8]> = patterns.iter().map(|p| p.as_bytes()).collect();
        c.config_get(&p)
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect()
    }

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<Vec<&'static str>, String> {
        let mut host = MemoryHost::new();
        let mut ctx = SetContext {
            client_is_local: false,
            loading: false,
            host: &mut host,
        };
        let p: Vec<(&[u8], &[u8])> = pairs
            .iter()
            .map(|(a, b)| (a.as_bytes(), b.as_bytes()))
            .collect();
        c.config_set(&p, &mut ctx)
            .map(|v| v.into_iter().map(|c| c.name).collect())
    }

    fn value(c: &Config, name: &str) -> String {
        String::from_utf8(c.get(name).unwrap()).unwrap()
    }

    #[test]
    fn exact_get_echoes_the_client_spelling_and_finds_hidden() {
        let c = Config::new();
        assert_eq!(
            get_all(&c, &["MaxMemory", "maxmemory"]),
            [("MaxMemory".to_string(), "0".to_string())]
        );
        assert_eq!(get_all(&c, &["rdb-key-save-delay"]).len(), 1);
        assert!(
            get_all(&c, &["rdb-key-save*"]).is_empty(),
            "hidden directives need an exact name"
        );
        assert!(get_all(&c, &["nosuch", "nomatch*"]).is_empty());
    }

    #[test]
    fn aliases_are_separate_entries() {
        let c = Config::new();
        let got = get_all(&c, &["slaveof", "replicaof"]);
        assert_eq!(
            got.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["slaveof", "replicaof"]
        );
        let names: Vec<String> = get_all(&c, &["*"]).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names.len(), 192);
        assert!(names.contains(&"slave-priority".to_string()));
        assert!(!names.contains(&"watchdog-period".to_string()));
    }

    #[test]
    fn several_patterns_list_each_name_once() {
        let c = Config::new();
        let got = get_all(&c, &["maxmemory", "maxmemory*", "MAXMEMORY-POLICY"]);
        let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "maxmemory",
                "maxmemory-clients",
                "maxmemory-eviction-tenacity",
                "maxmemory-policy",
                "maxmemory-samples"
            ]
        );
    }

    #[test]
    fn set_several_and_report_changes() {
        let mut c = Config::new();
        assert_eq!(
            set(&mut c, &[("maxmemory", "1mb"), ("hz", "20")]).unwrap(),
            ["maxmemory", "hz"]
        );
        assert_eq!(value(&c, "maxmemory"), "1048576");
        assert_eq!(value(&c, "hz"), "20");
        assert_eq!(
            set(&mut c, &[("maxmemory", "1mb")]).unwrap(),
            Vec::<&str>::new(),
            "same value: no change"
        );
    }

    #[test]
    fn set_is_all_or_nothing() {
        let mut c = Config::new();
        let err = set(
            &mut c,
            &[("maxmemory", "1mb"), ("save", "abc"), ("hz", "20")],
        )
        .unwrap_err();
        assert_eq!(
            err,
            "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
        );
        assert_eq!(value(&c, "maxmemory"), "0");
        assert_eq!(value(&c, "save"), "3600 1 300 100 60 10000");
        assert!(!c.is_set_by_user("maxmemory"));
    }

    #[test]
    fn set_error_messages_match_redis() {
        let mut c = Config::new();
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("foo", "bar")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (&[("maxmemory", "1zb")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            (&[("MAXMEMORY", "abc")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            (&[("port", "abc")], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
            (&[("daemonize", "yes")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
            (&[("slaveof", "a 1")], "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"),
            (&[("dir", "/tmp")], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
            (&[("maxmemory", "1mb"), ("MAXMEMORY", "2mb")], "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"),
            (&[("slave-read-only", "maybe")], "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"),
            (&[("timeout", "2147483648")], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"),
            (&[("oom-score-adj-values", "1 2")], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"),
            (&[("shutdown-on-sigint", "save nosave")], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"),
            (&[("cluster-announce-hostname", "a_b")], "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots"),
            (&[("save", "900  1")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
            // The first problem wins, whatever its kind.
            (&[("daemonize", "yes"), ("foo", "bar")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
            (&[("foo", "bar"), ("daemonize", "yes")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        ];
        for (pairs, want) in cases {
            assert_eq!(set(&mut c, pairs).unwrap_err(), *want, "{pairs:?}");
        }
    }

    #[test]
    fn a_name_and_its_alias_are_not_duplicates() {
        let mut c = Config::new();
        assert_eq!(
            set(
                &mut c,
                &[("replica-priority", "1"), ("slave-priority", "2")]
            )
            .unwrap(),
            ["replica-priority"]
        );
        assert_eq!(value(&c, "replica-priority"), "2");
    }

    #[test]
    fn protected_configs_follow_enable_protected_configs() {
        let mut c = Config::new();
        c.values[index_of("enable-protected-configs")] = Value::Enum(2);
        let mut host = MemoryHost::new();
        let mut remote = SetContext {
            client_is_local: false,
            loading: false,
            host: &mut host,
        };
        assert!(c
            .config_set(&[(b"dbfilename", b"x.rdb")], &mut remote)
            .is_err());
        let mut local = SetContext {
            client_is_local: true,
            loading: false,
            host: &mut host,
        };
        assert!(c
            .config_set(&[(b"dbfilename", b"x.rdb")], &mut local)
            .is_ok());
        assert_eq!(
            c.config_set(&[(b"dbfilename", b"a/b")], &mut local).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
        );
        let mut local = SetContext {
            client_is_local: true,
            loading: false,
            host: &mut host,
        };
        c.config_set(&[(b"dir", b"/data")], &mut local).unwrap();
        assert_eq!(value(&c, "dir"), "/data");
        assert_eq!(host.cwd, b"/data");
    }

    #[test]
    fn loading_refuses_deny_loading_directives() {
        let mut c = Config::new();
        let mut host = MemoryHost::new();
        let mut ctx = SetContext {
            client_is_local: false,
            loading: true,
            host: &mut host,
        };
        assert_eq!(
            c.config_set(&[(b"appendonly", b"yes")], &mut ctx)
                .unwrap_err(),
            "LOADING Redis is loading the dataset in memory"
        );
        assert!(c.config_set(&[(b"maxmemory", b"1")], &mut ctx).is_ok());
    }

    #[test]
    fn backlog_and_watchdog_are_raised_to_their_minimum() {
        let mut c = Config::new();
        set(&mut c, &[("repl-backlog-size", "1536")]).unwrap();
        assert_eq!(value(&c, "repl-backlog-size"), "16384");
        set(&mut c, &[("watchdog-period", "10")]).unwrap();
        assert_eq!(value(&c, "watchdog-period"), "200");
        set(&mut c, &[("watchdog-period", "0")]).unwrap();
        assert_eq!(value(&c, "watchdog-period"), "0");
    }

    #[test]
    fn override_value_bypasses_immutability_but_not_parsing() {
        let mut c = Config::new();
        let mut host = MemoryHost::new();
        c.override_value("maxclients", b"4064", &mut host).unwrap();
        c.override_value("databases", b"4", &mut host).unwrap();
        assert_eq!(value(&c, "maxclients"), "4064");
        assert_eq!(value(&c, "databases"), "4");
        assert!(!c.is_set_by_user("databases"));
        assert!(c.override_value("databases", b"x", &mut host).is_err());
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let mut c = Config::new();
        let changed = {
            let mut host = MemoryHost::new();
            let mut ctx = SetContext {
                client_is_local: false,
                loading: false,
                host: &mut host,
            };
            c.config_set(&[(b"requirepass", b"hunter2")], &mut ctx)
                .unwrap();
            c.config_set(&[(b"requirepass", b"swordfish")], &mut ctx)
                .unwrap()
        };
        let text = format!("{c:?} {changed:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("swordfish"),
            "{text}"
        );
        assert!(text.contains("\"requirepass\": \"<redacted>\""));
        assert!(text.contains("\"maxmemory\": \"0\""));
    }

    #[test]
    fn hz_is_clamped_after_set() {
        let mut c = Config::new();
        set(&mut c, &[("hz", "100000")]).unwrap();
        assert_eq!(value(&c, "hz"), "500");
        set(&mut c, &[("hz", "0")]).unwrap();
        assert_eq!(value(&c, "hz"), "1");
    }

    #[test]
    fn multi_word_values_split_on_single_spaces() {
        let mut c = Config::new();
        set(&mut c, &[("save", "100 2 200 3")]).unwrap();
        assert_eq!(value(&c, "save"), "100 2 200 3");
        set(&mut c, &[("save", "")]).unwrap();
        assert_eq!(value(&c, "save"), "");
        set(
            &mut c,
            &[("client-output-buffer-limit", "normal 1mb 2mb 3")],
        )
        .unwrap();
        assert_eq!(
            value(&c, "client-output-buffer-limit"),
            "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        set(&mut c, &[("shutdown-on-sigint", "save now")]).unwrap();
        assert_eq!(value(&c, "shutdown-on-sigint"), "save now");
        set(&mut c, &[("bind", "127.0.0.1 ::1")]).unwrap();
        assert_eq!(value(&c, "bind"), "127.0.0.1 ::1");
        set(&mut c, &[("latency-tracking-info-percentiles", "")]).unwrap();
        assert_eq!(value(&c, "latency-tracking-info-percentiles"), "");
        assert!(set(&mut c, &[("shutdown-on-sigint", "")]).is_err());
    }

    #[test]
    fn rollback_restores_previous_values() {
        let mut c = Config::new();
        let mut host = MemoryHost::new();
        let mut ctx = SetContext {
            client_is_local: false,
            loading: false,
            host: &mut host,
        };
        let changed = c
            .config_set(&[(b"port", b"7000"), (b"maxmemory", b"1gb")], &mut ctx)
            .unwrap();
        assert_eq!(changed[0].previous(), b"6379");
        assert_eq!(apply_failed_error(&changed[0], "Unable to listen on this port. Check server logs."),
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
        c.rollback(&changed, &mut host);
        assert_eq!(value(&c, "port"), "6379");
        assert_eq!(value(&c, "maxmemory"), "0");
    }

    #[test]
    fn kept_directives_are_reported_when_set() {
        let mut c = Config::new();
        set(
            &mut c,
            &[
                ("activerehashing", "yes"),
                ("list-compress-depth", "2"),
                ("maxmemory", "1"),
            ],
        )
        .unwrap();
        let kept = c.kept_directives_in_use();
        assert_eq!(
            kept,
            [
                KeptDirective {
                    name: "activerehashing".into(),
                    differs_from_default: false
                },
                KeptDirective {
                    name: "list-compress-depth".into(),
                    differs_from_default: true
                },
            ]
        );
    }
}
