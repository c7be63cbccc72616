//! Which function runs which keyspace command.
//!
//! Only commands that need nothing but the databases live here; commands
//! about connections, the server or the cluster are run by the server.

use crate::ctx::{ExecCtx, Outcome};
use crate::{bitmaps, geo, hyperloglog, keys, sort, strings};
use shoal_resp::request::Args;

/// A keyspace command implementation. Arity has been checked by the
/// caller against the command table; the handler writes exactly one reply
/// (or asks to block).
pub type Handler = fn(&mut ExecCtx<'_>, Args<'_>) -> Outcome;

/// The handler for a keyspace command, by lowercase full name (`get`,
/// `object|encoding`), or `None` when the server runs the command itself.
pub fn keyspace_handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        // strings
        "get" => strings::get,
        "set" => strings::set,
        "setnx" => strings::setnx,
        "setex" => strings::setex,
        "psetex" => strings::psetex,
        "mget" => strings::mget,
        "mset" => strings::mset,
        "msetnx" => strings::msetnx,
        "getset" => strings::getset,
        "getdel" => strings::getdel,
        "getex" => strings::getex,
        "append" => strings::append,
        "strlen" => strings::strlen,
        "incr" => strings::incr,
        "decr" => strings::decr,
        "incrby" => strings::incrby,
        "decrby" => strings::decrby,
        "incrbyfloat" => strings::incrbyfloat,
        "getrange" | "substr" => strings::getrange,
        "setrange" => strings::setrange,
        "lcs" => strings::lcs,
        // bits of strings
        "setbit" => bitmaps::setbit,
        "getbit" => bitmaps::getbit,
        "bitcount" => bitmaps::bitcount,
        "bitpos" => bitmaps::bitpos,
        "bitop" => bitmaps::bitop,
        "bitfield" => bitmaps::bitfield,
        "bitfield_ro" => bitmaps::bitfield_ro,
        // HyperLogLog
        "pfadd" => hyperloglog::pfadd,
        "pfcount" => hyperloglog::pfcount,
        "pfmerge" => hyperloglog::pfmerge,
        "pfdebug" => hyperloglog::pfdebug,
        "pfselftest" => hyperloglog::pfselftest,
        // geospatial
        "geoadd" => geo::geoadd,
        "geodist" => geo::geodist,
        "geohash" => geo::geohash,
        "geopos" => geo::geopos,
        "georadius" => geo::georadius,
        "georadius_ro" => geo::georadius_ro,
        "georadiusbymember" => geo::georadiusbymember,
        "georadiusbymember_ro" => geo::georadiusbymember_ro,
        "geosearch" => geo::geosearch,
        "geosearchstore" => geo::geosearchstore,
        // ordering collections
        "sort" => sort::sort,
        "sort_ro" => sort::sort_ro,
        // keys
        "del" | "unlink" => keys::del,
        "exists" => keys::exists,
        "touch" => keys::touch,
        "expire" => keys::expire,
        "pexpire" => keys::pexpire,
        "expireat" => keys::expireat,
        "pexpireat" => keys::pexpireat,
        "ttl" => keys::ttl,
        "pttl" => keys::pttl,
        "expiretime" => keys::expiretime,
        "pexpiretime" => keys::pexpiretime,
        "persist" => keys::persist,
        "type" => keys::type_,
        "rename" => keys::rename,
        "renamenx" => keys::renamenx,
        "copy" => keys::copy,
        "move" => keys::move_,
        "keys" => keys::keys,
        "scan" => keys::scan,
        "dbsize" => keys::dbsize,
        "flushdb" => keys::flushdb,
        "flushall" => keys::flushall,
        "swapdb" => keys::swapdb,
        "randomkey" => keys::randomkey,
        "object|encoding" | "object|refcount" | "object|idletime" | "object|freq" => keys::object,
        _ => return crate::collection_handler(name),
    };
    Some(h)
}
