//! `--cluster <subcommand>`: the cluster manager, redis-cli's tool for
//! creating, checking, fixing, resharding and rebalancing a cluster.
//!
//! Here: the subcommand table (names and argument counts, checked as
//! redis-cli checks them), the `--cluster-*` options collected by
//! [`crate::args`], and the dispatcher. Each subcommand is a module of its
//! own; [`manager`] holds what they share (the node model, loading a
//! cluster from one node, the listing and the check).
//!
//! Written: `create`, `check`, `fix`, `info`, `call`, `set-timeout`,
//! `add-node`, `del-node`, `reshard`, `rebalance` (the last three share the
//! slot move of [`migrate`]), and Shoal's own `map`. Not yet: `import` and
//! `backup`; those answer "not implemented yet" with exit code 1.

use crate::args::Options;

pub mod add_node;
pub mod call;
pub mod check;
pub mod create;
pub mod del_node;
pub mod fix;
pub mod info;
pub mod manager;
pub mod map;
pub mod migrate;
pub mod rebalance;
pub mod reshard;
pub mod set_timeout;

/// A `--cluster` invocation: the subcommand and the words after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRequest {
    /// `create`, `check`, ...
    pub subcommand: String,
    /// The subcommand's own arguments (addresses, node ids, a command).
    pub args: Vec<Vec<u8>>,
}

/// The `--cluster-*` options, as redis-cli 7.0 names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterOptions {
    /// `--cluster-replicas <n>`: replicas per primary for `create`.
    pub replicas: i64,
    /// `--cluster-yes`: answer yes to every confirmation.
    pub yes: bool,
    /// `--cluster-from <ids>`: reshard sources.
    pub from: Option<Vec<u8>>,
    /// `--cluster-to <id>`: reshard target.
    pub to: Option<Vec<u8>>,
    /// `--cluster-from-user <user>`: import source user.
    pub from_user: Option<Vec<u8>>,
    /// `--cluster-from-pass <password>`: import source password.
    pub from_pass: Option<Vec<u8>>,
    /// `--cluster-slots <n>`: slots to move when resharding.
    pub slots: i64,
    /// `--cluster-timeout <ms>`: MIGRATE timeout.
    pub timeout: Option<i64>,
    /// `--cluster-pipeline <n>`: keys per MIGRATE.
    pub pipeline: Option<i64>,
    /// `--cluster-threshold <f>`: rebalance threshold, in percent.
    pub threshold: Option<f64>,
    /// `--cluster-weight <node=w ...>`: rebalance weights.
    pub weights: Vec<Vec<u8>>,
    /// `--cluster-master-id <id>`: primary for `add-node --cluster-slave`.
    pub primary_id: Option<Vec<u8>>,
    /// Flag options seen, e.g. `--cluster-simulate`, `--cluster-replace`.
    pub flags: Vec<String>,
}

/// Flag-only `--cluster-*` options.
const FLAGS: &[&str] = &[
    "--cluster-yes",
    "--cluster-only-masters",
    "--cluster-only-replicas",
    "--cluster-simulate",
    "--cluster-replace",
    "--cluster-copy",
    "--cluster-slave",
    "--cluster-use-empty-masters",
    "--cluster-search-multiple-owners",
    "--cluster-fix-with-unreachable-masters",
];

impl ClusterOptions {
    /// Records `--cluster-<name>`, taking its value from `rest` (the
    /// arguments after it). Returns how many arguments it used, the option
    /// included: 1 for a flag, 2 for an option with a value, 1 + n for
    /// `--cluster-weight` and the n `node=weight` words after it. `None` for
    /// an unknown option or a missing value.
    pub fn set(&mut self, flag: &str, rest: &[Vec<u8>]) -> Option<usize> {
        if FLAGS.contains(&flag) {
            if flag == "--cluster-yes" {
                self.yes = true;
            }
            self.flags.push(flag.to_owned());
            return Some(1);
        }
        let value = rest.first()?.clone();
        let int = || crate::uri::atoi(&value);
        match flag {
            "--cluster-replicas" => self.replicas = int(),
            "--cluster-from" => self.from = Some(value),
            "--cluster-to" => self.to = Some(value),
            "--cluster-from-user" => self.from_user = Some(value),
            "--cluster-from-pass" => self.from_pass = Some(value),
            "--cluster-slots" => self.slots = int(),
            "--cluster-timeout" => self.timeout = Some(int()),
            "--cluster-pipeline" => self.pipeline = Some(int()),
            "--cluster-threshold" => {
                self.threshold = String::from_utf8_lossy(&value).trim().parse().ok()
            }
            "--cluster-master-id" => self.primary_id = Some(value),
            "--cluster-weight" => {
                let words: Vec<Vec<u8>> = rest
                    .iter()
                    .take_while(|w| !w.starts_with(b"--") && w.contains(&b'='))
                    .cloned()
                    .collect();
                let used = 1 + words.len();
                self.weights.extend(words);
                return Some(used);
            }
            _ => return None,
        }
        Some(2)
    }
}

/// One cluster manager subcommand.
#[derive(Debug, Clone, Copy)]
pub struct Subcommand {
    /// Its name after `--cluster`.
    pub name: &'static str,
    /// Argument count: exactly `n` when positive, at least `-n` when negative.
    pub arity: i32,
    /// Argument synopsis, for help.
    pub synopsis: &'static str,
}

/// Every subcommand, redis-cli's and Shoal's own `map`.
pub const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        name: "create",
        arity: -2,
        synopsis: "host1:port1 ... hostN:portN",
    },
    Subcommand {
        name: "check",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "info",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "fix",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "reshard",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "rebalance",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "add-node",
        arity: 2,
        synopsis: "new_host:new_port existing_host:existing_port",
    },
    Subcommand {
        name: "del-node",
        arity: 2,
        synopsis: "host:port node_id",
    },
    Subcommand {
        name: "call",
        arity: -2,
        synopsis: "host:port command arg arg .. arg",
    },
    Subcommand {
        name: "set-timeout",
        arity: 2,
        synopsis: "host:port milliseconds",
    },
    Subcommand {
        name: "import",
        arity: 1,
        synopsis: "host:port",
    },
    Subcommand {
        name: "backup",
        arity: 2,
        synopsis: "host:port backup_directory",
    },
    Subcommand {
        name: "map",
        arity: -1,
        synopsis: "<host:port> | <host> <port>",
    },
    Subcommand {
        name: "help",
        arity: 0,
        synopsis: "",
    },
];

/// A subcommand's entry point: its arguments and the options; `true` for
/// exit code 0.
type Entry = fn(&[Vec<u8>], &Options) -> bool;

/// Finds `name` in [`SUBCOMMANDS`].
pub fn lookup(name: &str) -> Option<&'static Subcommand> {
    SUBCOMMANDS.iter().find(|s| s.name == name)
}

/// Runs a `--cluster` request and returns the exit code. Unknown names and
/// wrong argument counts get redis-cli's messages; subcommands not written
/// yet are refused with exit code 1.
pub fn run(request: &ClusterRequest, options: &Options) -> i32 {
    let Some(sub) = lookup(&request.subcommand) else {
        eprintln!("Unknown --cluster subcommand");
        return 1;
    };
    let argc = request.args.len() as i32;
    if (sub.arity > 0 && argc != sub.arity) || (sub.arity < 0 && argc < -sub.arity) {
        eprintln!("[ERR] Wrong number of arguments for specified --cluster sub command");
        return 1;
    }
    let entry: Option<Entry> = match sub.name {
        "create" => Some(create::run),
        "check" => Some(check::run),
        "info" => Some(info::run),
        "call" => Some(call::run),
        "set-timeout" => Some(set_timeout::run),
        "add-node" => Some(add_node::run),
        "del-node" => Some(del_node::run),
        "map" => Some(map::run),
        "fix" => Some(fix::run),
        "reshard" => Some(reshard::run),
        "rebalance" => Some(rebalance::run),
        _ => None,
    };
    if let Some(entry) = entry {
        return if entry(&request.args, options) { 0 } else { 1 };
    }
    eprintln!(
        "shoal-cli: --cluster {} is not implemented yet; use redis-cli --cluster {} meanwhile.",
        sub.name, sub.name
    );
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, args: &[&str]) -> ClusterRequest {
        ClusterRequest {
            subcommand: name.to_owned(),
            args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        let options = Options::new(false);
        assert_eq!(run(&request("import", &["a:1"]), &options), 1);
        assert_eq!(run(&request("reshard", &["nocolon"]), &options), 1);
        assert_eq!(run(&request("check", &["nocolon"]), &options), 1);
        assert_eq!(run(&request("nope", &[]), &options), 1);
        assert_eq!(run(&request("del-node", &["a:1"]), &options), 1);
    }

    #[test]
    fn options_record_values_and_flags() {
        let mut o = ClusterOptions::default();
        let words = |list: &[&str]| -> Vec<Vec<u8>> {
            list.iter().map(|w| w.as_bytes().to_vec()).collect()
        };
        assert_eq!(o.set("--cluster-replicas", &words(&["2"])), Some(2));
        assert_eq!(o.set("--cluster-yes", &[]), Some(1));
        assert_eq!(o.set("--cluster-slots", &[]), None);
        assert_eq!(o.set("--cluster-bogus", &words(&["x"])), None);
        assert_eq!(
            o.set("--cluster-weight", &words(&["a=1", "b=2", "--x"])),
            Some(3)
        );
        assert_eq!((o.replicas, o.yes, o.weights.len()), (2, true, 2));
    }
}
