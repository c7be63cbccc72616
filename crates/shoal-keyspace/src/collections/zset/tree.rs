//! An order-statistic B+tree: the ordered half of a large sorted set.
//!
//! The tree orders the members of a sorted set by `(score, member)` and
//! answers rank questions in O(log n): the rank of a member, the member at
//! a rank, how many members score below a bound. It plays the part of
//! Redis's skiplist with spans, in less memory: a member costs 12 bytes in
//! a leaf (its score and its position in the set's member table) instead
//! of a skiplist node of 40 to 80 bytes.
//!
//! ```text
//!            inner: [ (size, max key, child) ... ]     up to INNER_CAP children
//!           /                 |                \
//!   leaf: scores[], ids[]   leaf ...          leaf      up to LEAF_CAP entries
//! ```
//!
//! Members themselves live in the set's member table; the tree stores their
//! table positions (`id`s) and asks a `members` function for the bytes when
//! two scores tie. Every child of an inner node carries its element count
//! (for ranks) and its exact largest key (for descent), so no key in an
//! inner node ever refers to a removed member. When the member table moves
//! an entry to a new position, [`OrderTree::relabel`] updates the id.
//!
//! Scores are never NaN. `-0.0` and `0.0` compare equal and are then ordered
//! by member, as in Redis.

use std::cmp::Ordering;

/// Entries per leaf. 63 makes a leaf 760 bytes, just under an allocator
/// size class of 768.
pub(crate) const LEAF_CAP: usize = 63;
/// A leaf below this many entries after a removal is merged or refilled.
const LEAF_MIN: usize = LEAF_CAP / 4;
/// Children per inner node.
const INNER_CAP: usize = 32;
/// An inner node below this many children after a removal is merged or
/// refilled.
const INNER_MIN: usize = INNER_CAP / 4;

#[derive(Clone)]
struct Leaf {
    len: u32,
    scores: [f64; LEAF_CAP],
    ids: [u32; LEAF_CAP],
}

#[derive(Clone)]
struct Kid {
    /// Elements below this child.
    size: usize,
    /// Score of the child's largest element.
    max_score: f64,
    /// Member-table id of the child's largest element.
    max_id: u32,
    node: Node,
}

#[derive(Clone)]
enum Node {
    Leaf(Box<Leaf>),
    Inner(Vec<Kid>),
}

/// The ordered index of a large sorted set.
#[derive(Clone)]
pub(crate) struct OrderTree {
    root: Node,
    len: usize,
}

impl std::fmt::Debug for OrderTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderTree").field("len", &self.len).finish()
    }
}

/// Compares the key `(score, member)` with the element `(e_score, e_id)`.
#[inline]
fn cmp_key<'m>(
    score: f64,
    member: &[u8],
    e_score: f64,
    e_id: u32,
    members: &impl Fn(u32) -> &'m [u8],
) -> Ordering {
    match score
        .partial_cmp(&e_score)
        .expect("sorted set scores are never NaN")
    {
        Ordering::Equal => member.cmp(members(e_id)),
        o => o,
    }
}

impl Leaf {
    fn new() -> Box<Leaf> {
        Box::new(Leaf {
            len: 0,
            scores: [0.0; LEAF_CAP],
            ids: [0; LEAF_CAP],
        })
    }

    #[inline]
    fn n(&self) -> usize {
        self.len as usize
    }

    /// Position of the first entry not less than the key.
    #[inline]
    fn lower_bound<'m>(
        &self,
        score: f64,
        member: &[u8],
        members: &impl Fn(u32) -> &'m [u8],
    ) -> usize {
        let n = self.n();
        let lo = self.scores[..n].partition_point(|&s| s < score);
        let hi = lo + self.scores[lo..n].partition_point(|&s| s <= score);
        if lo == hi {
            return lo;
        }
        lo + self.ids[lo..hi].partition_point(|&id| members(id) < member)
    }

    fn insert_at(&mut self, pos: usize, score: f64, id: u32) {
        let n = self.n();
        debug_assert!(n < LEAF_CAP);
        self.scores.copy_within(pos..n, pos + 1);
        self.ids.copy_within(pos..n, pos + 1);
        self.scores[pos] = score;
        self.ids[pos] = id;
        self.len += 1;
    }

    fn remove_at(&mut self, pos: usize) {
        let n = self.n();
        self.scores.copy_within(pos + 1..n, pos);
        self.ids.copy_within(pos + 1..n, pos);
        self.len -= 1;
    }

    /// Moves the entries from `at` on into a new leaf.
    fn split_off(&mut self, at: usize) -> Box<Leaf> {
        let n = self.n();
        let mut right = Leaf::new();
        right.scores[..n - at].copy_from_slice(&self.scores[at..n]);
        right.ids[..n - at].copy_from_slice(&self.ids[at..n]);
        right.len = (n - at) as u32;
        self.len = at as u32;
        right
    }

    fn max(&self) -> (f64, u32) {
        let n = self.n();
        (self.scores[n - 1], self.ids[n - 1])
    }
}

impl Node {
    fn size(&self) -> usize {
        match self {
            Node::Leaf(l) => l.n(),
            Node::Inner(kids) => kids.iter().map(|k| k.size).sum(),
        }
    }

    /// The largest key below this node, which must not be empty.
    fn max(&self) -> (f64, u32) {
        match self {
            Node::Leaf(l) => l.max(),
            Node::Inner(kids) => {
                let last = kids.last().expect("inner nodes have children");
                (last.max_score, last.max_id)
            }
        }
    }

    fn underfull(&self) -> bool {
        match self {
            Node::Leaf(l) => l.n() < LEAF_MIN,
            Node::Inner(kids) => kids.len() < INNER_MIN,
        }
    }
}

impl Kid {
    fn new(node: Node) -> Kid {
        let (max_score, max_id) = node.max();
        Kid {
            size: node.size(),
            max_score,
            max_id,
            node,
        }
    }

    /// Recomputes size and max from the node.
    fn refresh(&mut self) {
        self.size = self.node.size();
        if self.size > 0 {
            (self.max_score, self.max_id) = self.node.max();
        }
    }
}

/// Index of the first child whose max is not less than the key.
#[inline]
fn child_for<'m>(
    kids: &[Kid],
    score: f64,
    member: &[u8],
    members: &impl Fn(u32) -> &'m [u8],
) -> usize {
    kids.partition_point(|k| {
        cmp_key(score, member, k.max_score, k.max_id, members) == Ordering::Greater
    })
}

impl Default for OrderTree {
    fn default() -> Self {
        OrderTree::new()
    }
}

impl OrderTree {
    /// An empty tree.
    pub(crate) fn new() -> OrderTree {
        OrderTree {
            root: Node::Leaf(Leaf::new()),
            len: 0,
        }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Inserts element `id` with `score`; `members(id)` must already give
    /// its member bytes, and the element must not be in the tree.
    pub(crate) fn insert<'m>(&mut self, score: f64, id: u32, members: &impl Fn(u32) -> &'m [u8]) {
        let member = members(id);
        if let Some(right) = insert_rec(&mut self.root, score, id, member, members, true) {
            let left = std::mem::replace(&mut self.root, Node::Inner(Vec::new()));
            self.root = Node::Inner(vec![Kid::new(left), Kid::new(right)]);
        }
        self.len += 1;
    }

    /// Removes element `id`, whose key is `(score, members(id))`; false if
    /// it is not in the tree.
    pub(crate) fn remove<'m>(
        &mut self,
        score: f64,
        id: u32,
        members: &impl Fn(u32) -> &'m [u8],
    ) -> bool {
        let member = members(id);
        if !remove_rec(&mut self.root, score, id, member, members) {
            return false;
        }
        self.len -= 1;
        // An inner root left with one child gives way to it.
        while let Node::Inner(kids) = &mut self.root {
            if kids.len() != 1 {
                break;
            }
            let only = kids.pop().expect("one child").node;
            self.root = only;
        }
        true
    }

    /// Changes the id of the element with key `(score, members(old))` from
    /// `old` to `new` (its member-table entry is about to move). `members`
    /// must still resolve `old`.
    pub(crate) fn relabel<'m>(
        &mut self,
        score: f64,
        old: u32,
        new: u32,
        members: &impl Fn(u32) -> &'m [u8],
    ) {
        let member = members(old);
        let mut node = &mut self.root;
        loop {
            match node {
                Node::Inner(kids) => {
                    let i = child_for(kids, score, member, members);
                    let kid = &mut kids[i];
                    if kid.max_id == old {
                        kid.max_id = new;
                    }
                    node = &mut kid.node;
                }
                Node::Leaf(leaf) => {
                    let pos = leaf.lower_bound(score, member, members);
                    assert!(
                        pos < leaf.n() && leaf.ids[pos] == old,
                        "relabelled element is in the tree"
                    );
                    leaf.ids[pos] = new;
                    return;
                }
            }
        }
    }

    /// Number of elements less than the key `(score, member)`.
    pub(crate) fn rank<'m>(
        &self,
        score: f64,
        member: &[u8],
        members: &impl Fn(u32) -> &'m [u8],
    ) -> usize {
        let mut node = &self.root;
        let mut before = 0;
        loop {
            match node {
                Node::Inner(kids) => {
                    let i = child_for(kids, score, member, members);
                    before += kids[..i].iter().map(|k| k.size).sum::<usize>();
                    match kids.get(i) {
                        Some(k) => node = &k.node,
                        None => return before,
                    }
                }
                Node::Leaf(leaf) => return before + leaf.lower_bound(score, member, members),
            }
        }
    }

    /// Number of elements whose score is below `score` (or at most `score`
    /// when `inclusive`).
    pub(crate) fn count_scores_below(&self, score: f64, inclusive: bool) -> usize {
        let below = |s: f64| if inclusive { s <= score } else { s < score };
        let mut node = &self.root;
        let mut before = 0;
        loop {
            match node {
                Node::Inner(kids) => {
                    let i = kids.partition_point(|k| below(k.max_score));
                    before += kids[..i].iter().map(|k| k.size).sum::<usize>();
                    match kids.get(i) {
                        Some(k) => node = &k.node,
                        None => return before,
                    }
                }
                Node::Leaf(leaf) => {
                    return before + leaf.scores[..leaf.n()].partition_point(|&s| below(s))
                }
            }
        }
    }

    /// Number of elements whose member is below `member` (or at most
    /// `member` when `inclusive`), assuming the order by member agrees with
    /// the order by score (true when all scores are equal, the case lex
    /// ranges are meant for).
    pub(crate) fn count_members_below<'m>(
        &self,
        member: &[u8],
        inclusive: bool,
        members: &impl Fn(u32) -> &'m [u8],
    ) -> usize {
        let below = |id: u32| {
            let m = members(id);
            if inclusive {
                m <= member
            } else {
                m < member
            }
        };
        let mut node = &self.root;
        let mut before = 0;
        loop {
            match node {
                Node::Inner(kids) => {
                    let i = kids.partition_point(|k| below(k.max_id));
                    before += kids[..i].iter().map(|k| k.size).sum::<usize>();
                    match kids.get(i) {
                        Some(k) => node = &k.node,
                        None => return before,
                    }
                }
                Node::Leaf(leaf) => {
                    return before + leaf.ids[..leaf.n()].partition_point(|&id| below(id))
                }
            }
        }
    }

    /// The element at `rank` (0-based), as `(score, id)`.
    pub(crate) fn get(&self, rank: usize) -> Option<(f64, u32)> {
        if rank >= self.len {
            return None;
        }
        let mut node = &self.root;
        let mut rank = rank;
        loop {
            match node {
                Node::Inner(kids) => {
                    let mut next = None;
                    for k in kids {
                        if rank < k.size {
                            next = Some(&k.node);
                            break;
                        }
                        rank -= k.size;
                    }
                    node = next.expect("rank is below the tree size");
                }
                Node::Leaf(leaf) => return Some((leaf.scores[rank], leaf.ids[rank])),
            }
        }
    }

    /// Calls `f(score, id)` for the elements from rank `start` on, upwards
    /// (or downwards when `reverse`), until `f` returns false or the tree
    /// ends. O(log n) to find the start, then O(1) per element.
    pub(crate) fn walk(&self, start: usize, reverse: bool, f: &mut impl FnMut(f64, u32) -> bool) {
        if start >= self.len {
            return;
        }
        if reverse {
            walk_down(&self.root, start, f);
        } else {
            walk_up(&self.root, start, f);
        }
    }

    /// Checks the structural invariants (tests only).
    #[cfg(test)]
    pub(crate) fn check<'m>(&self, members: &impl Fn(u32) -> &'m [u8]) {
        fn check_node(node: &Node, is_root: bool, out: &mut Vec<(f64, u32)>) -> usize {
            match node {
                Node::Leaf(l) => {
                    for i in 0..l.n() {
                        out.push((l.scores[i], l.ids[i]));
                    }
                    assert!(is_root || l.n() > 0, "non-root leaves are not empty");
                    l.n()
                }
                Node::Inner(kids) => {
                    assert!(!kids.is_empty() && kids.len() <= INNER_CAP);
                    assert!(
                        !is_root || kids.len() >= 2,
                        "an inner root has two children or more"
                    );
                    let mut total = 0;
                    for k in kids {
                        let size = check_node(&k.node, false, out);
                        assert_eq!(size, k.size, "child sizes are exact");
                        let (s, id) = *out.last().expect("non-empty child");
                        assert_eq!(
                            (s.to_bits(), id),
                            (k.max_score.to_bits(), k.max_id),
                            "child maxima are exact"
                        );
                        total += size;
                    }
                    total
                }
            }
        }
        let mut all = Vec::new();
        let n = check_node(&self.root, true, &mut all);
        assert_eq!(n, self.len);
        for w in all.windows(2) {
            assert_eq!(
                cmp_key(w[0].0, members(w[0].1), w[1].0, w[1].1, members),
                Ordering::Less,
                "elements are strictly ordered"
            );
        }
    }
}

fn insert_rec<'m>(
    node: &mut Node,
    score: f64,
    id: u32,
    member: &[u8],
    members: &impl Fn(u32) -> &'m [u8],
    rightmost: bool,
) -> Option<Node> {
    match node {
        Node::Leaf(leaf) => {
            let pos = leaf.lower_bound(score, member, members);
            if leaf.n() < LEAF_CAP {
                leaf.insert_at(pos, score, id);
                return None;
            }
            // Appending past the end of the whole tree (rising scores, the
            // common load pattern) starts a new leaf and leaves this one
            // full, instead of leaving half-empty leaves behind.
            if rightmost && pos == LEAF_CAP {
                let mut right = Leaf::new();
                right.insert_at(0, score, id);
                return Some(Node::Leaf(right));
            }
            let mid = LEAF_CAP / 2 + 1;
            let mut right = leaf.split_off(mid);
            if pos <= mid {
                leaf.insert_at(pos, score, id);
            } else {
                right.insert_at(pos - mid, score, id);
            }
            Some(Node::Leaf(right))
        }
        Node::Inner(kids) => {
            let n = kids.len();
            let mut i = child_for(kids, score, member, members);
            if i == n {
                // Larger than everything: it goes last and is the new max.
                i = n - 1;
                kids[i].max_score = score;
                kids[i].max_id = id;
            }
            kids[i].size += 1;
            let right = insert_rec(
                &mut kids[i].node,
                score,
                id,
                member,
                members,
                rightmost && i == n - 1,
            )?;
            kids[i].refresh();
            kids.insert(i + 1, Kid::new(right));
            if kids.len() <= INNER_CAP {
                return None;
            }
            let tail = kids.split_off(kids.len() / 2);
            Some(Node::Inner(tail))
        }
    }
}

fn remove_rec<'m>(
    node: &mut Node,
    score: f64,
    id: u32,
    member: &[u8],
    members: &impl Fn(u32) -> &'m [u8],
) -> bool {
    match node {
        Node::Leaf(leaf) => {
            let pos = leaf.lower_bound(score, member, members);
            if pos < leaf.n() && leaf.ids[pos] == id {
                leaf.remove_at(pos);
                true
            } else {
                false
            }
        }
        Node::Inner(kids) => {
            let i = child_for(kids, score, member, members);
            if i == kids.len() || !remove_rec(&mut kids[i].node, score, id, member, members) {
                return false;
            }
            kids[i].size -= 1;
            if kids[i].size > 0 {
                (kids[i].max_score, kids[i].max_id) = kids[i].node.max();
            }
            if kids[i].node.underfull() && kids.len() > 1 {
                rebalance(kids, i);
            }
            true
        }
    }
}

/// Merges the underfull child `i` with a neighbour, or evens the two out
/// when together they would not fit in one node.
fn rebalance(kids: &mut Vec<Kid>, i: usize) {
    let (l, r) = if i + 1 < kids.len() {
        (i, i + 1)
    } else {
        (i - 1, i)
    };
    let (left, right) = kids.split_at_mut(r);
    let (a, b) = (&mut left[l].node, &mut right[0].node);
    let merged = match (a, b) {
        (Node::Leaf(a), Node::Leaf(b)) => {
            let total = a.n() + b.n();
            if total <= LEAF_CAP {
                let (an, bn) = (a.n(), b.n());
                a.scores[an..total].copy_from_slice(&b.scores[..bn]);
                a.ids[an..total].copy_from_slice(&b.ids[..bn]);
                a.len = total as u32;
                true
            } else {
                let mut scores = Vec::with_capacity(total);
                let mut ids = Vec::with_capacity(total);
                scores.extend_from_slice(&a.scores[..a.n()]);
                scores.extend_from_slice(&b.scores[..b.n()]);
                ids.extend_from_slice(&a.ids[..a.n()]);
                ids.extend_from_slice(&b.ids[..b.n()]);
                let half = total / 2;
                a.scores[..half].copy_from_slice(&scores[..half]);
                a.ids[..half].copy_from_slice(&ids[..half]);
                a.len = half as u32;
                b.scores[..total - half].copy_from_slice(&scores[half..]);
                b.ids[..total - half].copy_from_slice(&ids[half..]);
                b.len = (total - half) as u32;
                false
            }
        }
        (Node::Inner(a), Node::Inner(b)) => {
            let total = a.len() + b.len();
            if total <= INNER_CAP {
                a.append(b);
                true
            } else {
                let half = total / 2;
                if a.len() > half {
                    let moved = a.split_off(half);
                    b.splice(0..0, moved);
                } else {
                    let take = half - a.len();
                    a.extend(b.drain(..take));
                }
                false
            }
        }
        _ => unreachable!("siblings are at the same depth"),
    };
    if merged {
        kids.remove(r);
        kids[l].refresh();
    } else {
        kids[l].refresh();
        kids[r].refresh();
    }
}

fn walk_up(node: &Node, skip: usize, f: &mut impl FnMut(f64, u32) -> bool) -> bool {
    match node {
        Node::Leaf(leaf) => {
            for k in skip..leaf.n() {
                if !f(leaf.scores[k], leaf.ids[k]) {
                    return false;
                }
            }
            true
        }
        Node::Inner(kids) => {
            let mut skip = skip;
            for k in kids {
                if skip >= k.size {
                    skip -= k.size;
                    continue;
                }
                if !walk_up(&k.node, skip, f) {
                    return false;
                }
                skip = 0;
            }
            true
        }
    }
}

/// Visits from the element at index `from` of this node downwards.
fn walk_down(node: &Node, from: usize, f: &mut impl FnMut(f64, u32) -> bool) -> bool {
    match node {
        Node::Leaf(leaf) => {
            for k in (0..=from).rev() {
                if !f(leaf.scores[k], leaf.ids[k]) {
                    return false;
                }
            }
            true
        }
        Node::Inner(kids) => {
            let mut from = from;
            let mut start = kids.len();
            for (i, k) in kids.iter().enumerate() {
                if from < k.size {
                    start = i;
                    break;
                }
                from -= k.size;
            }
            if start == kids.len() {
                return true;
            }
            if !walk_down(&kids[start].node, from, f) {
                return false;
            }
            for k in kids[..start].iter().rev() {
                if !walk_down(&k.node, k.size - 1, f) {
                    return false;
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A member table for tests: id -> member bytes.
    struct Table(Vec<Vec<u8>>);

    #[test]
    fn sequential_inserts_fill_leaves() {
        let names: Vec<Vec<u8>> = (0..10_000)
            .map(|i| format!("m{i:05}").into_bytes())
            .collect();
        let table = Table(names);
        let members = |id: u32| table.0[id as usize].as_slice();
        let mut t = OrderTree::new();
        for i in 0..10_000u32 {
            t.insert(i as f64, i, &members);
        }
        t.check(&members);
        fn leaves(n: &Node) -> usize {
            match n {
                Node::Leaf(_) => 1,
                Node::Inner(k) => k.iter().map(|k| leaves(&k.node)).sum(),
            }
        }
        // Appends keep leaves full.
        assert_eq!(leaves(&t.root), 10_000usize.div_ceil(LEAF_CAP));
        assert_eq!(t.get(1234), Some((1234.0, 1234)));
        assert_eq!(t.rank(1234.0, b"m01234", &members), 1234);
        assert_eq!(t.count_scores_below(100.0, false), 100);
        assert_eq!(t.count_scores_below(100.0, true), 101);
        let mut seen = Vec::new();
        t.walk(9_997, false, &mut |s, _| {
            seen.push(s);
            true
        });
        assert_eq!(seen, vec![9997.0, 9998.0, 9999.0]);
        seen.clear();
        t.walk(2, true, &mut |s, _| {
            seen.push(s);
            true
        });
        assert_eq!(seen, vec![2.0, 1.0, 0.0]);
        for i in 0..10_000u32 {
            assert!(t.remove(i as f64, i, &members));
            if i % 997 == 0 {
                t.check(&members);
            }
        }
        assert_eq!(t.len(), 0);
        t.check(&members);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16, i8),
        Remove(u16),
        Relabel(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            5 => (0u16..600, -3i8..4).prop_map(|(m, s)| Op::Insert(m, s)),
            3 => (0u16..600).prop_map(Op::Remove),
            1 => (0u16..600).prop_map(Op::Relabel),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_a_sorted_model(ops in prop::collection::vec(op(), 1..2500)) {
            // ids are slots in a fixed table of 1200 member names; relabel
            // moves an element to the spare slot `m + 600`.
            let names: Vec<Vec<u8>> = (0..1200).map(|i| format!("m{:03}", i % 600).into_bytes()).collect();
            let table = Table(names);
            let members = |id: u32| table.0[id as usize].as_slice();
            let mut t = OrderTree::new();
            // member -> (score, id)
            let mut model: BTreeMap<u16, (f64, u32)> = BTreeMap::new();
            for op in &ops {
                match *op {
                    Op::Insert(m, s) => {
                        if let std::collections::btree_map::Entry::Vacant(v) = model.entry(m) {
                            let score = if s == 0 { -0.0 } else { s as f64 };
                            t.insert(score, m as u32, &members);
                            v.insert((score, m as u32));
                        }
                    }
                    Op::Remove(m) => {
                        let expected = model.remove(&m);
                        let got = match expected {
                            Some((s, id)) => t.remove(s, id, &members),
                            None => t.remove(0.0, m as u32, &members),
                        };
                        prop_assert_eq!(got, expected.is_some());
                    }
                    Op::Relabel(m) => {
                        if let Some((s, id)) = model.get_mut(&m) {
                            let new = if *id < 600 { *id + 600 } else { *id - 600 };
                            t.relabel(*s, *id, new, &members);
                            *id = new;
                        }
                    }
                }
            }
            t.check(&members);
            let mut sorted: Vec<(f64, u32)> = model.values().copied().collect();
            sorted.sort_by(|a, b| cmp_key(a.0, members(a.1), b.0, b.1, &members));
            prop_assert_eq!(t.len(), sorted.len());
            for (rank, &(s, id)) in sorted.iter().enumerate() {
                prop_assert_eq!(t.get(rank).map(|(s, i)| (s.to_bits(), i)), Some((s.to_bits(), id)));
                prop_assert_eq!(t.rank(s, members(id), &members), rank);
            }
            for bound in -4..5 {
                let b = bound as f64;
                prop_assert_eq!(t.count_scores_below(b, false), sorted.iter().filter(|e| e.0 < b).count());
                prop_assert_eq!(t.count_scores_below(b, true), sorted.iter().filter(|e| e.0 <= b).count());
            }
            let start = sorted.len() / 3;
            let mut up = Vec::new();
            t.walk(start, false, &mut |s, id| { up.push((s.to_bits(), id)); up.len() < 50 });
            let want: Vec<(u64, u32)> = sorted.iter().skip(start).take(50).map(|e| (e.0.to_bits(), e.1)).collect();
            prop_assert_eq!(up, want);
            if !sorted.is_empty() {
                let from = sorted.len() - 1 - sorted.len() / 4;
                let mut down = Vec::new();
                t.walk(from, true, &mut |s, id| { down.push((s.to_bits(), id)); true });
                let want: Vec<(u64, u32)> = sorted[..=from].iter().rev().map(|e| (e.0.to_bits(), e.1)).collect();
                prop_assert_eq!(down, want);
            }
        }
    }
}
