//! SORT and SORT_RO: the elements of a list, set or sorted set, ordered
//! as numbers or as strings, optionally by the values of other keys
//! (`BY weight_*`, `BY obj_*->field`), sliced with LIMIT, projected with
//! GET patterns, and stored as a list with STORE.
//!
//! Follows Redis 7.0's rules: options are parsed (and refused in cluster
//! mode when a pattern names other keys) before the key is looked up;
//! numeric ties are broken by comparing the elements, so the order is
//! deterministic; `BY` a pattern without `*` skips sorting (a set is then
//! sorted as strings anyway when the result is stored). String comparison
//! is byte order, Redis's under the C locale it runs with by default.

use std::cmp::Ordering;

use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::collections::ListValue;
use shoal_keyspace::{Db, StrRef, Ttl, Value};
use shoal_resp::request::Args;

const BY_IN_CLUSTER: &str = "ERR BY option of SORT denied in Cluster mode.";
const GET_IN_CLUSTER: &str = "ERR GET option of SORT denied in Cluster mode.";
const NOT_DOUBLE: &str = "ERR One or more scores can't be converted into double";

/// The parsed options of one SORT.
struct Options<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    by: Option<&'a [u8]>,
    /// `BY` a pattern without `*`: keep the stored order.
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
    store: Option<&'a [u8]>,
}

impl<'a> Options<'a> {
    /// Parses `args[2..]`; `Err` is the error to reply.
    fn parse(args: Args<'a>, read_only: bool, cluster: bool) -> Result<Options<'a>, &'static str> {
        let mut o = Options {
            desc: false,
            alpha: false,
            limit_start: 0,
            limit_count: -1,
            by: None,
            dont_sort: false,
            gets: Vec::new(),
            store: None,
        };
        let mut j = 2;
        while j < args.len() {
            let word = args.get(j);
            let left = args.len() - j - 1;
            if eq_ignore_case(word, "asc") {
                o.desc = false;
            } else if eq_ignore_case(word, "desc") {
                o.desc = true;
            } else if eq_ignore_case(word, "alpha") {
                o.alpha = true;
            } else if eq_ignore_case(word, "limit") && left >= 2 {
                o.limit_start = parse::int(args.get(j + 1)).ok_or(errors::NOT_INTEGER)?;
                o.limit_count = parse::int(args.get(j + 2)).ok_or(errors::NOT_INTEGER)?;
                j += 2;
            } else if !read_only && eq_ignore_case(word, "store") && left >= 1 {
                o.store = Some(args.get(j + 1));
                j += 1;
            } else if eq_ignore_case(word, "by") && left >= 1 {
                let pattern = args.get(j + 1);
                o.by = Some(pattern);
                if !pattern.contains(&b'*') {
                    o.dont_sort = true;
                } else if cluster {
                    return Err(BY_IN_CLUSTER);
                }
                j += 1;
            } else if eq_ignore_case(word, "get") && left >= 1 {
                if cluster {
                    return Err(GET_IN_CLUSTER);
                }
                o.gets.push(args.get(j + 1));
                j += 1;
            } else {
                return Err(errors::SYNTAX);
            }
            j += 1;
        }
        Ok(o)
    }
}

/// The kind of value being sorted (sets differ: they have no order).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Ordered,
    Set,
}

/// Copies the elements of the value under `key` in their stored order
/// (sorted sets by ascending score); a missing key is empty. `Err(())`
/// after a WRONGTYPE reply.
fn elements(ctx: &mut ExecCtx<'_>, key: &[u8]) -> Result<(Vec<Vec<u8>>, Source), ()> {
    let bytes = |s: StrRef<'_>| s.with_bytes(<[u8]>::to_vec);
    match ctx.dbs[ctx.db].get(key, ctx.now_ms, ctx.rng) {
        None => Ok((Vec::new(), Source::Ordered)),
        Some(Value::List(l)) => Ok((l.iter().map(<[u8]>::to_vec).collect(), Source::Ordered)),
        Some(Value::Set(s)) => Ok((s.iter().map(bytes).collect(), Source::Set)),
        Some(Value::ZSet(z)) => {
            let mut v = Vec::with_capacity(z.len());
            z.for_each(|m, _| v.push(m.to_vec()));
            Ok((v, Source::Ordered))
        }
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            Err(())
        }
    }
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the
/// first `*` of the pattern is replaced by the element, and a `->field`
/// after it names a hash field. `None` when the pattern has no `*`, the
/// key is missing or holds another type, or the field is missing.
fn by_pattern(ctx: &mut ExecCtx<'_>, pattern: &[u8], element: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(element.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let arrow = pattern[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|i| star + 1 + i)
        .filter(|&i| i + 2 < pattern.len());
    let key_end = arrow.unwrap_or(pattern.len());
    let mut key = Vec::with_capacity(key_end + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let db: &mut Db = &mut ctx.dbs[ctx.db];
    match (db.get(&key, ctx.now_ms, ctx.rng)?, arrow) {
        (Value::Hash(h), Some(a)) => h.get(&pattern[a + 2..]).map(<[u8]>::to_vec),
        (v, None) => v.as_str().map(|s| s.with_bytes(<[u8]>::to_vec)),
        _ => None,
    }
}

/// A weight read as C's `strtod` reads it, all of it: `Err` where Redis
/// answers "can't be converted into double" (trailing text, NaN, a value
/// out of range). The text ends at its first NUL byte, as a C string does;
/// an empty text is 0.
fn weight(text: &[u8]) -> Result<f64, ()> {
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Ok(0.0);
    }
    let trimmed = text.trim_ascii_start();
    let s = std::str::from_utf8(trimmed).map_err(|_| ())?;
    let v: f64 = s.parse().map_err(|_| ())?;
    let lower = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    let is_inf_literal = lower == "inf" || lower == "infinity";
    let has_nonzero_digit = s
        .bytes()
        .take_while(|b| !matches!(b, b'e' | b'E'))
        .any(|b| (b'1'..=b'9').contains(&b));
    let overflow = v.is_infinite() && !is_inf_literal;
    let underflow = v.is_subnormal() || (v == 0.0 && has_nonzero_digit);
    if v.is_nan() || overflow || underflow {
        return Err(());
    }
    Ok(v)
}

/// C's `strcmp`: bytes up to each string's first NUL.
fn c_string_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let until_nul = |s: &[u8]| s.split(|&c| c == 0).next().unwrap_or_default().to_vec();
    until_nul(a).cmp(&until_nul(b))
}

/// One element with what it is sorted by.
struct Item {
    element: Vec<u8>,
    score: f64,
    by_value: Option<Vec<u8>>,
}

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
/// [ASC|DESC] [ALPHA] [STORE destination]
pub fn sort(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    sort_generic(ctx, args, false)
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...]
/// [ASC|DESC] [ALPHA]
pub fn sort_ro(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    sort_generic(ctx, args, true)
}

fn sort_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, read_only: bool) -> Outcome {
    let mut o = match Options::parse(args, read_only, ctx.settings.cluster_enabled) {
        Ok(o) => o,
        Err(e) => {
            ctx.out.error(e);
            return Outcome::Done;
        }
    };
    let Ok((mut elements, source)) = elements(ctx, args.get(1)) else {
        return Outcome::Done;
    };
    // A stored result must not depend on a set's internal order.
    if o.dont_sort && source == Source::Set && o.store.is_some() {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    let n = elements.len() as i64;
    let start = o.limit_start.max(0);
    let mut end = if o.limit_count < 0 {
        n - 1
    } else {
        start.saturating_add(o.limit_count - 1)
    };
    let (start, end) = if start >= n {
        (n - 1, n - 2)
    } else {
        end = end.min(n - 1);
        (start, end)
    };
    if o.dont_sort {
        // Unsorted lists and sorted sets are read from the tail for DESC.
        if o.desc && source == Source::Ordered {
            elements.reverse();
        }
    } else {
        let mut items = Vec::with_capacity(elements.len());
        let mut bad_weight = false;
        for element in elements {
            let by_value = match o.by {
                Some(pattern) => by_pattern(ctx, pattern, &element),
                None => None,
            };
            let mut score = 0.0;
            if !o.alpha {
                let weight_text = if o.by.is_some() {
                    by_value.as_deref()
                } else {
                    Some(&element[..])
                };
                if let Some(t) = weight_text {
                    match weight(t) {
                        Ok(w) => score = w,
                        Err(()) => bad_weight = true,
                    }
                }
            }
            items.push(Item {
                element,
                score,
                by_value,
            });
        }
        if bad_weight {
            ctx.out.error(NOT_DOUBLE);
            return Outcome::Done;
        }
        let (alpha, by, binary) = (o.alpha, o.by.is_some(), o.store.is_some());
        let text_cmp = |a: &[u8], b: &[u8]| if binary { a.cmp(b) } else { c_string_cmp(a, b) };
        items.sort_by(|a, b| {
            let ord = if !alpha {
                a.score
                    .partial_cmp(&b.score)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.element.cmp(&b.element))
            } else if by {
                match (&a.by_value, &b.by_value) {
                    (Some(x), Some(y)) => text_cmp(x, y),
                    (x, y) => x.is_some().cmp(&y.is_some()),
                }
            } else {
                text_cmp(&a.element, &b.element)
            };
            if o.desc {
                ord.reverse()
            } else {
                ord
            }
        });
        elements = items.into_iter().map(|i| i.element).collect();
    }
    let picked: &[Vec<u8>] = if end >= start {
        &elements[start as usize..=end as usize]
    } else {
        &[]
    };
    let picked = picked.to_vec();
    let output_len = if o.gets.is_empty() {
        picked.len()
    } else {
        picked.len() * o.gets.len()
    };
    let Some(dest) = o.store else {
        ctx.out.array(output_len);
        for element in &picked {
            if o.gets.is_empty() {
                ctx.out.bulk(element);
            }
            for &pattern in &o.gets {
                match by_pattern(ctx, pattern, element) {
                    Some(v) => ctx.out.bulk(&v),
                    None => ctx.out.null(),
                }
            }
        }
        return Outcome::Done;
    };
    let fill = ctx.settings.list_max_listpack_size;
    let mut list = ListValue::default();
    for element in &picked {
        if o.gets.is_empty() {
            list.push_back(element, fill);
        }
        for &pattern in &o.gets {
            let v = by_pattern(ctx, pattern, element).unwrap_or_default();
            list.push_back(&v, fill);
        }
    }
    let db = &mut ctx.dbs[ctx.db];
    if output_len > 0 {
        db.set(dest, Value::List(Box::new(list)), Ttl::Clear, ctx.now_ms);
        ctx.dirty += output_len as u64;
    } else if db.remove(dest, ctx.now_ms).is_some() {
        ctx.dirty += 1;
    }
    ctx.out.integer(output_len as i64);
    Outcome::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_read_like_strtod_over_the_whole_text() {
        assert_eq!(weight(b"1.5"), Ok(1.5));
        assert_eq!(weight(b"  -2"), Ok(-2.0));
        assert_eq!(weight(b""), Ok(0.0));
        assert_eq!(weight(b"inf"), Ok(f64::INFINITY));
        assert_eq!(weight(b"12\0junk"), Ok(12.0));
        for bad in [&b"1x"[..], b"nan", b"1e400", b"1e-400", b"   ", b"5 "] {
            assert_eq!(weight(bad), Err(()), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn c_strings_end_at_nul() {
        assert_eq!(c_string_cmp(b"ab\0z", b"ab\0a"), Ordering::Equal);
        assert_eq!(c_string_cmp(b"a", b"b"), Ordering::Less);
    }
}
