//! The step loop does not allocate once warmed up: a counting allocator watches 400 steps of the
//! baseline scenario under every leadership model.

use leadsim::behaviour::{DRAWS, Draws};
use leadsim::rng::{self, Purpose};
use leadsim::scenario::Scenario;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn warmed_up_steps_do_not_allocate() {
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
