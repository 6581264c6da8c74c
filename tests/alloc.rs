//! The step loop does not allocate once warmed up: a counting allocator watches 400 steps of the
//! baseline scenario under every leadership model. The same allocator, tracking the bytes held,
//! shows that checking a large sweep holds its points one at a time (issue 19, item 10).

use leadsim::behaviour::{DRAWS, Draws};
use leadsim::rng::{self, Purpose};
use leadsim::scenario::Scenario;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// Bytes held now, and the most held since [`PEAK`] was last reset.
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = HELD.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The tests count every allocation of the process: one at a time.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn warmed_up_steps_do_not_allocate() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml");
    let s = Scenario::load(std::path::Path::new(path)).unwrap();
    for m in 0..s.models.len() {
        let mut world = leadsim::sim::build_world(&s, 11);
        let mut model = s.models[m].config.build(&world);
        let mut behaviour = rng::stream(11, Purpose::Behaviour, &[]);
        let mut draws: Vec<Draws> = vec![[0; DRAWS]; world.org.slots()];
        let mut climate = Vec::new();
        let mut step = |world: &mut leadsim::world::World, t: u32| {
            world.begin_step(t);
            leadsim::sim::step(
                world,
                model.as_mut(),
                &mut behaviour,
                &mut draws,
                &mut climate,
            );
        };
        for t in 1..=100 {
            step(&mut world, t);
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for t in 101..=500 {
            step(&mut world, t);
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        // Growth of the set of distinct configurations and of a queue may still reallocate a
        // handful of times; anything per step or per member would be thousands.
        assert!(
            during <= 10,
            "{}: {during} allocations in 400 steps",
            s.models[m].name
        );
        eprintln!(
            "{}: {during} allocations in 400 warmed-up steps",
            s.models[m].name
        );
    }
}

/// `leadsim check` of a sweep validates every point without holding them (a million points
/// took 1.4 GB when the plan held each as a scenario): outlining a 100,000-point grid holds a
/// few megabytes at most, where its plan holds about 150 MB.
#[test]
fn outlining_a_large_sweep_holds_one_point_at_a_time() {
    use leadsim::experiment::sweep::{MAX_POINTS, Sweep};
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let base = "seed = 1\nsteps = 10\nreplications = 1\n[landscape]\nn = 8\nk = 2\n\
                [organization]\nmembers = 12\ndomains = 3\n[[models]]\nkind = \"centralized\"\n";
    let text = "name = \"large\"\nbase = \"base.toml\"\nmax_runs = 100000000\n\
                [[axes]]\npath = \"behaviour.propose_rate\"\nfrom = 0.0\nto = 1.0\nsteps = 100\n\
                [[axes]]\npath = \"models.centralized.review_capacity\"\nfrom = 1\nto = 1000\nsteps = 1000\n";
    let sweep = Sweep::parse(text, std::path::Path::new("large.toml"), |_| {
        Ok::<_, leadsim::params::InputError>(base.to_string())
    })
    .unwrap();
    PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
    let before = HELD.load(Ordering::Relaxed);
    let mut seen = 0u64;
    let outline = sweep
        .outline(None, None, |i, p| {
            assert_eq!(i as u64, seen, "points in order");
            assert_eq!(p.values.len(), 2);
            seen += 1;
        })
        .unwrap();
    let held = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert_eq!(
        (outline.points, seen, outline.runs()),
        (100_000, 100_000, 100_000)
    );
    assert_eq!(
        outline.worlds, 100,
        "the capacity axis is a model parameter"
    );
    assert!(outline.plan.points.is_empty());
    eprintln!("outlining 100000 points held at most {held} bytes");
    assert!(held < 16 << 20, "outlining 100000 points held {held} bytes");
    const { assert!(MAX_POINTS >= 1_000_000) };
}
