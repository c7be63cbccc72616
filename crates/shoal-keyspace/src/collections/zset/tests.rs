//! ZSetValue against a sorted-vector model, across the encoding switch.

use super::*;
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::SeedableRng;

/// The model: `(score, member)` kept sorted.
#[derive(Default, Debug)]
struct Model(Vec<(f64, Vec<u8>)>);

impl Model {
    fn sort(&mut self) {
        self.0
            .sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then_with(|| a.1.cmp(&b.1)));
    }
    fn find(&self, m: &[u8]) -> Option<usize> {
        self.0.iter().position(|e| e.1 == m)
    }
    fn set(&mut self, m: &[u8], s: f64) {
        match self.find(m) {
            Some(i) => self.0[i].0 = s,
            None => self.0.push((s, m.to_vec())),
        }
        self.sort();
    }
}

fn name(n: u8) -> Vec<u8> {
    // A few long members push the set out of the compact encoding.
    if n % 41 == 0 {
        format!("long-member-{n:03}-{}", "x".repeat(40)).into_bytes()
    } else {
        format!("m{n:03}").into_bytes()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(u8, i8),
    Incr(u8, i8),
    Remove(u8),
    RemoveRanks(u8, u8),
    RemoveScores(i8, bool, i8, bool),
    Pop(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (any::<u8>(), -20i8..20).prop_map(|(m, s)| Op::Add(m, s)),
        2 => (any::<u8>(), -3i8..4).prop_map(|(m, s)| Op::Incr(m, s)),
        3 => any::<u8>().prop_map(Op::Remove),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::RemoveRanks(a, b)),
        1 => (-20i8..20, any::<bool>(), -20i8..20, any::<bool>()).prop_map(|(a, x, b, y)| Op::RemoveScores(a, x, b, y)),
        1 => any::<bool>().prop_map(Op::Pop),
    ]
}

fn score_range(min: f64, min_exclusive: bool, max: f64, max_exclusive: bool) -> ZRange {
    ZRange::Score(ScoreRange {
        min,
        min_exclusive,
        max,
        max_exclusive,
    })
}

fn check_against(z: &ZSetValue, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(z.len(), model.0.len());
    let mut walked = Vec::new();
    z.for_each(|m, s| walked.push((s, m.to_vec())));
    prop_assert_eq!(walked.len(), model.0.len());
    for (got, want) in walked.iter().zip(&model.0) {
        prop_assert!(
            got.0 == want.0 && got.1 == want.1,
            "{:?} != {:?}",
            got,
            want
        );
    }
    for (rank, (s, m)) in model.0.iter().enumerate() {
        prop_assert_eq!(z.rank(m), Some(rank));
        prop_assert_eq!(z.score(m), Some(*s));
        let (gm, gs) = z.get(rank).unwrap();
        prop_assert!(gm == m.as_slice() && gs == *s);
    }
    prop_assert_eq!(z.rank(b"absent"), None);
    for lo in -6..6 {
        for hi in [lo - 1, lo, lo + 3] {
            for (lx, hx) in [(false, false), (true, false), (false, true), (true, true)] {
                let r = score_range(lo as f64 * 4.0, lx, hi as f64 * 4.0, hx);
                let ZRange::Score(sr) = &r else {
                    unreachable!()
                };
                let inside: Vec<usize> = (0..model.0.len())
                    .filter(|&i| sr.gte_min(model.0[i].0) && sr.lte_max(model.0[i].0))
                    .collect();
                prop_assert_eq!(z.range_first(&r), inside.first().copied());
                prop_assert_eq!(z.range_last(&r), inside.last().copied());
                prop_assert_eq!(z.count_in_range(&r), inside.len());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn behaves_like_a_sorted_vector(ops in prop::collection::vec(op(), 1..600), entries in 0usize..40) {
        let limits = ZSetLimits { max_listpack_entries: entries, max_listpack_value: 64 };
        let mut z = ZSetValue::new();
        let mut model = Model::default();
        let mut went_large = false;
        for op in ops {
            match op {
                Op::Add(m, s) => {
                    let m = name(m);
                    let added = z.insert(&m, s as f64, limits);
                    prop_assert_eq!(added, model.find(&m).is_none());
                    model.set(&m, s as f64);
                }
                Op::Incr(m, d) => {
                    let m = name(m);
                    let r = z.upsert(&m, limits, |cur| Some(cur.unwrap_or(0.0) + d as f64));
                    let before = model.find(&m).map(|i| model.0[i].0);
                    let after = before.unwrap_or(0.0) + d as f64;
                    let want = match before {
                        None => Upsert::Added,
                        Some(b) if b == after => Upsert::Unchanged,
                        Some(_) => Upsert::Updated,
                    };
                    prop_assert_eq!(r, want);
                    model.set(&m, after);
                }
                Op::Remove(m) => {
                    let m = name(m);
                    let want = model.find(&m).map(|i| model.0.remove(i).0);
                    prop_assert_eq!(z.remove(&m), want);
                }
                Op::RemoveRanks(a, b) => {
                    let (a, b) = (a as usize % 40, b as usize % 40);
                    let n = z.remove_ranks(a, b);
                    let end = b.min(model.0.len());
                    let want = end.saturating_sub(a);
                    if a < end {
                        model.0.drain(a..end);
                    }
                    prop_assert_eq!(n, want);
                }
                Op::RemoveScores(a, ax, b, bx) => {
                    let r = score_range(a as f64, ax, b as f64, bx);
                    let ZRange::Score(sr) = &r else { unreachable!() };
                    let before = model.0.len();
                    model.0.retain(|e| !(sr.gte_min(e.0) && sr.lte_max(e.0)));
                    prop_assert_eq!(z.remove_range(&r), before - model.0.len());
                }
                Op::Pop(max) => {
                    let want = if model.0.is_empty() {
                        None
                    } else if max {
                        model.0.pop()
                    } else {
                        Some(model.0.remove(0))
                    };
                    let got = z.pop(max);
                    prop_assert_eq!(got.map(|(m, s)| (s, m)), want);
                }
            }
            if model.0.len() > entries || model.0.iter().any(|e| e.1.len() > 64) {
                went_large = true;
            }
            if went_large {
                prop_assert_eq!(z.encoding_name(), "skiplist");
            } else {
                prop_assert_eq!(z.encoding_name(), "listpack");
            }
            prop_assert_eq!(z.len(), model.0.len());
        }
        check_against(&z, &model)?;
        if let Repr::Large(l) = &z.repr {
            let map = &l.map;
            l.tree.check(&|id| map.member(id as usize));
        }
        // A STORE-style shrink keeps the contents.
        z.shrink_if_fits(ZSetLimits { max_listpack_entries: 1000, max_listpack_value: 1000 });
        prop_assert!(z.is_compact());
        check_against(&z, &model)?;
    }

    #[test]
    fn lex_ranges_over_equal_scores(members in prop::collection::btree_set("[a-e]{0,3}", 0..60), large in any::<bool>(),
                                    lo in "[a-e]{0,3}", hi in "[a-e]{0,3}", lo_kind in 0u8..4, hi_kind in 0u8..4) {
        let limits = ZSetLimits { max_listpack_entries: if large { 0 } else { 128 }, max_listpack_value: 64 };
        let mut z = ZSetValue::new();
        for m in &members {
            z.insert(m.as_bytes(), 0.0, limits);
        }
        let bound = |kind: u8, s: &str| match kind {
            0 => LexBound::NegInf,
            1 => LexBound::PosInf,
            2 => LexBound::Inclusive(s.as_bytes().to_vec()),
            _ => LexBound::Exclusive(s.as_bytes().to_vec()),
        };
        let lr = LexRange { min: bound(lo_kind, &lo), max: bound(hi_kind, &hi) };
        let sorted: Vec<&String> = members.iter().collect();
        let inside: Vec<usize> = (0..sorted.len())
            .filter(|&i| lr.gte_min(sorted[i].as_bytes()) && lr.lte_max(sorted[i].as_bytes()))
            .collect();
        let r = ZRange::Lex(lr);
        prop_assert_eq!(z.range_first(&r), inside.first().copied());
        prop_assert_eq!(z.range_last(&r), inside.last().copied());
        prop_assert_eq!(z.count_in_range(&r), inside.len());
        let removed = z.remove_range(&r);
        prop_assert_eq!(removed, inside.len());
        prop_assert_eq!(z.len(), members.len() - inside.len());
    }
}

#[test]
fn compact_encoding_stores_negative_zero_as_zero() {
    let limits = ZSetLimits::default();
    let mut small = ZSetValue::new();
    small.insert(b"a", -0.0, limits);
    assert!(small.score(b"a").unwrap().is_sign_positive());
    let mut large = ZSetValue::for_new_key(limits, 100);
    assert_eq!(large.encoding_name(), "skiplist");
    large.insert(b"a", -0.0, limits);
    assert!(large.score(b"a").unwrap().is_sign_negative());
    // Equal scores never count as an update.
    assert_eq!(large.upsert(b"a", limits, |_| Some(0.0)), Upsert::Unchanged);
}

#[test]
fn scan_of_a_large_set_visits_everything_once_without_changes() {
    let limits = ZSetLimits {
        max_listpack_entries: 0,
        max_listpack_value: 64,
    };
    let mut z = ZSetValue::new();
    for i in 0..1000 {
        z.insert(format!("m{i}").as_bytes(), i as f64, limits);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = 0;
    loop {
        cursor = z.scan(cursor, 7, |m, s, compact| {
            assert!(!compact);
            assert_eq!(format!("m{s}").as_bytes(), m);
            assert!(seen.insert(m.to_vec()));
        });
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    let mut rng = SmallRng::seed_from_u64(1);
    let (m, s) = z.slot(z.random_slot(&mut rng));
    assert_eq!(z.score(m), Some(s));
}
