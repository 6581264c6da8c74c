//! Undirected graphs and the generators of the networks the models use: the informal
//! communication network of an organization and the networks of Lazer & Friedman (2007).
//!
//! A [`Graph`] is plain data: one sorted adjacency list per node. Every generator draws from the
//! stream it is given, in a fixed order, so a network is a pure function of its parameters and
//! that stream.
//!
//! ```
//! use leadsim::network::{self, Graph};
//! let ring = network::ring_lattice(6, 2);
//! assert_eq!(ring.neighbours(0), &[1, 5]);
//! assert!(ring.is_connected());
//! ```

use crate::rng::{self, SimRng};

/// An undirected simple graph on nodes `0..n`.
///
/// The adjacency lists are the graph; [`Graph::freeze`] also lays them out end to end in one
/// array that [`Graph::neighbours`] reads until the next change, so a pass over a large
/// organization's ties streams through memory instead of visiting a million separate lists.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    adj: Vec<Vec<u32>>,
    /// The lists end to end (valid while `frozen`).
    flat: Vec<u32>,
    /// Where each node's list starts in `flat` (n + 1 entries; valid while `frozen`).
    offsets: Vec<usize>,
    frozen: bool,
}

impl PartialEq for Graph {
    fn eq(&self, other: &Graph) -> bool {
        self.adj == other.adj
    }
}

impl Eq for Graph {}

impl Graph {
    /// Lays the lists out end to end for fast reading (until the next change). Cheap when
    /// nothing changed since the last call.
    pub(crate) fn freeze(&mut self) {
        if self.frozen {
            return;
        }
        self.flat.clear();
        self.offsets.clear();
        self.offsets.reserve(self.adj.len() + 1);
        self.offsets.push(0);
        for list in &self.adj {
            self.flat.extend_from_slice(list);
            self.offsets.push(self.flat.len());
        }
        self.frozen = true;
    }

    /// `n` nodes, no edges.
    pub(crate) fn empty(n: usize) -> Graph {
        Graph {
            adj: vec![Vec::new(); n],
            ..Graph::default()
        }
    }

    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.adj.len()
    }

    /// Adds a node with no edges and returns its index.
    pub(crate) fn add_node(&mut self) -> usize {
        self.frozen = false;
        self.adj.push(Vec::new());
        self.adj.len() - 1
    }

    /// The neighbours of `i`, ascending.
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        if self.frozen {
            &self.flat[self.offsets[i]..self.offsets[i + 1]]
        } else {
            &self.adj[i]
        }
    }

    /// Number of neighbours of `i`.
    #[inline]
    pub(crate) fn degree(&self, i: usize) -> usize {
        self.adj[i].len()
    }

    /// Whether `a` and `b` are linked.
    pub(crate) fn has_edge(&self, a: usize, b: usize) -> bool {
        self.adj[a].binary_search(&(b as u32)).is_ok()
    }

    /// Links `a` and `b`; returns `false` (and does nothing) for a self-loop or an existing edge.
    pub(crate) fn add_edge(&mut self, a: usize, b: usize) -> bool {
        self.frozen = false;
        if a == b {
            return false;
        }
        match self.adj[a].binary_search(&(b as u32)) {
            Ok(_) => false,
            Err(pos) => {
                self.adj[a].insert(pos, b as u32);
                let pos_b = self.adj[b].binary_search(&(a as u32)).unwrap_err();
                self.adj[b].insert(pos_b, a as u32);
                true
            }
        }
    }

    /// Unlinks `a` and `b`; returns whether the edge existed.
    pub(crate) fn remove_edge(&mut self, a: usize, b: usize) -> bool {
        self.frozen = false;
        match self.adj[a].binary_search(&(b as u32)) {
            Ok(pos) => {
                self.adj[a].remove(pos);
                let pos_b = self.adj[b].binary_search(&(a as u32)).unwrap();
                self.adj[b].remove(pos_b);
                true
            }
            Err(_) => false,
        }
    }

    /// Removes every edge in `edges` (either orientation; absent edges and self-loops are
    /// ignored): the same graph as calling [`Graph::remove_edge`] on each, in time linear in the
    /// adjacency lists touched rather than quadratic in a dense graph's degree.
    pub(crate) fn remove_edges(&mut self, edges: &[(u32, u32)]) {
        self.frozen = false;
        let gone = both_ways(edges);
        for drop in gone.chunk_by(|x, y| x.0 == y.0) {
            let mut k = 0;
            self.adj[drop[0].0 as usize].retain(|&b| {
                while k < drop.len() && drop[k].1 < b {
                    k += 1;
                }
                !(k < drop.len() && drop[k].1 == b)
            });
        }
    }

    /// Adds every edge in `edges` (either orientation; existing edges and self-loops are
    /// ignored): the same graph as calling [`Graph::add_edge`] on each, in linear-logarithmic
    /// time per adjacency list touched.
    pub(crate) fn add_edges(&mut self, edges: &[(u32, u32)]) {
        self.frozen = false;
        let new = both_ways(edges);
        for add in new.chunk_by(|x, y| x.0 == y.0) {
            let list = &mut self.adj[add[0].0 as usize];
            list.extend(add.iter().map(|p| p.1));
            list.sort_unstable();
            list.dedup();
        }
    }

    /// Number of edges.
    pub(crate) fn edge_count(&self) -> usize {
        self.adj.iter().map(Vec::len).sum::<usize>() / 2
    }

    /// Every edge once, as `(a, b)` with `a < b`, in ascending order.
    pub(crate) fn edges(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::with_capacity(self.edge_count());
        for (a, list) in self.adj.iter().enumerate() {
            for &b in list {
                if (a as u32) < b {
                    out.push((a as u32, b));
                }
            }
        }
        out
    }

    /// Component label of every node (labels are the smallest node index of the component).
    pub(crate) fn components(&self) -> Vec<u32> {
        let n = self.len();
        let mut label = vec![u32::MAX; n];
        let mut stack = Vec::new();
        for s in 0..n {
            if label[s] != u32::MAX {
                continue;
            }
            label[s] = s as u32;
            stack.push(s);
            while let Some(v) = stack.pop() {
                for &w in &self.adj[v] {
                    if label[w as usize] == u32::MAX {
                        label[w as usize] = s as u32;
                        stack.push(w as usize);
                    }
                }
            }
        }
        label
    }

    /// Whether every node can reach every other.
    pub fn is_connected(&self) -> bool {
        self.components().iter().all(|&c| c == 0)
    }

    /// Hop distances from `source` (`u32::MAX` when unreachable).
    #[cfg(test)]
    fn distances(&self, source: usize) -> Vec<u32> {
        let mut dist = vec![u32::MAX; self.len()];
        let mut queue = std::collections::VecDeque::new();
        dist[source] = 0;
        queue.push_back(source);
        while let Some(v) = queue.pop_front() {
            for &w in &self.adj[v] {
                if dist[w as usize] == u32::MAX {
                    dist[w as usize] = dist[v] + 1;
                    queue.push_back(w as usize);
                }
            }
        }
        dist
    }

    /// Adds random edges between components until the graph is connected: each component
    /// after the first is joined to a uniformly chosen node of the part already connected.
    pub(crate) fn connect_components(&mut self, rng: &mut SimRng) {
        let labels = self.components();
        let mut roots: Vec<u32> = labels.clone();
        roots.sort_unstable();
        roots.dedup();
        let mut connected: Vec<usize> =
            (0..self.len()).filter(|&v| labels[v] == roots[0]).collect();
        for &root in &roots[1..] {
            let members: Vec<usize> = (0..self.len()).filter(|&v| labels[v] == root).collect();
            let a = members[rng::below(rng, members.len())];
            let b = connected[rng::below(rng, connected.len())];
            self.add_edge(a, b);
            connected.extend(members);
        }
    }
}

/// `edges` in both orientations without self-loops, sorted and deduplicated.
fn both_ways(edges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(2 * edges.len());
    out.extend(
        edges
            .iter()
            .filter(|(a, b)| a != b)
            .flat_map(|&(a, b)| [(a, b), (b, a)]),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// Every pair linked.
pub(crate) fn complete(n: usize) -> Graph {
    let mut g = Graph::empty(n);
    for a in 0..n {
        g.adj[a] = (0..n as u32).filter(|&b| b != a as u32).collect();
    }
    g
}

/// A path `0 – 1 – … – n−1` (Lazer & Friedman's "linear" network).
pub(crate) fn linear(n: usize) -> Graph {
    let mut g = Graph::empty(n);
    for a in 1..n {
        g.add_edge(a - 1, a);
    }
    g
}

/// A ring where each node is linked to its `k` nearest nodes: ⌈k/2⌉ after it and ⌊k/2⌋ before
/// it (for even `k`, `k/2` on each side). `k` is capped at `n − 1`.
pub fn ring_lattice(n: usize, k: usize) -> Graph {
    let mut g = Graph::empty(n);
    if n < 2 {
        return g;
    }
    let k = k.min(n - 1);
    let after = k.div_ceil(2);
    for a in 0..n {
        for d in 1..=after {
            g.add_edge(a, (a + d) % n);
        }
    }
    g
}

/// Erdős–Rényi G(n, p): each pair linked with probability `p`, pairs visited in ascending order.
/// With `connected`, components are then joined by random bridges
/// ([`Graph::connect_components`]).
pub(crate) fn random(n: usize, p: f64, connected: bool, rng: &mut SimRng) -> Graph {
    let mut g = Graph::empty(n);
    for a in 0..n {
        for b in a + 1..n {
            if rng::chance(rng, p) {
                g.add_edge(a, b);
            }
        }
    }
    if connected {
        g.connect_components(rng);
    }
    g
}

/// Watts–Strogatz small world: a ring lattice of degree `k` whose edges `(a, a+d)` are each
/// rewired with probability `beta` to a uniformly chosen new endpoint (no self-loops or
/// duplicates), visiting `d = 1..` then `a = 0..n`, as in Watts & Strogatz (1998).
pub(crate) fn watts_strogatz(n: usize, k: usize, beta: f64, rng: &mut SimRng) -> Graph {
    let mut g = ring_lattice(n, k);
    if n < 3 {
        return g;
    }
    let after = k.min(n - 1).div_ceil(2);
    for d in 1..=after {
        for a in 0..n {
            let b = (a + d) % n;
            if !rng::chance(rng, beta) || !g.has_edge(a, b) || g.degree(a) >= n - 1 {
                continue;
            }
            let mut c = rng::below(rng, n);
            while c == a || g.has_edge(a, c) {
                c = rng::below(rng, n);
            }
            g.remove_edge(a, b);
            g.add_edge(a, c);
        }
    }
    g
}

/// Lazer & Friedman's small world: a ring lattice of degree `k` plus `rewirings` random
/// rewirings, each moving one end of a uniformly chosen edge to a uniformly chosen node, kept
/// only if the graph stays connected. Gives up on a rewiring after 100 failed attempts.
pub(crate) fn rewired_lattice(n: usize, k: usize, rewirings: usize, rng: &mut SimRng) -> Graph {
    let mut g = ring_lattice(n, k);
    if n < 3 {
        return g;
    }
    for _ in 0..rewirings {
        for _attempt in 0..100 {
            let edges = g.edges();
            if edges.is_empty() {
                return g;
            }
            let (a, b) = edges[rng::below(rng, edges.len())];
            let (a, b) = (a as usize, b as usize);
            let c = rng::below(rng, n);
            if c == a || g.has_edge(a, c) {
                continue;
            }
            g.remove_edge(a, b);
            g.add_edge(a, c);
            if g.is_connected() {
                break;
            }
            g.remove_edge(a, c);
            g.add_edge(a, b);
        }
    }
    g
}

/// Barabási–Albert preferential attachment: a complete core of `m + 1` nodes, then each new node
/// links to `m` distinct existing nodes chosen with probability proportional to degree.
pub(crate) fn barabasi_albert(n: usize, m: usize, rng: &mut SimRng) -> Graph {
    let m = m.max(1);
    let core = (m + 1).min(n);
    let mut g = Graph::empty(n);
    for a in 0..core {
        for b in a + 1..core {
            g.add_edge(a, b);
        }
    }
    // Each edge end appears once in `ends`: sampling from it is sampling by degree.
    let mut ends: Vec<u32> = g.edges().iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut targets = Vec::with_capacity(m);
    for v in core..n {
        targets.clear();
        while targets.len() < m.min(v) {
            let t = if ends.is_empty() {
                rng::below(rng, v) as u32
            } else {
                ends[rng::below(rng, ends.len())]
            };
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        for &t in &targets {
            g.add_edge(v, t as usize);
            ends.push(v as u32);
            ends.push(t);
        }
    }
    g
}

/// Dense teams with sparse bridges: members of the same team (`team_of`) are linked with
/// probability `inside`, members of different teams with probability `between`; the result is
/// made connected with random bridges.
pub(crate) fn teams(team_of: &[usize], inside: f64, between: f64, rng: &mut SimRng) -> Graph {
    let n = team_of.len();
    let mut g = Graph::empty(n);
    for a in 0..n {
        for b in a + 1..n {
            let p = if team_of[a] == team_of[b] {
                inside
            } else {
                between
            };
            if rng::chance(rng, p) {
                g.add_edge(a, b);
            }
        }
    }
    g.connect_components(rng);
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn r(seed: u64) -> SimRng {
        stream(seed, Purpose::Organization, &[])
    }

    #[test]
    fn basic_shapes() {
        let c = complete(5);
        assert_eq!(c.edge_count(), 10);
        let l = linear(5);
        assert_eq!(l.edge_count(), 4);
        assert_eq!(l.distances(0)[4], 4);
        let ring = ring_lattice(10, 4);
        assert!((0..10).all(|i| ring.degree(i) == 4));
        assert_eq!(ring.neighbours(0), &[1, 2, 8, 9]);
    }

    #[test]
    fn a_frozen_graph_reads_the_same_and_thaws_on_change() {
        let mut g = watts_strogatz(200, 6, 0.2, &mut r(3));
        let before: Vec<Vec<u32>> = (0..200).map(|i| g.neighbours(i).to_vec()).collect();
        g.freeze();
        g.freeze();
        assert!((0..200).all(|i| g.neighbours(i) == before[i].as_slice()));
        // A change is seen at once, frozen again or not.
        let (a, b) = (0, 100);
        let added = g.add_edge(a, b);
        assert_eq!(
            g.neighbours(a).contains(&(b as u32)),
            added || before[a].contains(&(b as u32))
        );
        g.freeze();
        assert!(g.neighbours(b).contains(&(a as u32)));
        g.remove_edges(&[(a as u32, b as u32)]);
        assert!(!g.neighbours(a).contains(&(b as u32)));
        let n = g.add_node();
        g.add_edge(n, 5);
        g.freeze();
        assert_eq!(g.neighbours(n), &[5]);
        // Equality is the graph's, not its layout's: a thawed copy with the same edges is equal.
        let mut h = g.clone();
        let far = (0..200).find(|&x| x != 1 && !g.has_edge(1, x)).unwrap();
        assert!(h.add_edge(1, far) && h.remove_edge(1, far));
        assert_eq!(g, h);
    }

    #[test]
    fn edges_are_symmetric_and_simple() {
        let mut rr = r(1);
        for g in [
            random(30, 0.1, true, &mut rr),
            watts_strogatz(30, 4, 0.2, &mut rr),
            barabasi_albert(30, 2, &mut rr),
            rewired_lattice(30, 4, 10, &mut rr),
        ] {
            for a in 0..g.len() {
                for &b in g.neighbours(a) {
                    assert_ne!(a, b as usize);
                    assert!(g.has_edge(b as usize, a));
                }
                assert!(g.neighbours(a).windows(2).all(|w| w[0] < w[1]));
            }
            assert!(g.is_connected());
        }
    }

    #[test]
    fn rewiring_keeps_edge_count() {
        let g = watts_strogatz(40, 4, 0.3, &mut r(2));
        assert_eq!(g.edge_count(), 80);
        let h = rewired_lattice(40, 4, 20, &mut r(3));
        assert_eq!(h.edge_count(), 80);
        assert_ne!(h, ring_lattice(40, 4));
        assert_eq!(watts_strogatz(40, 4, 0.0, &mut r(2)), ring_lattice(40, 4));
    }

    #[test]
    fn barabasi_albert_has_hubs() {
        let g = barabasi_albert(200, 2, &mut r(4));
        // m new edges per node after the core of m + 1 = 3 nodes (3 edges).
        assert_eq!(g.edge_count(), 3 + 197 * 2);
        let max = (0..200).map(|i| g.degree(i)).max().unwrap();
        assert!(max >= 15, "max degree {max}");
    }

    #[test]
    fn teams_are_denser_inside() {
        let team_of: Vec<usize> = (0..40).map(|i| i % 4).collect();
        let g = teams(&team_of, 0.8, 0.02, &mut r(5));
        let inside = g
            .edges()
            .iter()
            .filter(|&&(a, b)| team_of[a as usize] == team_of[b as usize])
            .count();
        assert!(inside > 3 * (g.edge_count() - inside));
        assert!(g.is_connected());
    }

    /// Bulk removal and addition give the graphs edge-by-edge changes give.
    #[test]
    fn bulk_edge_changes_match_one_by_one() {
        let mut rr = r(11);
        for _ in 0..20 {
            let g = random(30, 0.3, false, &mut rr);
            let mut picks: Vec<(u32, u32)> = (0..60)
                .map(|_| {
                    (
                        rng::below(&mut rr, 30) as u32,
                        rng::below(&mut rr, 30) as u32,
                    )
                })
                .collect();
            picks.extend(g.edges().into_iter().take(10));
            let (mut one, mut bulk) = (g.clone(), g.clone());
            for &(a, b) in &picks {
                one.remove_edge(a as usize, b as usize);
            }
            bulk.remove_edges(&picks);
            assert_eq!(one, bulk);
            let (mut one, mut bulk) = (g.clone(), g);
            for &(a, b) in &picks {
                one.add_edge(a as usize, b as usize);
            }
            bulk.add_edges(&picks);
            assert_eq!(one, bulk);
        }
    }

    #[test]
    fn same_stream_same_graph() {
        assert_eq!(
            random(25, 0.2, true, &mut r(9)),
            random(25, 0.2, true, &mut r(9))
        );
        assert_ne!(
            random(25, 0.2, true, &mut r(9)),
            random(25, 0.2, true, &mut r(10))
        );
    }
}
